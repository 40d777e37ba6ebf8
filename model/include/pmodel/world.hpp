// The world: every component's state, the links between them, and the ghost state the
// property monitors need. One transition system for every driver (simulator, checker, replay,
// property tests, export): `enabled_actions` and `apply` are the only way to move.
//
//   action = run C            C executes its next statement (or its failure handler step)
//          | deliver A->B     B handles the head message of link A->B (per-pair FIFO)
//          | fault K C        an injected crash, host cancel or OS signal (contract §5)
//          | timeout C        timeouts=on: C, blocked on a peer, gives up (SPIN's `timeout`:
//                             enabled only when no run or deliver is)
//
// Links are per ordered pair of components (reowolf-notes §1.1: FIFO per sender-receiver pair).
// The world frees a component when its reference count reaches 0; a message still in flight to
// it then is an LC-1 violation (except a CancelRequest or a message it sent itself: they go
// with it).
//
// model/ is the semantics only. A search's store (check/) may answer steps it has seen before
// through pmodel::StepCache (step_cache.hpp); without one the world takes its plain path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pcore/component.hpp"
#include "pmodel/observed.hpp"
#include "pmodel/parts.hpp"
#include "pmodel/scenario.hpp"
#include "pmodel/step_cache.hpp"

namespace pmodel {

enum class ActionKind : std::uint8_t { run, deliver, fault, timeout };

struct Action {
    ActionKind kind = ActionKind::run;
    CompId comp;              // run, fault, timeout
    CompId from;              // deliver
    CompId to;                // deliver
    std::uint32_t index = 0;  // deliver: position in the link (0 with FIFO links); fault: kind
    friend bool operator==(const Action&, const Action&) = default;
};

// Contract §5: how many faults of each kind a run may inject.
struct FaultBudget {
    std::uint32_t crash = 0;
    std::uint32_t cancel = 0;
    std::uint32_t signal = 0;
    [[nodiscard]] std::uint32_t of(pcore::FaultKind kind) const {
        return const_cast<FaultBudget&>(*this).of(kind);
    }
    [[nodiscard]] std::uint32_t& of(pcore::FaultKind kind) {
        return kind == pcore::FaultKind::crash    ? crash
               : kind == pcore::FaultKind::cancel ? cancel
                                                  : signal;
    }
    [[nodiscard]] bool any() const { return crash + cancel + signal > 0; }
    friend bool operator==(const FaultBudget&, const FaultBudget&) = default;
};

// Every fault kind, in the order of pmodel::Action::index; fault_name gives its contract name.
inline constexpr pcore::FaultKind fault_kinds[] = {
    pcore::FaultKind::crash, pcore::FaultKind::cancel, pcore::FaultKind::signal};
[[nodiscard]] const char* fault_name(pcore::FaultKind kind);

// Whether any of these enabled actions is more than a fault: a run may end with its fault
// budget unused, so a state where only faults are enabled is terminal (the checker, replay and
// the shrinker judge it there).
[[nodiscard]] inline bool any_live(const std::vector<Action>& enabled) {
    for (const Action& action : enabled) {
        if (action.kind != ActionKind::fault) return true;
    }
    return false;
}

struct Violation {
    std::string property;  // a contract §7 id
    std::vector<CompId> comps;
    std::string detail;
    friend bool operator==(const Violation&, const Violation&) = default;
};

struct AppDeadlock {
    std::vector<CompId> cycle;  // the wait-for cycle, first component repeated at the end
    std::string detail;
};

struct ApplyResult {
    std::vector<CompId> touched;                  // components whose runnability may have changed
    std::vector<std::pair<CompId, CompId>> sent;  // links that received a message, in order
    // For the partial-order reduction: the other components whose world entries the step read
    // or wrote (message and cancel targets, reference counts, ghost round fields of submitters),
    // and the components whose ghost round fields it read or wrote (a decision's submitters,
    // the receiver of a decision or of a round-failing ClosePort).
    std::vector<CompId> reached;
    std::vector<CompId> round_ghost;
};

class World {
  public:
    World(std::shared_ptr<const Scenario> scenario,
          pcore::Variants variants,
          FaultBudget faults = {});

    [[nodiscard]] const Scenario& scenario() const { return *scenario_; }
    [[nodiscard]] const std::shared_ptr<const Scenario>& scenario_ptr() const { return scenario_; }
    [[nodiscard]] const pcore::Variants& variants() const { return variants_; }
    [[nodiscard]] const FaultBudget& fault_budget() const { return faults_; }
    [[nodiscard]] bool fault_injected() const;
    [[nodiscard]] const SlotVector& comps() const { return comps_; }
    [[nodiscard]] std::int32_t refcount(CompId comp) const { return comps_.refcount(comp.value()); }
    [[nodiscard]] bool freed(CompId comp) const { return comps_.freed(comp.value()); }
    [[nodiscard]] const SlotGhost& slot_ghost(CompId comp) const {
        return comps_.ghost(comp.value());
    }
    // The links with messages in flight (a link is dropped when it empties), in (from, to)
    // order.
    [[nodiscard]] const std::vector<Link>& links() const { return links_; }
    [[nodiscard]] const Ghost& ghost() const { return *ghost_; }
    [[nodiscard]] const std::vector<Violation>& violations() const { return violations_; }
    [[nodiscard]] std::uint64_t delivered() const { return delivered_; }

