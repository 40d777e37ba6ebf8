// The port a message's target names at its receiver, as the core's resolve finds it: an index
// into the receiver's ports, or (via set) the port it adopted from that sender. Null when the
// receiver has no such port (a stale target, only on the weaker networks).
#pragma once

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

}  // namespace psmt
