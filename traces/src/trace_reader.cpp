// Reading a trace file: every field checked, every step parsed, before anything runs (a
// malformed file is exit 2, never a divergence).
#include <algorithm>

#include "pmodel/variant_names.hpp"
#include "pscenario/json_document.hpp"
#include "pscenario/limits.hpp"
#include "pscenario/loader.hpp"
#include "ptrace/trace.hpp"

namespace ptrace {

using nlohmann::json;
using pscenario::InputError;

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

void read_format(const TraceReader& reader, const json& trace) {
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
    reader.check_keys(trace, "$",
                      {"format", "tool_version", "source", "scenario_file", "scenario", "variants",
                       "faults", "seed", "steps", "end", "outcomes", "violation",
                       "application_deadlocks", "scheduler", "shrunk"});
}

// The design the trace ran: variants, fault budget, scheduler.
void read_setup(const TraceReader& reader, const json& trace, LoadedTrace& loaded) {
    const json& recorded_variants = reader.field(trace, "$", "variants");
    if (!recorded_variants.is_object()) reader.fail("$.variants", "expected an object");
    for (auto it = recorded_variants.begin(); it != recorded_variants.end(); ++it) {
        const std::string item = "$.variants." + it.key();
        const std::string value = reader.text(it.value(), item);
        if (auto problem = pmodel::set_variant(loaded.variants, it.key() + "=" + value)) {
            reader.fail(item, *problem);
        }
    }
    const json& faults = reader.field(trace, "$", "faults");
    for (pcore::FaultKind kind : pmodel::fault_kinds) {
        const char* name = pmodel::fault_name(kind);
        const std::string item = std::string("$.faults.") + name;
        const json& count = reader.field(faults, "$.faults", name);
        if (!count.is_number_unsigned() || count.get<std::uint64_t>() > 1000) {
            reader.fail(item, "expected a count from 0 to 1000");
        }
        loaded.faults.of(kind) = count.get<std::uint32_t>();
    }
    if (trace.contains("scheduler")) {
        const std::string name = reader.text(trace["scheduler"], "$.scheduler");
        if (!psim::parse_scheduler(name)) {
            reader.fail("$.scheduler", "expected \"uniform\", \"pct\" or \"late-control\"");
        }
        loaded.scheduler = name;
    }
    if (trace.contains("seed") && trace["seed"].is_number_unsigned()) {
        loaded.seed = trace["seed"].get<std::uint64_t>();
    }
    if (trace.contains("source") && trace["source"].is_string()) {
        loaded.source = trace["source"].get<std::string>();
    }
}

// A trace's ending: how the run ended, its outcomes, its violation.
void read_ending(const TraceReader& reader, const json& trace, LoadedTrace& loaded) {
    loaded.end = reader.text(reader.field(trace, "$", "end"), "$.end");
    if (loaded.end != "terminal" && loaded.end != "violation" && loaded.end != "steps_exhausted") {
        reader.fail("$.end", "expected \"terminal\", \"violation\" or \"steps_exhausted\"");
    }
    loaded.recorded_violation = reader.field(trace, "$", "violation");
    if (!loaded.recorded_violation.is_null() && !loaded.recorded_violation.is_object()) {
        reader.fail("$.violation", "expected null or an object");
    }
    if (!loaded.recorded_violation.is_null()) {
        loaded.recorded_property =
            reader.text(reader.field(loaded.recorded_violation, "$.violation", "property"),
                        "$.violation.property");
    }
    loaded.recorded_outcomes = reader.field(trace, "$", "outcomes");
    if (!loaded.recorded_outcomes.is_object()) reader.fail("$.outcomes", "expected an object");
}

std::uint32_t fault_index(const TraceReader& reader,
                          const std::string& kind,
                          const std::string& at) {
    const auto* known = std::find_if(
        std::begin(pmodel::fault_kinds), std::end(pmodel::fault_kinds),
        [&](pcore::FaultKind candidate) { return kind == pmodel::fault_name(candidate); });
    if (known == std::end(pmodel::fault_kinds)) {
        reader.fail(at, "expected \"crash\", \"cancel\" or \"signal\", found \"" + kind + "\"");
    }
    return static_cast<std::uint32_t>(known - std::begin(pmodel::fault_kinds));
}

NamedStep read_step(const TraceReader& reader, const json& entry, const std::string& item) {
    const json& action = reader.field(entry, item, "action");
    reader.check_keys(entry, item, {"action", "fingerprint", "label"});
    if (action.is_object()) {
        reader.check_keys(action, item + ".action",
                          {"run", "deliver", "index", "timeout", "fault"});
    }
    NamedStep step;
    auto pair = [&](const char* key, const char* shape) -> const json& {
        const json& value = action[key];
        if (!value.is_array() || value.size() != 2) {
            reader.fail(item + ".action." + key, std::string("expected ") + shape);
        }
        return value;
    };
    if (action.is_object() && action.contains("run")) {
        step.a = reader.text(action["run"], item + ".action.run");
    } else if (action.is_object() && action.contains("deliver")) {
        const json& ends = pair("deliver", "[FROM, TO]");
        step.kind = pmodel::ActionKind::deliver;
        step.a = reader.text(ends[0], item + ".action.deliver[0]");
        step.b = reader.text(ends[1], item + ".action.deliver[1]");
        if (action.contains("index")) {
            if (!action["index"].is_number_unsigned() ||
                action["index"].get<std::uint64_t>() > UINT32_MAX) {
                reader.fail(item + ".action.index",
                            "expected a position in the link (0 to 4294967295)");
            }
            step.index = action["index"].get<std::uint32_t>();
        }
    } else if (action.is_object() && action.contains("timeout")) {
        step.kind = pmodel::ActionKind::timeout;
        step.a = reader.text(action["timeout"], item + ".action.timeout");
    } else if (action.is_object() && action.contains("fault")) {
        const json& fault = pair("fault", "[KIND, COMPONENT]");
        step.kind = pmodel::ActionKind::fault;
        step.index = fault_index(reader, reader.text(fault[0], item + ".action.fault[0]"),
                                 item + ".action.fault[0]");
        step.a = reader.text(fault[1], item + ".action.fault[1]");
    } else {
        reader.fail(item + ".action",
                    "expected {\"run\": NAME}, {\"deliver\": [FROM, TO]}, "
                    "{\"fault\": [KIND, NAME]} or {\"timeout\": NAME}");
    }
    step.fingerprint =
        reader.fingerprint(reader.field(entry, item, "fingerprint"), item + ".fingerprint");
    return step;
}

}  // namespace

