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

namespace {

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
    // The simulator's scheduler: how a simulated run was found (a checker's path has none).
    if (source != "check") trace["scheduler"] = psim::scheduler_name(run.scheduler);
    json deadlocks = json::array();
    for (const pmodel::AppDeadlock& deadlock : run.deadlocks) {
        json cycle = json::array();
        for (pcore::CompId comp : deadlock.cycle) cycle.push_back(names.at(comp.value()));
        deadlocks.push_back({{"cycle", cycle}, {"detail", deadlock.detail}});
    }
    trace["application_deadlocks"] = deadlocks;
    return trace;
}

RecordedRun::RecordedRun(std::shared_ptr<const pmodel::Scenario> scenario,
                         pcore::Variants variants,
                         const FaultBudget& faults)
    : world_(std::move(scenario), std::move(variants), faults) {
    run_.faults = faults;
}

void RecordedRun::take(const pmodel::Action& action) {
    std::string label = world_.describe(action);
    world_.apply(action);
    run_.trace.push_back(psim::TraceStep{action, world_.fingerprint(), std::move(label)});
}

psim::RunResult RecordedRun::finish() {
    run_.steps = run_.trace.size();
    run_.end = psim::RunEnd::violation;
    if (world_.violations().empty()) run_.deadlocks = world_.check_terminal();
    run_.violations = world_.violations();
    for (const pmodel::CompSlot& slot : world_.comps()) {
        run_.outcomes.emplace_back(slot.name, slot.state.outcome);
    }
    run_.final_fingerprint = world_.fingerprint();
    run_.fault_injected = world_.fault_injected();
    return std::move(run_);
}

void write_text_atomic(const std::string& path, const std::string& text) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw InputError(path, "$", "cannot open the file for writing");
        out << text;
        out.flush();
        if (!out) throw InputError(path, "$", "cannot write the file");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error)
        throw InputError(path, "$", "cannot move the finished file into place: " + error.message());
}

void write_json_atomic(const std::string& path, const json& document) {
    write_text_atomic(path, document.dump(1) + "\n");
}

}  // namespace ptrace
