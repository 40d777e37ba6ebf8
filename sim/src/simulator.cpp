#include "psim/simulator.hpp"

#include <queue>
#include <unordered_map>

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

// Drawn once per run from the seed (swarm testing): different runs stress different timings.
struct Timing {
    std::uint64_t latency_max;
    std::uint64_t jitter_max;
    std::uint64_t run_delay_max;
    std::uint64_t fault_odds = 0;  // 0: no faults
};

struct LinkTiming {
    std::uint64_t base = 0;
    std::uint64_t last = 0;
};

class Simulation {
  public:
    Simulation(const std::shared_ptr<const pmodel::Scenario>& scenario,
               const pcore::Variants& variants,
               const SimOptions& options)
        : world_(scenario, variants, options.faults), options_(options), prng_(options.seed) {
        timing_.latency_max = prng_.between(1, 40);
        timing_.jitter_max = prng_.between(0, 20);
        timing_.run_delay_max = prng_.between(1, 10);
        // Faults: one chance in fault_odds per event (swarm-drawn), when a fault is possible.
        if (options.faults.any()) timing_.fault_odds = prng_.between(2, 200);
        run_scheduled_.assign(1, false);
        schedule_run_if_runnable(CompId(0));
    }

    RunResult run() {
        RunResult result;
        result.seed = options_.seed;
        while (true) {
            if (result.steps >= options_.steps_max) {
                result.end = RunEnd::steps_exhausted;
                break;
            }
            Action action;
            if (queue_.empty()) {
                // Quiescent: only an injected fault or (timeouts=on) a timeout can move on.
                if (!choose_extra(action, true)) break;
            } else if (timing_.fault_odds != 0 && prng_.below(timing_.fault_odds) == 0 &&
                       choose_extra(action, false)) {
                // a fault strikes before the next event
            } else {
                const Event event = queue_.top();
                queue_.pop();
                now_ = event.time;
                if (event.kind == EventKind::run) {
                    run_scheduled_[event.a.value()] = false;
                    if (!world_.runnable(event.a)) continue;
                    action = Action{ActionKind::run, event.a, {}, {}, 0};
                } else {
                    if (!choose_delivery(event, action)) continue;
                }
            }
            std::string label;
            if (options_.record) label = world_.describe(action);
            const pmodel::ApplyResult applied = world_.apply(action);
            ++result.steps;
            if (options_.record) {
                result.trace.push_back(TraceStep{action, world_.fingerprint(), std::move(label)});
            }
            for (CompId comp : applied.touched) schedule_run_if_runnable(comp);
            for (const auto& sent : applied.sent) schedule_delivery(sent.first, sent.second);
            if (!world_.violations().empty()) {
                result.end = RunEnd::violation;
                break;
            }
        }
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
        result.final_fingerprint = world_.fingerprint();
        result.fault_injected = world_.fault_injected();
        return result;
    }

  private:
    void push(Event event) {
        event.seq = next_seq_++;
        queue_.push(event);
    }

    void schedule_run_if_runnable(CompId comp) {
        if (comp.value() >= run_scheduled_.size()) run_scheduled_.resize(comp.value() + 1, false);
        if (run_scheduled_[comp.value()] || !world_.runnable(comp)) return;
        run_scheduled_[comp.value()] = true;
        push(Event{now_ + prng_.between(1, timing_.run_delay_max), 0, EventKind::run, comp, {}});
    }

    void schedule_delivery(CompId from, CompId to) {
        const std::uint64_t key = (static_cast<std::uint64_t>(from.value()) << 32) | to.value();
        LinkTiming& link = links_[key];
        if (link.base == 0) link.base = prng_.between(1, timing_.latency_max);
        const std::uint64_t due = now_ + link.base + prng_.between(0, timing_.jitter_max);
        // Per-pair FIFO: never earlier than the link's previous message.
        link.last = std::max(link.last, due);
        push(Event{link.last, 0, EventKind::deliver, from, to});
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
    Prng prng_;
    Timing timing_{};
    std::uint64_t now_ = 0;
    std::uint64_t next_seq_ = 0;
    std::priority_queue<Event, std::vector<Event>, Later> queue_;
    std::vector<bool> run_scheduled_;
    std::unordered_map<std::uint64_t, LinkTiming> links_;  // looked up, never iterated
    std::vector<Action> scratch_;
};

}  // namespace

RunResult simulate_run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                       const pcore::Variants& variants,
                       const SimOptions& options) {
    Simulation simulation(scenario, variants, options);
    return simulation.run();
}

}  // namespace psim
