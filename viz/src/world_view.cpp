#include "pviz/world_view.hpp"

#include <string>

#include "ptrace/trace.hpp"

namespace pviz {

using nlohmann::json;

namespace {

std::string name_in(const std::vector<std::string>& names, pcore::CompId comp) {
    return comp.valid() && comp.value() < names.size() ? names[comp.value()]
                                                       : pcore::unnamed_component(comp);
}

// A port's state in one word, the most telling first: a port that moved or closed is that,
// whatever else is still pending on it.
const char* port_state(const pcore::Port& port) {
    if (port.moved) return "moved";
    if (port.closed) return "closed";
    if (port.close_sent) return "closing";
    if (port.transferring) return "transferring";
    if (port.blocked) return "blocked";
    return "open";
}

json ports_json(const pcore::ComponentState& state, const std::vector<std::string>& names) {
    json ports = json::array();
    for (std::size_t id = 0; id < state.ports.size(); ++id) {
        const pcore::Port& port = state.ports[id];
        ports.push_back({{"id", id},
                         {"kind", port.kind == pcore::PortKind::putter ? "putter" : "getter"},
                         {"peer", name_in(names, port.peer_comp)},
                         {"state", port_state(port)},
                         {"pending", port.pending.size()}});
    }
    return ports;
}

json awaits_json(const pcore::ComponentState& state, const std::vector<std::string>& names) {
    json awaits = json::array();
    for (const pcore::ControlEntry& entry : state.control) {
        std::string what =
            entry.kind == pcore::ControlKind::close_port ? "close-ack from " : "block-ack from ";
        awaits.push_back(what.append(name_in(names, entry.awaited_from)));
    }
    return awaits;
}

json round_json(const pcore::RoundState& round, const std::vector<std::string>& names) {
    if (!round.active) return nullptr;
    std::string text = "round ";
    text.append(std::to_string(round.completed)).append(" led by ");
    text.append(name_in(names, round.highest));
    if (round.orphaned) text.append(" (orphaned)");
    if (round.submitted) text.append(", submitted");
    return text;
}

// One component, with the world's names computed once by the caller (world_json: once a state,
// not once a component).
json component_view(const pmodel::World& world,
                    pcore::CompId comp,
                    const std::vector<std::string>& names) {
    const pcore::ComponentState& state = world.comps()[comp.value()].state;
    json outcome = nullptr;
    if (state.outcome.kind != pcore::OutcomeKind::running) {
        outcome = ptrace::outcome_json(*world.scenario().compiled, names, state.outcome);
    }
    return {{"name", names[comp.value()]},
            {"mode", pcore::mode_name(state.mode)},
            {"pc", state.pc},
            {"in_sync", state.in_sync},
            {"refcount", world.refcount(comp)},
            {"freed", world.freed(comp)},
            {"outcome", outcome},
            {"round", round_json(state.round, names)},
            {"awaits", awaits_json(state, names)},
            {"ports", ports_json(state, names)}};
}

}  // namespace

std::vector<std::string> component_names(const pmodel::World& world) {
    std::vector<std::string> names;
    for (const pmodel::CompSlot& slot : world.comps()) names.push_back(slot.name);
    return names;
}

json component_json(const pmodel::World& world, pcore::CompId comp) {
    return component_view(world, comp, component_names(world));
}

json world_json(const pmodel::World& world) {
    const std::vector<std::string> names = component_names(world);
    json components = json::array();
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        components.push_back(component_view(world, pcore::CompId(index), names));
    }
    json links = json::array();
    for (const pmodel::Link& link : world.links()) {
        json messages = json::array();
        for (const pcore::Message& message : link.queue)
            messages.push_back(pcore::message_name(message));
        links.push_back({{"from", name_in(names, link.from)},
                         {"to", name_in(names, link.to)},
                         {"messages", messages}});
    }
    return {{"components", components}, {"links", links}};
}

std::string state_line(const pmodel::World& world) {
    const std::vector<std::string> names = component_names(world);
    std::string line;
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        const pcore::ComponentState& state = world.comps()[index].state;
        if (!line.empty()) line.push_back(' ');
        line.append(names[index]).append(":");
        line.append(world.freed(pcore::CompId(index)) ? "freed" : pcore::mode_name(state.mode));
        line.append("@").append(std::to_string(state.pc));
    }
    for (const pmodel::Link& link : world.links()) {
        line.append(" | ").append(name_in(names, link.from)).append("->");
        line.append(name_in(names, link.to));
        for (const pcore::Message& message : link.queue) {
            line.append(" ").append(pcore::message_name(message));
        }
    }
    return line;
}

std::string local_state_line(const pmodel::World& world, pcore::CompId comp) {
    const json view = component_json(world, comp);
    std::string line = view["mode"].get<std::string>();
    line.append("@").append(std::to_string(view["pc"].get<std::uint32_t>()));
    line.append(" rc").append(std::to_string(view["refcount"].get<std::int32_t>()));
    if (view["freed"].get<bool>()) line.append(" freed");
    if (!view["round"].is_null()) line.append(" ").append(view["round"].get<std::string>());
    if (!view["outcome"].is_null()) {
        line.append(" ").append(view["outcome"]["outcome"].get<std::string>());
    }
    for (const json& port : view["ports"]) {
        line.append(" p").append(std::to_string(port["id"].get<std::size_t>())).append(":");
        line.append(port["state"].get<std::string>());
        if (port["pending"].get<std::size_t>() > 0) {
            line.append("+").append(std::to_string(port["pending"].get<std::size_t>()));
        }
    }
    for (const json& await : view["awaits"])
        line.append(" awaits ").append(await.get<std::string>());
    return line;
}

const char* message_class(const pcore::Message& message) {
    if (std::holds_alternative<pcore::Data>(message)) return "data";
    if (const auto* close = std::get_if<pcore::ClosePort>(&message)) {
        return close->has_error ? "error" : "control";
    }
    if (const auto* failed = std::get_if<pcore::DataMessageFailed>(&message)) {
        return failed->has_error ? "error" : "control";
    }
    if (const auto* decision = std::get_if<pcore::Decision>(&message)) {
        return decision->solution ? "sync" : "error";
    }
    if (std::holds_alternative<pcore::CancelRequest>(message)) return "error";
    if (std::holds_alternative<pcore::NotificationOfLeader>(message) ||
        std::holds_alternative<pcore::Submission>(message)) {
        return "sync";
    }
    return "control";
}

}  // namespace pviz
