#include "psim/simulator.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>

#include "psim/prng.hpp"

namespace psim {

namespace {

using pmodel::Action;
using pmodel::ActionKind;
using pmodel::CompId;

enum class EventKind : std::uint8_t { run, deliver };

struct Event {
    std::uint64_t time = 0;
    std::uint64_t seq = 0;
    EventKind kind = EventKind::run;
    CompId a;  // run: the component; deliver: the sender
    CompId b;  // deliver: the receiver
};

struct Later {
    bool operator()(const Event& x, const Event& y) const {
        return x.time != y.time ? x.time > y.time : x.seq > y.seq;
    }
};

// Drawn once per run from the seed: different runs stress different timings.
struct Timing {
    std::uint64_t latency_max;
    std::uint64_t jitter_max;
    std::uint64_t run_delay_max;
    std::uint64_t fault_odds = 0;  // 0: no faults
};

struct LinkTiming {
    std::uint64_t key = 0;  // (from << 32) | to
    std::uint64_t base = 0;
    std::uint64_t last = 0;
};

// The run's own budget and scheduler. Swarm draws come from a stream of their own, so a run
// without swarm draws exactly what it drew before swarm existed (its seed keeps its trace).
struct RunSetup {
    pmodel::FaultBudget faults;
    Scheduler scheduler = Scheduler::uniform;
};

RunSetup draw_setup(const SimOptions& options) {
    RunSetup setup{options.faults, options.scheduler.value_or(Scheduler::uniform)};
    if (!options.swarm) return setup;
    Prng swarm(options.seed ^ 0x5A4B3C2D1E0F9788ull);
    for (pcore::FaultKind kind : pmodel::fault_kinds) {
        const std::uint32_t most = options.faults.any() ? options.faults.of(kind) : 1;
        setup.faults.of(kind) = static_cast<std::uint32_t>(swarm.below(most + 1ull));
    }
    if (!options.scheduler) setup.scheduler = schedulers[swarm.below(std::size(schedulers))];
    return setup;
}

// PCT's state: priorities by component (0: not met yet), the change points, the step count.
struct PctState {
    std::vector<std::uint64_t> priority;
    std::vector<std::uint64_t> change_points;  // step numbers, ascending
    std::uint64_t steps = 0;
    std::uint64_t depth = 1;
};

}  // namespace

// What a run allocates, kept between runs (a campaign job runs millions): cleared, not freed.
struct Simulator::Buffers {
    std::vector<Event> queue;  // a heap ordered by Later
    std::vector<bool> run_scheduled;
    std::vector<LinkTiming> links;
    std::vector<pmodel::Action> scratch;
    std::vector<pmodel::Action> candidates;
    pmodel::ApplyResult applied;
    std::vector<std::uint64_t> priority;

    void clear() {
        queue.clear();
        run_scheduled.clear();
        links.clear();
        priority.clear();
    }
};

namespace {

class Simulation {
  public:
    Simulation(const std::shared_ptr<const pmodel::Scenario>& scenario,
               const pcore::Variants& variants,
               const SimOptions& options,
               const RunSetup& setup,
               Simulator::Buffers& buffers)
        : world_(scenario, variants, setup.faults),
          options_(options),
          setup_(setup),
          prng_(options.seed),
          queue_(buffers.queue),
          run_scheduled_(buffers.run_scheduled),
          links_(buffers.links),
          scratch_(buffers.scratch),
          candidates_(buffers.candidates),
          applied_(buffers.applied) {
        buffers.clear();
        pct_.priority.swap(buffers.priority);
        timing_.latency_max = prng_.between(1, 40);
        timing_.jitter_max = prng_.between(0, 20);
        timing_.run_delay_max = prng_.between(1, 10);
        // Faults: one chance in fault_odds per event (drawn per run), when a fault is possible.
        if (setup.faults.any()) timing_.fault_odds = prng_.between(2, 200);
        if (setup.scheduler == Scheduler::pct) {
            draw_pct();
        } else {
            run_scheduled_.assign(1, false);
            schedule_run_if_runnable(CompId(0));
        }
    }

