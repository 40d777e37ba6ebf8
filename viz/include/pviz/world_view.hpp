// What a picture shows of one state of the world: every component (mode, statement, reference
// count, outcome with its provenance, sync round, awaited acknowledgements, ports) and every
// link with its messages in flight, as JSON (the viewer's panels, ITF states), and as a short
// line (a node of the state graph).
//
// Names are the world's own (`main`, `as` names, `#2` for repeats); a component id that names
// no component yet is written as pcore::unnamed_component does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

namespace pviz {

// The world's component names, by id.
[[nodiscard]] std::vector<std::string> component_names(const pmodel::World& world);

// One component: {"name", "mode", "pc", "in_sync", "refcount", "freed", "outcome" (null while
// running, else the trace format's outcome object), "round" (null outside a round), "awaits",
// "ports": [{"id", "kind", "peer", "state", "pending"}]}.
[[nodiscard]] nlohmann::json component_json(const pmodel::World& world, pcore::CompId comp);

// The whole state: {"components": [...], "links": [{"from", "to", "messages": [...]}]}.
[[nodiscard]] nlohmann::json world_json(const pmodel::World& world);

// One line for a node of the state graph: each component's mode and statement, then the
// messages in flight ("main:running@3 s:sync_end@2 | s->r Data").
[[nodiscard]] std::string state_line(const pmodel::World& world);

// One component's local state alone, as fine as the picture needs: its mode, statement,
// reference count, round and ports (the key of `export --collapse`).
[[nodiscard]] std::string local_state_line(const pmodel::World& world, pcore::CompId comp);

// How a message is drawn: "data" (Data), "sync" (leader notifications, submissions and
// decisions), "error" (a ClosePort or DataMessageFailed carrying an error, a failure
// decision, a cancel request), or "control" (the runtime's bookkeeping).
[[nodiscard]] const char* message_class(const pcore::Message& message);

}  // namespace pviz