    // Canonical order: runs by component id, then deliveries by (from, to, index).
    void enabled_actions(std::vector<Action>& out) const;
    [[nodiscard]] bool enabled(const Action& action) const;
    [[nodiscard]] bool runnable(CompId comp) const;
    // A step: a run or a delivery (not a fault or a timeout). Scenario option host_priority: a
    // step of the host (component 0) is its run or a delivery from or to it, and while the host
    // can take one (host_can_step, before the option's filter) no other component steps.
    [[nodiscard]] static bool is_step(const Action& action);
    [[nodiscard]] static bool host_step(const Action& action);
    [[nodiscard]] bool host_can_step() const;
    [[nodiscard]] const Link* link(CompId from, CompId to) const;

    // Applies an enabled action; state monitors run on every effect.
    ApplyResult apply(const Action& action);
    // The same, into a result the caller reuses (the checker: no allocation per step).
    void apply(const Action& action, ApplyResult& result);

    // Properties that are judged on a terminal state (no enabled action): DF-1, DF-2, DF-3,
    // LC-2, NM-1..NM-5, EXPECT (only in runs without injected faults: a fault changes the
    // scenario its expect block was written for). Appends to violations(); returns the
    // application deadlocks.
    std::vector<AppDeadlock> check_terminal();

    [[nodiscard]] std::uint64_t fingerprint() const;

    // A search's store of states (check/): steps are asked of it first (pmodel/step_cache.hpp);
    // the world's copies inherit it. It must outlive every world that uses it.
    void use_cache(StepCache& cache) { cache_ = &cache; }

    [[nodiscard]] std::string name_of(CompId comp) const;
    [[nodiscard]] CompId find_by_name(const std::string& name) const;
    [[nodiscard]] std::string describe(const Action& action) const;

    // Equal states: same components, same links, same monitors.
    friend bool operator==(const World& a, const World& b);

  private:
    friend struct WorldTestAccess;  // property tests build worlds by hand
    friend class WorldParts;        // a state store's access to the parts (world_parts.hpp)

    // The link, to change it (created when missing; its cached hash dropped).
    Link& link_for(CompId from, CompId to);
    void step_component(CompId comp, const pcore::Input& input, ApplyResult& result);
    // The step itself, unobserved: from the cache when it knows it, else computed in place.
    void advance_component(CompId comp, const pcore::Input& input, ApplyResult& result);
    // The two ways a step is taken: a step the cache knew (its slot and effects), or computed
    // in place (and told to the cache).
    void take_known_step(CompId comp, const KnownStep& known, ApplyResult& result);
    void compute_step(CompId comp, const pcore::Input& input, ApplyResult& result);
    [[nodiscard]] pcore::StepContext step_context() const;
    // A delivery the cache took from its own queue: the message is copied only when the cache
    // does not know the step.
    void step_delivered(CompId to, CompId from, const DeliveredFrom& origin, ApplyResult& result);
    void apply_effects(CompId source, pcore::Effects& effects, ApplyResult& result);
    void apply_known_effects(CompId source, const KnownStep& known, ApplyResult& result);
    // A Send of a known step: the cache extends the link's queue when it holds it.
    void send_known(CompId source,
                    const pcore::Send& effect,
                    std::uint64_t message_hash,
                    ApplyResult& result);
    // One handler per effect of a step by `source`. The runtime's own effects:
    void on_effect(CompId source, pcore::Send& effect, ApplyResult& result);
    void on_effect(CompId source, pcore::SendImmediate& effect, ApplyResult& result);
    void on_effect(CompId source, pcore::SpawnComponent& effect, ApplyResult& result);
    // The same from a known step's effects, which stay in the cache (copies made).
    void on_effect(CompId source, const pcore::Send& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::SendImmediate& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::SpawnComponent& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::ScheduleComponent& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::RefInc& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::RefDec& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::RequestCancel& effect, ApplyResult& result);
    // Events for the observers (model/src/properties/):
    void on_effect(CompId source, const pcore::FactAccepted& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::FactCause& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::FactHandlerRun& effect, ApplyResult& result);
    // What the observers see of a step of `comp` (model/src/properties/observe.cpp): before
    // it, the statement it was at; after it, what changed.
    struct StepBefore {
        std::uint32_t pc = 0;
        bool run = false;      // a run action (or a nested run), not a delivery or fault
        bool handler = false;  // the run was its failure handler's step, not a statement
        bool running = true;   // its outcome was still open
        EndTrigger input = EndTrigger::own;
        CompId from;                  // delivered messages: the sender (close_port: the closer)
        std::uint32_t data_sent = 0;  // puts of its own sent so far in this apply
    };
    [[nodiscard]] StepBefore observe_before(CompId comp,
                                            const pcore::Input& input,
                                            const Message* delivered) const;
    void observe_after(CompId comp, const StepBefore& before, ApplyResult& result);
    void observe_delivery(CompId to, CompId from, const Message& message);
    void observe_fault(CompId comp, pcore::FaultKind kind);
    void observe_send(CompId source, const Message& message);
    void observe_spawn(CompId creator, CompId created);
    void observe_schedule(CompId creator, CompId created);
    // Sync rounds (model/src/properties/rounds.cpp).
    void round_entered(CompId comp);
    void round_concluded(CompId comp, ApplyResult& result);
    void judge_link(const RoundLink& link, ApplyResult& result);
    void judge_round_puts(CompId comp, std::uint32_t round);
    // Errors (model/src/properties/errors.cpp).
    void record_arrival(CompId comp, CompId author, const pcore::ErrorInfo& error);
    void check_errors();
    void check_relay_path(CompId comp, const pcore::Outcome& outcome);
    // Lifetime and progress (model/src/properties/lifetime.cpp, progress.cpp).
    void check_conservation();
    void check_in_flight_at_free(CompId comp);
    std::vector<AppDeadlock> check_progress();
    void free_if_unreferenced(CompId comp, ApplyResult& result);
    void violation(std::string property, std::vector<CompId> comps, std::string detail);
    void release_carried(const Message& message, ApplyResult& result);

