// A trace as the pictures need it: the trace replayed through World::apply (every fingerprint
// compared, as `replay` does), and for each step what an observer saw happen (messages sent
// and delivered, faults, spawns, ends with their provenance, violations) and the world after
// it. Every picture (`show --format text|mermaid|svg|html|itf`) is drawn from this one view,
// so they cannot disagree with each other or with replay.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ptrace/trace.hpp"

namespace pviz {

enum class EventType { send, deliver, fault, spawn, end, violation, drop };

struct Event {
    EventType type = EventType::send;
    std::string from;     // send, deliver, spawn: the sender or creator; fault, end: the component
    std::string to;       // send, deliver, spawn: the receiver or the new component
    std::string message;  // send, deliver: the message; fault: its kind
    std::string message_class;  // send, deliver: data, sync, control or error (message_class)
    nlohmann::json detail;      // end: the trace format's outcome; violation: the violation
    std::size_t sent = 0;       // deliver: the step that sent the message (0: not known)
};

struct StepView {
    std::size_t index = 0;  // 1-based
    std::string label;
    std::string actor;  // the component that stepped (deliver: the receiver)
    nlohmann::json action;
    std::vector<Event> events;
};

// One message from its send to its delivery: an arrow of the sequence chart.
struct MessageArrow {
    std::string from;
    std::string to;
    std::string message;
    std::string message_class;
    std::size_t sent = 0;       // the step that sent it (0: never, it was there from the start)
    std::size_t delivered = 0;  // the step that delivered it; 0: not delivered
    std::size_t dropped = 0;    // the step that dropped it (its receiver was freed); 0: not
};

struct TraceView {
    std::string title;
    std::string origin;                   // the trace file
    std::vector<std::string> components;  // every component of the run, by id
    std::string end;                      // the trace's "end"
    std::optional<pmodel::Violation> violation;
    nlohmann::json violation_json;  // null, or the trace format's violation plus "step"
    std::size_t violation_step = 0;
    std::vector<StepView> steps;
    std::vector<nlohmann::json> states;  // states[k]: after step k (0: initial), world_json +
                                         // "fingerprint", "properties", "violations"
    std::vector<MessageArrow> arrows;    // in the order they were sent
    std::vector<std::size_t> born;       // per component: the step that spawned it (0: initial)
    std::vector<std::size_t> ended;      // per component: the step it ended (0: never)
};

// Replays `trace` into its view. A trace that does not replay as recorded throws
// pscenario::InputError naming the file and the step (exit 2: the picture would lie).
[[nodiscard]] TraceView build_trace_view(const ptrace::LoadedTrace& trace);

// The viewer's view model (viz/assets/viewer.html, format "protocheck-trace-view/1").
[[nodiscard]] nlohmann::json view_json(const TraceView& view);

}  // namespace pviz