LoadedTrace load_trace(const std::string& text, const std::string& origin) {
    const json trace =
        pscenario::parse_document(text, origin, "$", pscenario::limits::trace_json_values);
    return load_trace_json(trace, origin);
}

LoadedTrace load_trace_json(const json& trace, const std::string& origin) {
    TraceReader reader(origin);
    read_format(reader, trace);
    LoadedTrace loaded;
    loaded.origin = origin;
    const json& embedded = reader.field(trace, "$", "scenario");
    if (!embedded.is_object()) reader.fail("$.scenario", "expected the embedded scenario object");
    loaded.scenario = pscenario::load_scenario_text(embedded.dump(), origin, "$.scenario");
    read_setup(reader, trace, loaded);
    const json& steps = reader.field(trace, "$", "steps");
    if (!steps.is_array()) reader.fail("$.steps", "expected an array");
    if (steps.size() > pscenario::limits::trace_steps) {
        reader.fail("$.steps", "expected at most " +
                                   std::to_string(pscenario::limits::trace_steps) +
                                   " steps (pscenario::limits::trace_steps)");
    }
    read_ending(reader, trace, loaded);
    loaded.steps.reserve(steps.size());
    for (std::size_t index = 0; index < steps.size(); ++index) {
        loaded.steps.push_back(
            read_step(reader, steps[index], "$.steps[" + std::to_string(index) + "]"));
    }
    return loaded;
}

std::optional<pmodel::Action> resolve_step(const pmodel::World& world, const NamedStep& step) {
    pmodel::Action action;
    action.kind = step.kind;
    if (step.kind != pmodel::ActionKind::deliver) {
        action.comp = world.find_by_name(step.a);
        action.index = step.kind == pmodel::ActionKind::fault ? step.index : 0;
        if (!action.comp.valid()) return std::nullopt;
        return action;
    }
    action.from = world.find_by_name(step.a);
    action.to = world.find_by_name(step.b);
    action.index = step.index;
    if (!action.from.valid() || !action.to.valid()) return std::nullopt;
    return action;
}

NamedStep name_step(const pmodel::World& world, const pmodel::Action& action) {
    NamedStep step;
    step.kind = action.kind;
    step.index = action.index;
    if (action.kind == pmodel::ActionKind::deliver) {
        step.a = world.name_of(action.from);
        step.b = world.name_of(action.to);
    } else {
        step.a = world.name_of(action.comp);
    }
    return step;
}

}  // namespace ptrace
