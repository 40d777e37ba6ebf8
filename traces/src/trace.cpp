#include "ptrace/trace.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "pmodel/variant_names.hpp"
#include "pscenario/json_document.hpp"
#include "pscenario/limits.hpp"
#include "pscenario/loader.hpp"

namespace ptrace {

using nlohmann::json;
using pscenario::InputError;

std::string hex64(std::uint64_t value) {
    char buffer[19];
    std::snprintf(buffer, sizeof buffer, "0x%016llx", static_cast<unsigned long long>(value));
    return buffer;
}

json outcome_json(const pcore::CompiledScenario& compiled,
                  const std::vector<std::string>& names,
                  const pcore::Outcome& outcome) {
    auto name = [&](pcore::CompId comp) {
        return comp.valid() && comp.value() < names.size() ? names[comp.value()]
                                                           : pcore::unnamed_component(comp);
    };
    json result = {{"outcome", pcore::outcome_name(outcome.kind)}};
    if (outcome.kind == pcore::OutcomeKind::cancelled) {
        result["canceller"] =
            outcome.error.origin.valid() ? name(outcome.error.origin) : pcore::os_canceller_name;
        result["layer"] = pcore::layer_name(outcome.error.layer);
        json relay = json::array();
        for (pcore::CompId hop : outcome.error.relay) relay.push_back(name(hop));
        result["relay"] = relay;
        result["in_sync"] = outcome.in_sync;
    }
    if (outcome.kind == pcore::OutcomeKind::failed) {
        result["error"] = compiled.error_name(outcome.error.type);
        result["origin"] = name(outcome.error.origin);
        json relay = json::array();
        for (pcore::CompId hop : outcome.error.relay) relay.push_back(name(hop));
        result["relay"] = relay;
        result["remote"] = outcome.remote;
        result["in_sync"] = outcome.in_sync;
    }
    return result;
}

json outcomes_json(const pcore::CompiledScenario& compiled, const psim::RunResult& run) {
    std::vector<std::string> names;
    for (const auto& entry : run.outcomes) names.push_back(entry.first);
    json result = json::object();
    for (const auto& entry : run.outcomes) {
        result[entry.first] = outcome_json(compiled, names, entry.second);
    }
    return result;
}

json faults_json(const FaultBudget& faults) {
    json result = json::object();
    for (pcore::FaultKind kind : pmodel::fault_kinds)
        result[pmodel::fault_name(kind)] = faults.of(kind);
    return result;
}

json variants_json(const pcore::Variants& variants) {
    json result = json::object();
    for (const pmodel::VariantInfo& info : pmodel::variant_catalogue()) {
        result[std::string(info.key)] = std::string(pmodel::variant_value(variants, info.key));
    }
    return result;
}

json violation_json(const std::vector<std::string>& names, const pmodel::Violation& violation) {
    json components = json::array();
    for (pcore::CompId comp : violation.comps) {
        components.push_back(comp.value() < names.size() ? names[comp.value()]
                                                         : pcore::unnamed_component(comp));
    }
    return {
        {"property", violation.property}, {"components", components}, {"detail", violation.detail}};
}

namespace {

json action_json(const std::vector<std::string>& names, const pmodel::Action& action) {
    auto name = [&](pcore::CompId comp) { return names.at(comp.value()); };
    if (action.kind == pmodel::ActionKind::run) return {{"run", name(action.comp)}};
    if (action.kind == pmodel::ActionKind::timeout) return {{"timeout", name(action.comp)}};
    if (action.kind == pmodel::ActionKind::fault) {
        return {
            {"fault", json::array({pmodel::fault_name(static_cast<pcore::FaultKind>(action.index)),
                                   name(action.comp)})}};
    }
    json result = {{"deliver", json::array({name(action.from), name(action.to)})}};
    if (action.index != 0) result["index"] = action.index;
    return result;
}

const char* end_name(psim::RunEnd end) {
    switch (end) {
        case psim::RunEnd::terminal:
            return "terminal";
        case psim::RunEnd::violation:
            return "violation";
        case psim::RunEnd::steps_exhausted:
            return "steps_exhausted";
    }
    return "?";
}

}  // namespace

json make_trace(const pmodel::Scenario& scenario,
                const pcore::Variants& variants,
                const FaultBudget& faults,
                std::optional<std::uint64_t> seed,
                const std::string& source,
                const psim::RunResult& run,
                const std::string& tool_version) {
    std::vector<std::string> names;
    for (const auto& entry : run.outcomes) names.push_back(entry.first);
    json steps = json::array();
    for (const psim::TraceStep& step : run.trace) {
        steps.push_back({{"action", action_json(names, step.action)},
                         {"fingerprint", hex64(step.fingerprint)},
                         {"label", step.label}});
    }
    json trace = {
        {"format", trace_format},
        {"tool_version", tool_version},
        {"source", source},
        {"scenario_file", scenario.path},
        {"scenario", json::parse(scenario.source_text)},
        {"variants", variants_json(variants)},
        {"faults", faults_json(faults)},
        {"seed", seed ? json(*seed) : json(nullptr)},
        {"steps", steps},
        {"end", end_name(run.end)},
        {"outcomes", outcomes_json(*scenario.compiled, run)},
        {"violation",
         run.violations.empty() ? json(nullptr) : violation_json(names, run.violations.front())},
    };
    json deadlocks = json::array();
    for (const pmodel::AppDeadlock& deadlock : run.deadlocks) {
        json cycle = json::array();
        for (pcore::CompId comp : deadlock.cycle) cycle.push_back(names.at(comp.value()));
        deadlocks.push_back({{"cycle", cycle}, {"detail", deadlock.detail}});
    }
    trace["application_deadlocks"] = deadlocks;
    return trace;
}

void write_json_atomic(const std::string& path, const json& document) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw InputError(path, "$", "cannot open the file for writing");
        out << document.dump(1) << '\n';
        out.flush();
        if (!out) throw InputError(path, "$", "cannot write the file");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error)
        throw InputError(path, "$", "cannot move the finished file into place: " + error.message());
}