    RunResult run() {
        RunResult result;
        result.seed = options_.seed;
        result.faults = setup_.faults;
        result.scheduler = setup_.scheduler;
        while (true) {
            if (result.steps >= options_.steps_max) {
                result.end = RunEnd::steps_exhausted;
                break;
            }
            Action action;
            const bool chosen =
                setup_.scheduler == Scheduler::pct ? choose_pct(action) : choose_timed(action);
            if (!chosen) break;
            if (!take(action, result)) {
                result.end = RunEnd::violation;
                break;
            }
        }
        finish(result);
        return result;
    }

    void return_buffers(Simulator::Buffers& buffers) { pct_.priority.swap(buffers.priority); }

  private:
    // Applies one step; false when a property failed.
    bool take(const Action& action, RunResult& result) {
        const std::size_t kind = step_kind(world_, action);
        if (options_.coverage != nullptr) ++options_.coverage->steps[kind];
        std::string label;
        if (options_.record) label = world_.describe(action);
        world_.apply(action, applied_);
        ++result.steps;
        if (options_.record || options_.trail) {
            const std::uint64_t fingerprint = world_.fingerprint();
            if (options_.trail) {
                std::uint64_t mixed = result.trail_hash ^ fingerprint;
                result.trail_hash = splitmix64(mixed);
            }
            if (options_.record) {
                result.trace.push_back(TraceStep{action, fingerprint, std::move(label)});
            }
        }
        if (setup_.scheduler != Scheduler::pct) {
            for (CompId comp : applied_.touched) schedule_run_if_runnable(comp);
            const auto& sent = applied_.sent;
            for (auto at = sent.begin(); at != sent.end(); ++at) {
                // Sends of this step on the same link after this one: this message sits that
                // many places from the back of the link's queue.
                const auto later = static_cast<std::size_t>(std::count(at + 1, sent.end(), *at));
                schedule_delivery(at->first, at->second, later);
            }
        }
        if (world_.violations().empty()) return true;
        result.violating_step_kind = kind;
        return false;
    }

    void finish(RunResult& result) {
        if (result.end == RunEnd::terminal) {
            result.deadlocks = world_.check_terminal();
            if (!world_.violations().empty()) result.end = RunEnd::violation;
        }
        result.violations = world_.violations();
        result.delivered = world_.delivered();
        result.virtual_time = now_;
        for (const pmodel::CompSlot& slot : world_.comps()) {
            result.outcomes.emplace_back(slot.name, slot.state.outcome);
        }
        // The final state's fingerprint: for traces, the determinism check and failing runs (a
        // campaign re-records those and compares); hashing every passing run's end costs.
        if (options_.fingerprint_end || options_.record || options_.trail ||
            !result.violations.empty() || !result.deadlocks.empty()) {
            result.final_fingerprint = world_.fingerprint();
        }
        result.fault_injected = world_.fault_injected();
    }

    // The timed schedulers: the next event that still applies, or a fault before it; when the
    // queue is empty, a fault or timeout; false when nothing can happen any more.
    bool choose_timed(Action& action) {
        while (true) {
            if (queue_.empty()) {
                // Quiescent: only an injected fault or (timeouts=on) a timeout can move on.
                return choose_extra(action, true);
            }
            if (timing_.fault_odds != 0 && prng_.below(timing_.fault_odds) == 0 &&
                choose_extra(action, false)) {
                return true;  // a fault strikes before the next event
            }
            if (world_.scenario().host_priority && choose_host_step(action)) return true;
            std::pop_heap(queue_.begin(), queue_.end(), Later{});
            const Event event = queue_.back();
            queue_.pop_back();
            now_ = event.time;
            if (event.kind == EventKind::run) {
                run_scheduled_[event.a.value()] = false;
                if (!world_.runnable(event.a)) continue;
                action = Action{ActionKind::run, event.a, {}, {}, 0};
                return true;
            }
            if (choose_delivery(event, action)) return true;
        }
    }

