// `show --format text`: the trace as lines, with what each step did.
#include <sstream>

#include "pviz/pictures.hpp"

namespace pviz {

using nlohmann::json;

std::string end_text(const json& outcome) {
    std::string text = outcome.value("outcome", "");
    if (outcome.contains("error")) text.append(" ").append(outcome["error"].get<std::string>());
    if (outcome.contains("canceller")) {
        text.append(" by ").append(outcome["canceller"].get<std::string>());
    }
    std::string provenance;
    if (outcome.contains("origin")) provenance = "origin " + outcome["origin"].get<std::string>();
    if (outcome.contains("layer")) provenance = "layer " + outcome["layer"].get<std::string>();
    if (outcome.contains("relay") && !outcome["relay"].empty()) {
        provenance.append(", relay");
        for (const json& hop : outcome["relay"])
            provenance.append(" ").append(hop.get<std::string>());
    }
    if (!provenance.empty()) text.append(" (").append(provenance).append(")");
    return text;
}

std::string violation_text(const json& violation) {
    std::string text = violation.value("property", "?");
    text.append(" [");
    bool first = true;
    for (const json& comp : violation.value("components", json::array())) {
        if (!first) text.append(", ");
        text.append(comp.get<std::string>());
        first = false;
    }
    return text.append("]: ").append(violation.value("detail", ""));
}

std::string verdict_text(const TraceView& view) {
    if (view.violation_json.is_null()) return "no violation (end: " + view.end + ")";
    return "violates " + view.violation_json["property"].get<std::string>() + " at step " +
           std::to_string(view.violation_step) + ": " +
           view.violation_json["detail"].get<std::string>();
}

namespace {

std::string event_line(const Event& event) {
    switch (event.type) {
        case EventType::send:
            return "sends " + event.message + " to " + event.to + " (" + event.message_class + ")";
        case EventType::deliver:
            return event.to + " takes " + event.message + " from " + event.from + " (" +
                   event.message_class + ")";
        case EventType::fault:
            return "fault: " + event.message + " " + event.from;
        case EventType::spawn:
            return event.from + " spawns " + event.to;
        case EventType::end:
            return event.from + " ends: " + end_text(event.detail);
        case EventType::violation:
            return "VIOLATION " + violation_text(event.detail);
        case EventType::drop:
            return event.message + " from " + event.from + " to " + event.to +
                   " dropped, never delivered (a component it concerned was freed)";
    }
    return "";
}

}  // namespace

std::string text_chart(const TraceView& view) {
    std::ostringstream out;
    out << view.title << ", " << view.steps.size() << " steps\ncomponents:";
    for (const std::string& name : view.components) out << ' ' << name;
    out << '\n';
    for (const StepView& step : view.steps) {
        out << '[' << step.index << "] " << step.label << '\n';
        for (const Event& event : step.events) out << "      " << event_line(event) << '\n';
    }
    out << "verdict: " << verdict_text(view) << '\n';
    return out.str();
}

}  // namespace pviz