namespace {

class TraceReader {
  public:
    explicit TraceReader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(file_, path, message);
    }

    const json& field(const json& object, const std::string& path, const char* key) const {
        if (!object.is_object()) fail(path, "expected an object");
        if (!object.contains(key)) fail(path, std::string("missing required key \"") + key + "\"");
        return object[key];
    }

    std::string text(const json& value, const std::string& path) const {
        if (!value.is_string()) fail(path, "expected a string");
        return value.get<std::string>();
    }

    std::uint64_t fingerprint(const json& value, const std::string& path) const {
        const std::string hex = text(value, path);
        if (hex.size() != 18 || hex.rfind("0x", 0) != 0 ||
            hex.find_first_not_of("0123456789abcdef", 2) != std::string::npos) {
            fail(path, "expected a fingerprint like \"0x0123456789abcdef\", found \"" + hex + "\"");
        }
        return std::stoull(hex.substr(2), nullptr, 16);
    }

    void check_keys(const json& object,
                    const std::string& path,
                    std::initializer_list<const char*> allowed) const {
        pscenario::check_known_keys(object, file_, path, allowed);
    }

  private:
    std::string file_;
};

}  // namespace

ReplayResult replay_file(const std::string& path) {
    return replay_text(pscenario::read_file(path), path);
}