    // Scenario option host_priority: while the host can step, one of its steps (at random)
    // goes before every queued event; the events stay queued, and one whose step was taken
    // meanwhile finds nothing to do when it comes (an empty link, a component not runnable).
    // Once the host cannot step, the events run as without the option.
    bool choose_host_step(Action& action) {
        if (!world_.host_can_step()) return false;
        world_.enabled_actions(scratch_);
        candidates_.clear();
        std::copy_if(scratch_.begin(), scratch_.end(), std::back_inserter(candidates_),
                     pmodel::World::host_step);
        assert(!candidates_.empty());  // host_can_step: the world enables one of its steps
        action = candidates_[prng_.below(candidates_.size())];
        return true;
    }

    void draw_pct() {
        pct_.depth = prng_.between(1, 4);
        const std::uint64_t length = prng_.between(8, 256);
        for (std::uint64_t point = 1; point < pct_.depth; ++point) {
            pct_.change_points.push_back(prng_.between(1, length));
        }
        std::sort(pct_.change_points.begin(), pct_.change_points.end());
    }

    std::uint64_t& pct_priority(CompId comp) {
        if (comp.value() >= pct_.priority.size()) pct_.priority.resize(comp.value() + 1, 0);
        std::uint64_t& priority = pct_.priority[comp.value()];
        // Initial priorities sit above every change-point priority (1..depth-1).
        if (priority == 0) priority = pct_.depth + (prng_.next() >> 1);
        return priority;
    }

    // PCT: the highest-priority component's step (a random one of its steps when it has
    // several); faults strike as in the timed schedulers.
    bool choose_pct(Action& action) {
        world_.enabled_actions(scratch_);
        candidates_.clear();
        std::uint64_t best = 0;
        for (const Action& candidate : scratch_) {
            if (candidate.kind != ActionKind::run && candidate.kind != ActionKind::deliver)
                continue;
            const CompId actor = candidate.kind == ActionKind::run ? candidate.comp : candidate.to;
            const std::uint64_t priority = pct_priority(actor);
            if (priority > best) candidates_.clear();
            if (priority >= best) {
                best = priority;
                candidates_.push_back(candidate);
            }
        }
        if (candidates_.empty()) return choose_extra(action, true);
        if (timing_.fault_odds != 0 && prng_.below(timing_.fault_odds) == 0 &&
            choose_extra(action, false)) {
            return true;
        }
        action = candidates_[prng_.below(candidates_.size())];
        ++pct_.steps;
        const auto& points = pct_.change_points;
        const auto hit = std::count(points.begin(), points.end(), pct_.steps);
        if (hit > 0) {
            const CompId actor = action.kind == ActionKind::run ? action.comp : action.to;
            const auto rank = std::lower_bound(points.begin(), points.end(), pct_.steps);
            pct_priority(actor) = static_cast<std::uint64_t>(rank - points.begin()) + 1;
        }
        return true;
    }

    void push(Event event) {
        event.seq = next_seq_++;
        queue_.push_back(event);
        std::push_heap(queue_.begin(), queue_.end(), Later{});
    }

    void schedule_run_if_runnable(CompId comp) {
        if (comp.value() >= run_scheduled_.size()) run_scheduled_.resize(comp.value() + 1, false);
        if (run_scheduled_[comp.value()] || !world_.runnable(comp)) return;
        run_scheduled_[comp.value()] = true;
        push(Event{now_ + prng_.between(1, timing_.run_delay_max), 0, EventKind::run, comp, {}});
    }

    void schedule_delivery(CompId from, CompId to, std::size_t later) {
        const std::uint64_t key = (static_cast<std::uint64_t>(from.value()) << 32) | to.value();
        LinkTiming& link = link_timing(key);
        if (link.base == 0) link.base = prng_.between(1, timing_.latency_max);
        std::uint64_t due = now_ + link.base + prng_.between(0, timing_.jitter_max);
        if (setup_.scheduler == Scheduler::late_control) {
            const pmodel::Link* queued = world_.link(from, to);
            if (queued != nullptr && queued->queue.size() > later &&
                !std::holds_alternative<pcore::Data>(
                    queued->queue[queued->queue.size() - 1 - later])) {
                due += prng_.between(timing_.latency_max, 4 * timing_.latency_max);
            }
        }
        // Per-pair FIFO: never earlier than the link's previous message.
        link.last = std::max(link.last, due);
        push(Event{link.last, 0, EventKind::deliver, from, to});
    }