    [[nodiscard]] std::uint32_t instances_named(const std::string& base) const;
    // Every mutation of a component slot goes through here: it drops the cached hash.
    CompSlot& slot_for_update(CompId comp);
    [[nodiscard]] std::uint64_t queue_hash(const Link& link) const;
    [[nodiscard]] std::uint64_t slot_hash(std::size_t index) const;
    // The hash of a component's entry: its slot hash, count, freed flag and facts (cached).
    [[nodiscard]] std::uint64_t entry_hash(std::size_t index) const;
    // The entry hash of component `index` were its slot's hash `slot` (count, freed flag and
    // facts as they are): a search that ignores parts of a slot (check/: dead fields) hashes
    // the rest the same way.
    [[nodiscard]] std::uint64_t entry_hash_with(std::size_t index, std::uint64_t slot) const;
    [[nodiscard]] std::uint64_t ghost_hash() const;
    Ghost& edit_ghost();
    void check_expectations();
    [[nodiscard]] bool data_still_held(const PutRecord& put) const;
    [[nodiscard]] std::string expectation_problem(const Expectation& expectation,
                                                  const pcore::Outcome& outcome) const;
    void enabled_faults(std::vector<Action>& out) const;
    // The link has a message its receiver can take now (some delivery of it is enabled).
    [[nodiscard]] bool deliverable(const Link& link) const;
    // Scenario option host_priority: drops the other components' steps while the host has one.
    static void keep_host_actions(std::vector<Action>& out);
    [[nodiscard]] bool fault_target(CompId comp, pcore::FaultKind kind) const;
    [[nodiscard]] bool timeout_target(CompId comp) const;

    std::shared_ptr<const Scenario> scenario_;
    pcore::Variants variants_;
    FaultBudget faults_;
    SlotVector comps_;
    std::vector<Link> links_;  // sorted by (from, to); none empty
    Shared<Ghost> ghost_{Ghost{}};
    std::vector<Violation> violations_;
    std::uint64_t delivered_ = 0;
    mutable std::uint64_t ghost_hash_ = 0;
    StepCache* cache_ = nullptr;  // a search's store (pmodel/step_cache.hpp), not state
    // Not state: the observers' view of the step being applied.
    std::uint32_t data_sent_ = 0;           // Data messages sent by their own putter in this apply
    CompId spawned_ = CompId::none();       // the component spawned in this step, if any
    const StepBefore* stepping_ = nullptr;  // the step being applied (nested: the innermost)
};

// The two-phase-commit window (SY-1, SY-3, SY-4): `comp` was killed from outside after its vote
// (an injected fault, an os or component cancel), or failed after its vote by the
// ClosePort(sync) of one that was; it may end while its round commits. Also the SMT encoding's
// reading of an ended round (model/smt), so that both excuse the same ends.
[[nodiscard]] bool in_commit_window(const World& world, CompId comp);

}  // namespace pmodel
