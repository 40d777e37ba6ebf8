// `show --format mermaid`: a Mermaid sequenceDiagram. Participants are c0, c1, ... with the
// component names as aliases, so that no name can clash with Mermaid's keywords; text is
// escaped with Mermaid's entity codes (#35; for '#', #59; for ';', which would end the
// statement).
#include <sstream>
#include <stdexcept>

#include "pviz/pictures.hpp"

namespace pviz {

namespace {

std::string mermaid_text(const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
            case '#':
                escaped.append("#35;");
                break;
            case ';':
                escaped.append("#59;");
                break;
            case '<':
                escaped.append("#60;");
                break;
            case '>':
                escaped.append("#62;");
                break;
            case '\n':
            case '\r':
                escaped.push_back(' ');
                break;
            default:
                escaped.push_back(c);
        }
    }
    return escaped;
}

class MermaidWriter {
  public:
    explicit MermaidWriter(const TraceView& view) : view_(view) {}

    std::string write() {
        out_ << "sequenceDiagram\n";
        for (std::size_t index = 0; index < view_.components.size(); ++index) {
            out_ << "    participant c" << index << " as " << mermaid_text(view_.components[index])
                 << '\n';
        }
        for (const StepView& step : view_.steps) write_step(step);
        for (const MessageArrow& arrow : view_.arrows) {
            if (arrow.delivered != 0 || arrow.dropped != 0) continue;
            note(arrow.from, "in flight at the end: " + arrow.message + " to " + arrow.to);
        }
        return out_.str();
    }

  private:
    std::string id(const std::string& name) const {
        for (std::size_t index = 0; index < view_.components.size(); ++index) {
            if (view_.components[index] == name)
                return std::string("c").append(std::to_string(index));
        }
        // The view names every component of the run: anything else is a bug of the view.
        throw std::logic_error("mermaid chart: no participant " + name);
    }

    void note(const std::string& over, const std::string& text) {
        out_ << "    Note over " << id(over) << ": " << mermaid_text(text) << '\n';
    }

    static const char* arrow_of(const std::string& message_class) {
        if (message_class == "data") return "->>";
        if (message_class == "sync") return "-)";
        if (message_class == "error") return "-x";
        return "-->>";
    }

    void write_step(const StepView& step) {
        const std::string number = std::to_string(step.index) + ". ";
        if (step.action.contains("run") || step.action.contains("timeout")) {
            note(step.actor, number + step.label);
        }
        for (const Event& event : step.events) write_event(step, number, event);
    }

    void write_event(const StepView& step, const std::string& number, const Event& event) {
        switch (event.type) {
            case EventType::deliver:
                out_ << "    " << id(event.from) << arrow_of(event.message_class) << id(event.to)
                     << ": "
                     << mermaid_text(number + event.message + " (sent at step " +
                                     std::to_string(event.sent) + ")")
                     << '\n';
                break;
            case EventType::fault:
                out_ << "    rect rgb(255, 236, 204)\n";
                note(event.from, number + "fault: " + event.message);
                out_ << "    end\n";
                break;
            case EventType::spawn:
                note(event.from, number + event.from + " spawns " + event.to);
                break;
            case EventType::end:
                note(event.from, number + event.from + " ends " + end_text(event.detail));
                break;
            case EventType::drop:
                note(event.from,
                     number + event.message + " to " + event.to + " dropped, never delivered");
                break;
            case EventType::violation: {
                const nlohmann::json& comps = event.detail.value("components", nlohmann::json());
                const std::string over = comps.empty() ? step.actor : comps[0].get<std::string>();
                out_ << "    rect rgb(255, 205, 205)\n";
                note(over, "VIOLATION " + violation_text(event.detail));
                out_ << "    end\n";
                break;
            }
            case EventType::send:
                break;
        }
    }

    const TraceView& view_;
    std::ostringstream out_;
};

}  // namespace

std::string mermaid_chart(const TraceView& view) {
    return MermaidWriter(view).write();
}

}  // namespace pviz
