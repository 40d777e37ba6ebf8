// Replay (contract §6): the recorded actions through the same World::apply, every fingerprint
// compared, then the ending (outcomes, violation) compared with the record.
#include <algorithm>

#include "pscenario/json_document.hpp"
#include "ptrace/trace.hpp"

namespace ptrace {

using nlohmann::json;

StepToTake step_to_take(const pmodel::World& world, const NamedStep& step) {
    StepToTake taken;
    const std::optional<pmodel::Action> action = resolve_step(world, step);
    if (!action) {
        taken.problem = step.kind == pmodel::ActionKind::deliver
                            ? "no link " + step.a + "->" + step.b
                            : "no component named " + step.a;
    } else if (!world.enabled(*action)) {
        taken.problem = "the recorded action is not enabled here";
    } else {
        taken.action = action;
    }
    return taken;
}

bool ends_here(const pmodel::World& world) {
    std::vector<pmodel::Action> enabled;
    world.enabled_actions(enabled);
    return !pmodel::any_live(enabled);
}

namespace {

std::vector<std::string> names_of(const pmodel::World& world) {
    std::vector<std::string> names;
    for (const pmodel::CompSlot& slot : world.comps()) names.push_back(slot.name);
    return names;
}

// The final state, one line per component and per link, for --verbose.
void log_final_state(const pmodel::World& world, std::vector<std::string>& log) {
    const std::vector<std::string> names = names_of(world);
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        const pmodel::CompSlot& slot = world.comps()[index];
        const pcore::CompId comp(index);
        std::string line = "state " + slot.name + ": " + pcore::mode_name(slot.state.mode) +
                           ", refcount " + std::to_string(world.refcount(comp)) +
                           (world.freed(comp) ? ", freed" : "") + ", holds handles on";
        for (const pcore::PeerLink& peer : slot.state.peers) {
            line += " " + names[peer.comp.value()] + "(" + std::to_string(peer.ports) + " ports)";
        }
        line += ", awaits";
        for (const pcore::ControlEntry& entry : slot.state.control) {
            line += std::string(" ") +
                    (entry.kind == pcore::ControlKind::close_port ? "close-ack" : "block-ack") +
                    " from " + names[entry.awaited_from.value()];
        }
        const pcore::RoundState& round = slot.state.round;
        if (round.active) {
            line += ", in round " + std::to_string(round.completed) + " led by " +
                    (round.highest.value() < names.size() ? names[round.highest.value()] : "?") +
                    (round.orphaned ? " (orphaned)" : "");
        }
        if (!round.combined.empty()) {
            line += ", holds parts of";
            for (const pcore::SolutionPart& part : round.combined) {
                line += " " + names[part.submitter.value()] + (part.failed ? "(failed)" : "") +
                        (part.holds_ref ? "(ref)" : "");
            }
        }
        if (slot.state.outcome.kind != pcore::OutcomeKind::running) {
            line += std::string(", ended ") + pcore::outcome_name(slot.state.outcome.kind);
        }
        log.push_back(line);
    }
    for (const pmodel::Link& link : world.links()) {
        std::string line = "link " + names[link.from.value()] + "->" + names[link.to.value()] + ":";
        for (const pcore::Message& message : link.queue)
            line += std::string(" ") + pcore::message_name(message);
        log.push_back(line);
    }
}

ReplayResult diverge(ReplayResult& result, std::size_t step, const std::string& why) {
    result.exit_code = 1;
    result.diverged = true;
    result.divergent_step = step;
    result.message = "diverged at step " + std::to_string(step) + ": " + why;
    return result;
}

// Every recorded step, in order; false (and the divergence in `result`) at the first that does
// not apply or lands elsewhere.
bool replay_steps(const LoadedTrace& trace, pmodel::World& world, ReplayResult& result) {
    for (std::size_t index = 0; index < trace.steps.size(); ++index) {
        const NamedStep& step = trace.steps[index];
        const StepToTake taken = step_to_take(world, step);
        if (!taken.action) {
            diverge(result, index + 1, taken.problem);
            return false;
        }
        const std::optional<pmodel::Action>& action = taken.action;
        const std::string label = world.describe(*action);
        world.apply(*action);
        const std::uint64_t fingerprint = world.fingerprint();
        std::string line = "[";
        line.append(std::to_string(index + 1)).append("] ").append(label).append("  ");
        line.append(hex64(fingerprint));
        result.log.push_back(std::move(line));
        if (fingerprint != step.fingerprint) {
            diverge(result, index + 1,
                    "state fingerprint " + hex64(fingerprint) + ", trace says " +
                        hex64(step.fingerprint) + " (after: " + label + ")");
            return false;
        }
    }
    return true;
}

// The run's ending against the record: outcomes, then the violation and its property.
RecordedEnd compare_ending(const LoadedTrace& trace, const pmodel::World& world) {
    const std::vector<std::string> names = names_of(world);
    json outcomes = json::object();
    for (std::size_t index = 0; index < world.comps().size(); ++index) {
        outcomes[names[index]] =
            outcome_json(*trace.scenario->compiled, names, world.comps()[index].state.outcome);
    }
    if (outcomes != trace.recorded_outcomes) {
        return {false, "outcomes differ: replay gives " + outcomes.dump() + ", trace says " +
                           trace.recorded_outcomes.dump()};
    }
    const bool violated = !world.violations().empty();
    if (violated != !trace.recorded_violation.is_null()) {
        return {false, violated ? "replay finds a violation the trace does not record"
                                : "the recorded violation does not happen"};
    }
    if (!violated) {
        return {true,
                "reproduced " + std::to_string(trace.steps.size()) + " steps; outcomes match"};
    }
    const json found = violation_json(names, world.violations().front());
    if (found["property"] != trace.recorded_property) {
        return {false, "replay violates " + found["property"].get<std::string>() +
                           ", the trace records " + trace.recorded_property};
    }
    return {true, "reproduced violation of " + found["property"].get<std::string>() +
                      " as recorded: " + found["detail"].get<std::string>()};
}

}  // namespace

bool judged_at_end(const LoadedTrace& trace, const pmodel::World& world) {
    return trace.end == "terminal" || (trace.end == "violation" && world.violations().empty());
}

RecordedEnd end_as_recorded(const LoadedTrace& trace, pmodel::World& world) {
    if (judged_at_end(trace, world)) {
        if (!ends_here(world)) return {false, "the trace ends here but actions are still enabled"};
        (void)world.check_terminal();
    }
    return compare_ending(trace, world);
}

ReplayResult replay_file(const std::string& path) {
    return replay_text(pscenario::read_file(path), path);
}

ReplayResult replay_text(const std::string& text, const std::string& path) {
    const LoadedTrace trace = load_trace(text, path);
    ReplayResult result;
    pmodel::World world(trace.scenario, trace.variants, trace.faults);
    if (!replay_steps(trace, world, result)) return result;
    const RecordedEnd ending = end_as_recorded(trace, world);
    log_final_state(world, result.log);
    if (!ending.as_recorded) return diverge(result, trace.steps.size(), ending.message);
    result.exit_code = 0;
    result.message = ending.message;
    return result;
}

}  // namespace ptrace