    // A run has few links: a linear search of a flat vector beats a hash map's allocations.
    LinkTiming& link_timing(std::uint64_t key) {
        for (LinkTiming& link : links_) {
            if (link.key == key) return link;
        }
        links_.push_back(LinkTiming{key, 0, 0});
        return links_.back();
    }

    // A fault (any time) or a timeout (only when nothing else can happen), chosen uniformly
    // among those the world enables. In a quiescent state a remaining fault is injected with
    // probability 1/2, so runs also end without using their budget.
    bool choose_extra(Action& action, bool quiescent) {
        world_.enabled_actions(scratch_);
        std::vector<Action> faults;
        std::vector<Action> timeouts;
        for (const Action& candidate : scratch_) {
            if (candidate.kind == ActionKind::fault) faults.push_back(candidate);
            if (candidate.kind == ActionKind::timeout) timeouts.push_back(candidate);
        }
        if (!faults.empty() && (!quiescent || prng_.chance(1, 2))) {
            action = faults[prng_.below(faults.size())];
            return true;
        }
        if (quiescent && !timeouts.empty()) {
            action = timeouts[prng_.below(timeouts.size())];
            return true;
        }
        return false;
    }

    // With FIFO links the event delivers the head; with weaker network variants it picks one of
    // the messages the variant allows, at random.
    bool choose_delivery(const Event& event, Action& action) {
        const pmodel::Link* link = world_.link(event.a, event.b);
        if (link == nullptr || link->queue.empty()) return false;  // dropped with a freed target
        action = Action{ActionKind::deliver, {}, event.a, event.b, 0};
        if (!world_.enabled(action)) {
            // A component its creator has not scheduled yet takes the message later; one stuck
            // in its failure handler never will.
            if (world_.comps()[event.b.value()].state.mode == pcore::Mode::waiting_for_creator) {
                push(Event{now_ + 1, 0, EventKind::deliver, event.a, event.b});  // try later
            }
            return false;
        }
        if (world_.variants().network != pcore::NetworkOrder::fifo_pair && link->queue.size() > 1) {
            std::vector<std::uint32_t> choices;
            for (std::uint32_t index = 0; index < link->queue.size(); ++index) {
                Action candidate{ActionKind::deliver, {}, event.a, event.b, index};
                if (world_.enabled(candidate)) choices.push_back(index);
            }
            action.index = choices[prng_.below(choices.size())];
        }
        return true;
    }

    pmodel::World world_;
    SimOptions options_;
    RunSetup setup_;
    Prng prng_;
    Timing timing_{};
    std::uint64_t now_ = 0;
    std::uint64_t next_seq_ = 0;
    std::vector<Event>& queue_;  // a heap ordered by Later
    std::vector<bool>& run_scheduled_;
    std::vector<LinkTiming>& links_;  // searched by key; its order never reaches output
    std::vector<Action>& scratch_;
    std::vector<Action>& candidates_;
    pmodel::ApplyResult& applied_;
    PctState pct_;
};

}  // namespace

const char* scheduler_name(Scheduler scheduler) {
    switch (scheduler) {
        case Scheduler::uniform:
            return "uniform";
        case Scheduler::pct:
            return "pct";
        case Scheduler::late_control:
            return "late-control";
    }
    return "?";
}

std::optional<Scheduler> parse_scheduler(const std::string& name) {
    for (Scheduler scheduler : schedulers) {
        if (name == scheduler_name(scheduler)) return scheduler;
    }
    return std::nullopt;
}

std::string violation_signature(const RunResult& run) {
    return run.violating_step_kind ? step_kind_name(*run.violating_step_kind) : "terminal";
}

Simulator::Simulator() : buffers_(std::make_unique<Buffers>()) {}
Simulator::~Simulator() = default;

RunResult Simulator::run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                         const pcore::Variants& variants,
                         const SimOptions& options) {
    const RunSetup setup = draw_setup(options);
    Simulation simulation(scenario, variants, options, setup, *buffers_);
    RunResult result = simulation.run();
    simulation.return_buffers(*buffers_);
    return result;
}

RunResult simulate_run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                       const pcore::Variants& variants,
                       const SimOptions& options) {
    Simulator simulator;
    return simulator.run(scenario, variants, options);
}

}  // namespace psim
