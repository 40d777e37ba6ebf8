// The port a message's target names at its receiver, as the core's resolve finds it: an index
// into the receiver's ports, or (via set) the port it adopted from that sender. Null when the
// receiver has no such port (a stale target, only on the weaker networks).
#pragma once

#include <optional>

#include "pcore/component.hpp"
#include "pmodel/world.hpp"

namespace psmt {

inline const pcore::Port* port_at(const pmodel::World& world,
                                  pcore::CompId receiver,
                                  const pcore::PortRef& target) {
    if (receiver.value() >= world.comps().size()) return nullptr;
    const auto& ports = world.comps()[receiver.value()].state.ports;
    if (!target.via.valid()) {
        return target.port.value() < ports.size() ? &ports[target.port.value()] : nullptr;
    }
    for (const pcore::Port& port : ports) {
        if (port.adopted_from == target.via && port.adopted_port == target.port) return &port;
    }
    return nullptr;
}

// The component whose ports hold the end of `channel` of this kind (a moved entry is not a
// holder); none while the end travels in a message or has gone.
inline std::optional<std::uint32_t> end_holder(const pmodel::World& world,
                                               pcore::ChannelId channel,
                                               pcore::PortKind kind) {
    for (std::uint32_t holder = 0; holder < world.comps().size(); ++holder) {
        for (const pcore::Port& end : world.comps()[holder].state.ports) {
            if (end.channel == channel && end.kind == kind && !end.moved) return holder;
        }
    }
    return std::nullopt;
}

}  // namespace psmt
