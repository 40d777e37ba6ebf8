// `show --format itf`: the Informal Trace Format (Apalache ADR-015), so that a trace opens in
// the tools that read ITF. One ITF state per state of the run (0: the initial state), with the
// same variables in every state and values of one shape (absent fields are empty strings or
// empty sequences, never missing), so that a typed reader sees one type per variable:
//   step        {"#bigint"}         the number of steps taken
//   action      string              the step's label ("init" for the initial state)
//   fingerprint string              the state's 64-bit fingerprint, as traces write it
//   components  #map name -> record {mode, pc, in_sync, refcount, freed, outcome, round,
//                                    awaits, ports: seq of {id, kind, peer, state, pending}}
//   links       #map <<from, to>> -> seq of message names
//   violations  #set of records {property, components, detail}
#include "pviz/pictures.hpp"

namespace pviz {

using nlohmann::json;

namespace {

json bigint(std::int64_t value) {
    return {{"#bigint", std::to_string(value)}};
}

json outcome_record(const json& outcome) {
    json record = {{"kind", "running"}, {"error", ""}, {"origin", ""},
                   {"canceller", ""},   {"layer", ""}, {"relay", json::array()}};
    if (outcome.is_null()) return record;
    record["kind"] = outcome.value("outcome", "");
    for (const char* key : {"error", "origin", "canceller", "layer"}) {
        if (outcome.contains(key)) record[key] = outcome[key];
    }
    if (outcome.contains("relay")) record["relay"] = outcome["relay"];
    return record;
}

json component_record(const json& component) {
    json ports = json::array();
    for (const json& port : component["ports"]) {
        ports.push_back({{"id", bigint(port["id"].get<std::int64_t>())},
                         {"kind", port["kind"]},
                         {"peer", port["peer"]},
                         {"state", port["state"]},
                         {"pending", bigint(port["pending"].get<std::int64_t>())}});
    }
    return {{"mode", component["mode"]},
            {"pc", bigint(component["pc"].get<std::int64_t>())},
            {"in_sync", component["in_sync"]},
            {"refcount", bigint(component["refcount"].get<std::int64_t>())},
            {"freed", component["freed"]},
            {"outcome", outcome_record(component["outcome"])},
            {"round", component["round"].is_null() ? json("") : component["round"]},
            {"awaits", component["awaits"]},
            {"ports", ports}};
}

json itf_state(const json& state, std::size_t index, const std::string& action) {
    json components = json::array();
    for (const json& component : state["components"]) {
        components.push_back(json::array({component["name"], component_record(component)}));
    }
    json links = json::array();
    for (const json& link : state["links"]) {
        json pair = json::array({link["from"], link["to"]});
        links.push_back(json::array({json{{"#tup", pair}}, link["messages"]}));
    }
    json violations = json::array();
    for (const json& violation : state["violations"]) {
        violations.push_back({{"property", violation["property"]},
                              {"components", violation["components"]},
                              {"detail", violation["detail"]}});
    }
    return {{"#meta", {{"index", index}}},
            {"step", bigint(static_cast<std::int64_t>(index))},
            {"action", action},
            {"fingerprint", state["fingerprint"]},
            {"components", {{"#map", components}}},
            {"links", {{"#map", links}}},
            {"violations", {{"#set", violations}}}};
}

}  // namespace

json itf_trace(const TraceView& view) {
    json states = json::array();
    for (std::size_t index = 0; index < view.states.size(); ++index) {
        states.push_back(itf_state(view.states[index], index,
                                   index == 0 ? "init" : view.steps[index - 1].label));
    }
    return {{"#meta",
             {{"format", "ITF"},
              {"format-description", "https://apalache-mc.org/docs/adr/015adr-trace.html"},
              {"source", view.origin},
              {"description", view.title + "; " + verdict_text(view)}}},
            {"vars", {"step", "action", "fingerprint", "components", "links", "violations"}},
            {"states", states}};
}

}  // namespace pviz