ReplayResult replay_text(const std::string& text, const std::string& path) {
    const json trace =
        pscenario::parse_document(text, path, "$", pscenario::limits::trace_json_values);
    TraceReader reader(path);
    if (!trace.is_object()) reader.fail("$", "expected a trace object");
    const std::string format = reader.text(reader.field(trace, "$", "format"), "$.format");
    if (format.rfind("protocheck-scenario/", 0) == 0) {
        reader.fail("$.format", "this file is a scenario (\"" + format +
                                    "\"), not a trace: check or simulate it, or give a trace");
    }
    if (format != trace_format) {
        if (format.rfind("protocheck-trace/", 0) == 0) {
            reader.fail("$.format", "unsupported trace version \"" + format +
                                        "\"; this protocheck reads \"" + trace_format + "\"");
        }
        reader.fail("$.format",
                    std::string("expected \"") + trace_format + "\", found \"" + format + "\"");
    }
    reader.check_keys(
        trace, "$",
        {"format", "tool_version", "source", "scenario_file", "scenario", "variants", "faults",
         "seed", "steps", "end", "outcomes", "violation", "application_deadlocks"});
    const json& embedded = reader.field(trace, "$", "scenario");
    if (!embedded.is_object()) reader.fail("$.scenario", "expected the embedded scenario object");
    const auto scenario = pscenario::load_scenario_text(embedded.dump(), path, "$.scenario");

    pcore::Variants variants;
    const json& recorded_variants = reader.field(trace, "$", "variants");
    if (!recorded_variants.is_object()) reader.fail("$.variants", "expected an object");
    for (auto it = recorded_variants.begin(); it != recorded_variants.end(); ++it) {
        const std::string item = "$.variants." + it.key();
        const std::string value = reader.text(it.value(), item);
        if (auto problem = pmodel::set_variant(variants, it.key() + "=" + value)) {
            reader.fail(item, *problem);
        }
    }
    const json& faults = reader.field(trace, "$", "faults");
    FaultBudget budget;
    for (pcore::FaultKind kind : pmodel::fault_kinds) {
        const char* name = pmodel::fault_name(kind);
        const std::string item = std::string("$.faults.") + name;
        const json& count = reader.field(faults, "$.faults", name);
        if (!count.is_number_unsigned() || count.get<std::uint64_t>() > 1000) {
            reader.fail(item, "expected a count from 0 to 1000");
        }
        budget.of(kind) = count.get<std::uint32_t>();
    }
    const json& steps = reader.field(trace, "$", "steps");
    if (!steps.is_array()) reader.fail("$.steps", "expected an array");
    if (steps.size() > pscenario::limits::trace_steps) {
        reader.fail("$.steps", "expected at most " +
                                   std::to_string(pscenario::limits::trace_steps) +
                                   " steps (pscenario::limits::trace_steps)");
    }
    const std::string end = reader.text(reader.field(trace, "$", "end"), "$.end");
    if (end != "terminal" && end != "violation" && end != "steps_exhausted") {
        reader.fail("$.end", "expected \"terminal\", \"violation\" or \"steps_exhausted\"");
    }
    const json& recorded_violation = reader.field(trace, "$", "violation");
    if (!recorded_violation.is_null() && !recorded_violation.is_object()) {
        reader.fail("$.violation", "expected null or an object");
    }
    const std::string recorded_property =
        recorded_violation.is_null()
            ? std::string()
            : reader.text(reader.field(recorded_violation, "$.violation", "property"),
                          "$.violation.property");
    const json& recorded_outcomes = reader.field(trace, "$", "outcomes");
    if (!recorded_outcomes.is_object()) reader.fail("$.outcomes", "expected an object");

    // Parse every step before running, so that a malformed file is exit 2, not a divergence.
    struct ParsedStep {
        pmodel::ActionKind kind = pmodel::ActionKind::run;
        bool run = true;
        std::string a;
        std::string b;
        std::uint32_t index = 0;
        std::uint64_t fingerprint = 0;
    };
    std::vector<ParsedStep> parsed;
    for (std::size_t index = 0; index < steps.size(); ++index) {
        const std::string item = "$.steps[" + std::to_string(index) + "]";
        const json& action = reader.field(steps[index], item, "action");
        reader.check_keys(steps[index], item, {"action", "fingerprint", "label"});
        if (action.is_object()) {
            reader.check_keys(action, item + ".action",
                              {"run", "deliver", "index", "timeout", "fault"});
        }
        ParsedStep step;
        if (action.is_object() && action.contains("run")) {
            step.a = reader.text(action["run"], item + ".action.run");
        } else if (action.is_object() && action.contains("deliver")) {
            const json& pair = action["deliver"];
            if (!pair.is_array() || pair.size() != 2) {
                reader.fail(item + ".action.deliver", "expected [FROM, TO]");
            }
            step.run = false;
            step.kind = pmodel::ActionKind::deliver;
            step.a = reader.text(pair[0], item + ".action.deliver[0]");
            step.b = reader.text(pair[1], item + ".action.deliver[1]");
            if (action.contains("index")) {
                if (!action["index"].is_number_unsigned() ||
                    action["index"].get<std::uint64_t>() > UINT32_MAX) {
                    reader.fail(item + ".action.index",
                                "expected a position in the link (0 to 4294967295)");
                }
                step.index = action["index"].get<std::uint32_t>();
            }
        } else if (action.is_object() && action.contains("timeout")) {
            step.run = false;
            step.kind = pmodel::ActionKind::timeout;
            step.a = reader.text(action["timeout"], item + ".action.timeout");
        } else if (action.is_object() && action.contains("fault")) {
            const json& pair = action["fault"];
            if (!pair.is_array() || pair.size() != 2) {
                reader.fail(item + ".action.fault", "expected [KIND, COMPONENT]");
            }
            step.run = false;
            step.kind = pmodel::ActionKind::fault;
            const std::string kind = reader.text(pair[0], item + ".action.fault[0]");
            const auto* known = std::find_if(
                std::begin(pmodel::fault_kinds), std::end(pmodel::fault_kinds),
                [&](pcore::FaultKind candidate) { return kind == pmodel::fault_name(candidate); });
            if (known != std::end(pmodel::fault_kinds)) {
                step.index = static_cast<std::uint32_t>(known - std::begin(pmodel::fault_kinds));
            } else {
                reader.fail(item + ".action.fault[0]",
                            "expected \"crash\", \"cancel\" or \"signal\", found \"" + kind + "\"");
            }
            step.a = reader.text(pair[1], item + ".action.fault[1]");
        } else {
            reader.fail(item + ".action",
                        "expected {\"run\": NAME}, {\"deliver\": [FROM, TO]}, "
                        "{\"fault\": [KIND, NAME]} or {\"timeout\": NAME}");
        }
        step.fingerprint = reader.fingerprint(reader.field(steps[index], item, "fingerprint"),
                                              item + ".fingerprint");
        parsed.push_back(std::move(step));
    }

    ReplayResult result;
    pmodel::World world(scenario, variants, budget);
    auto diverge = [&](std::size_t step, const std::string& why) {
        result.exit_code = 1;
        result.diverged = true;
        result.divergent_step = step;
        result.message = "diverged at step " + std::to_string(step) + ": " + why;
        return result;
    };
    for (std::size_t index = 0; index < parsed.size(); ++index) {
        const ParsedStep& step = parsed[index];
        pmodel::Action action;
        if (step.kind != pmodel::ActionKind::deliver) {
            action.kind = step.kind;
            action.comp = world.find_by_name(step.a);
            action.index = step.kind == pmodel::ActionKind::fault ? step.index : 0;
            if (!action.comp.valid()) return diverge(index + 1, "no component named " + step.a);
        } else {
            action.kind = pmodel::ActionKind::deliver;
            action.from = world.find_by_name(step.a);
            action.to = world.find_by_name(step.b);
            action.index = step.index;
            if (!action.from.valid() || !action.to.valid()) {
                return diverge(index + 1, "no link " + step.a + "->" + step.b);
            }
        }
        if (!world.enabled(action)) {
            return diverge(index + 1, "the recorded action is not enabled here");
        }
        const std::string label = world.describe(action);
        world.apply(action);
        const std::uint64_t fingerprint = world.fingerprint();
        result.log.push_back("[" + std::to_string(index + 1) + "] " + label + "  " +
                             hex64(fingerprint));
        if (fingerprint != step.fingerprint) {
            return diverge(index + 1, "state fingerprint " + hex64(fingerprint) + ", trace says " +
                                          hex64(step.fingerprint) + " (after: " + label + ")");
        }
    }
    if (end == "terminal" || (end == "violation" && world.violations().empty())) {
        std::vector<pmodel::Action> enabled;
        world.enabled_actions(enabled);
        // A run may end with its fault budget unused: faults alone do not make a state live.
        const bool live = std::any_of(enabled.begin(), enabled.end(), [](const auto& action) {
            return action.kind != pmodel::ActionKind::fault;
        });
        if (live) {
            return diverge(parsed.size(), "the trace ends here but actions are still enabled");
        }
        (void)world.check_terminal();
    }
    std::vector<std::string> names;
    for (const pmodel::CompSlot& slot : world.comps()) names.push_back(slot.name);
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
        result.log.push_back(line);
    }
    for (const pmodel::Link& link : world.links()) {
        std::string line = "link " + names[link.from.value()] + "->" + names[link.to.value()] + ":";
        for (const pcore::Message& message : link.queue)
            line += std::string(" ") + pcore::message_name(message);
        result.log.push_back(line);
    }
    json outcomes = json::object();
    for (std::size_t index = 0; index < world.comps().size(); ++index) {
        outcomes[names[index]] =
            outcome_json(*scenario->compiled, names, world.comps()[index].state.outcome);
    }
    if (outcomes != recorded_outcomes) {
        return diverge(parsed.size(), "outcomes differ: replay gives " + outcomes.dump() +
                                          ", trace says " + recorded_outcomes.dump());
    }
    const bool violated = !world.violations().empty();
    if (violated != !recorded_violation.is_null()) {
        return diverge(parsed.size(), violated
                                          ? "replay finds a violation the trace does not record"
                                          : "the recorded violation does not happen");
    }
    if (violated) {
        const json found = violation_json(names, world.violations().front());
        if (found["property"] != recorded_property) {
            return diverge(parsed.size(), "replay violates " +
                                              found["property"].get<std::string>() +
                                              ", the trace records " + recorded_property);
        }
        result.exit_code = 0;
        result.message = "reproduced violation of " + found["property"].get<std::string>() +
                         " as recorded: " + found["detail"].get<std::string>();
        return result;
    }
    result.exit_code = 0;
    result.message = "reproduced " + std::to_string(parsed.size()) + " steps; outcomes match";
    return result;
}

}  // namespace ptrace
