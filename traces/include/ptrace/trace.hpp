// Traces (contract §6): a run written down so that it replays bit-exactly.
//
// A trace is versioned JSON ("protocheck-trace/1") holding the tool version, the scenario
// embedded in full, the variants, the fault budget, the seed (for simulated runs), and every
// step: the action, the 64-bit fingerprint of the state it led to, and a readable label. It ends
// with the outcomes and the violated property, if any. Replay is the simulator with a scripted
// scheduler: it applies the same actions through the same World::apply.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pmodel/world.hpp"
#include "psim/simulator.hpp"

namespace ptrace {

inline constexpr const char* trace_format = "protocheck-trace/1";

using FaultBudget = pmodel::FaultBudget;

[[nodiscard]] std::string hex64(std::uint64_t value);

[[nodiscard]] nlohmann::json outcome_json(const pcore::CompiledScenario& compiled,
                                          const std::vector<std::string>& names,
                                          const pcore::Outcome& outcome);
[[nodiscard]] nlohmann::json outcomes_json(const pcore::CompiledScenario& compiled,
                                           const psim::RunResult& run);
[[nodiscard]] nlohmann::json variants_json(const pcore::Variants& variants);
// {"crash": K, "cancel": K, "signal": K}, as traces and reports write a fault budget.
[[nodiscard]] nlohmann::json faults_json(const FaultBudget& faults);
[[nodiscard]] nlohmann::json violation_json(const std::vector<std::string>& names,
                                            const pmodel::Violation& violation);

// A trace of a finished run (the run must have been recorded).
[[nodiscard]] nlohmann::json make_trace(const pmodel::Scenario& scenario,
                                        const pcore::Variants& variants,
                                        const FaultBudget& faults,
                                        std::optional<std::uint64_t> seed,
                                        const std::string& source,
                                        const psim::RunResult& run,
                                        const std::string& tool_version);

// A run rebuilt from known actions (a checker's path, a shrunk schedule), recorded step by step
// for a trace: each action goes through World::apply like any other, and the run ends as a
// violating run does (judged on its last state when nothing fired on the way).
class RecordedRun {
  public:
    RecordedRun(std::shared_ptr<const pmodel::Scenario> scenario,
                pcore::Variants variants,
                const FaultBudget& faults);
    [[nodiscard]] const pmodel::World& world() const { return world_; }
    // The action must be enabled.
    void take(const pmodel::Action& action);
    [[nodiscard]] psim::RunResult finish();

  private:
    pmodel::World world_;
    psim::RunResult run_;
};

// Writes JSON to a temporary file beside `path` and renames it into place, so a reader never
// sees half a file and an interrupted run loses nothing already written.
void write_json_atomic(const std::string& path, const nlohmann::json& document);
// The same for any text (the pictures of `show` and `export`).
void write_text_atomic(const std::string& path, const std::string& text);

// A trace as read from its file: the design it ran, its steps by component names (names, not
// ids: a spawned component's id depends on the order of spawns), and how it ended.
struct NamedStep {
    pmodel::ActionKind kind = pmodel::ActionKind::run;
    std::string a;  // run, timeout, fault: the component; deliver: the sender
    std::string b;  // deliver: the receiver
    std::uint32_t index = 0;
    std::uint64_t fingerprint = 0;  // as recorded
};

struct LoadedTrace {
    std::string origin;  // the file, for messages
    std::shared_ptr<const pmodel::Scenario> scenario;
    pcore::Variants variants;
    FaultBudget faults;
    std::optional<std::uint64_t> seed;
    std::string source;
    std::optional<std::string> scheduler;
    std::vector<NamedStep> steps;
    std::string end;
    std::string recorded_property;  // empty: no violation recorded
    nlohmann::json recorded_violation;
    nlohmann::json recorded_outcomes;
};

// Reads and checks a whole trace; malformed input throws pscenario::InputError (exit 2).
[[nodiscard]] LoadedTrace load_trace(const std::string& text, const std::string& origin);
[[nodiscard]] LoadedTrace load_trace_json(const nlohmann::json& trace, const std::string& origin);
// The action a step names in `world`; none when a name is not there (yet).
[[nodiscard]] std::optional<pmodel::Action> resolve_step(const pmodel::World& world,
                                                         const NamedStep& step);
[[nodiscard]] NamedStep name_step(const pmodel::World& world, const pmodel::Action& action);
// A recorded step as an action that can be taken in `world` now, or why not (replay's words: no
// such component or link, or not enabled here). One rule for replay and for `show`.
struct StepToTake {
    std::optional<pmodel::Action> action;  // none: `problem` says why
    std::string problem;
};
[[nodiscard]] StepToTake step_to_take(const pmodel::World& world, const NamedStep& step);
// A step's action as traces write it ({"run": NAME}, {"deliver": [FROM, TO]}, ...).
[[nodiscard]] nlohmann::json action_json(const std::vector<std::string>& names,
                                         const pmodel::Action& action);
// True when nothing but a fault is enabled: a run may end here (and be judged on this state).
[[nodiscard]] bool ends_here(const pmodel::World& world);

// How a replayed run ends (one rule for replay and for `show`): a trace that ended
// "terminal", or "violation" with nothing violated on the way, is judged on its last state by
// the terminal checks, which must be all that is left to do; then the outcomes, the violation
// and its property are compared with the record.
struct RecordedEnd {
    bool as_recorded = false;
    std::string message;  // "reproduced ...", or what differs
};
[[nodiscard]] bool judged_at_end(const LoadedTrace& trace, const pmodel::World& world);
// Judges `world` (after the trace's last step) as replay does and compares it with the record.
[[nodiscard]] RecordedEnd end_as_recorded(const LoadedTrace& trace, pmodel::World& world);

struct ReplayResult {
    // 0 reproduced as recorded (its recorded violation too, if it has one); 1 diverged. A
    // script tells a reproduced violation from a clean run by the message (or the trace).
    int exit_code = 0;
    bool diverged = false;
    std::size_t divergent_step = 0;  // 1-based, when diverged
    std::string message;             // one line for the user
    std::vector<std::string> log;    // per step, for --verbose
};

// Replays a trace file. Malformed input throws pscenario::InputError (exit 2).
[[nodiscard]] ReplayResult replay_file(const std::string& path);
// The same, on a trace's text; `origin` names it in messages (the fuzz harness's entry).
[[nodiscard]] ReplayResult replay_text(const std::string& text, const std::string& origin);

}  // namespace ptrace
