// `show --format svg`: a message sequence chart, written here (no drawing library): one
// lifeline per component (from the step that spawned it; dashed after it ended), one row per
// step, each message an arrow from the row that sent it to the row that delivered it, styled by
// class (data, sync, control, error), faults and ends marked on the lifeline, the violation's
// row in red. Every step is a <g class="step" data-step="K"> holding its row and the arrows it
// sent, with a transparent full-width hit rectangle, for the HTML viewer.
#include <sstream>
#include <stdexcept>
#include <utility>

#include "pviz/pictures.hpp"

namespace pviz {

namespace {

constexpr int step_column = 56;  // step numbers
constexpr int column_width = 150;
constexpr int header_height = 56;
constexpr int row_height = 26;
constexpr int label_width = 640;

std::string xml(const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
            case '&':
                escaped.append("&amp;");
                break;
            case '<':
                escaped.append("&lt;");
                break;
            case '>':
                escaped.append("&gt;");
                break;
            case '"':
                escaped.append("&quot;");
                break;
            case '\'':
                escaped.append("&apos;");
                break;
            default:
                // Control characters are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') escaped.push_back(c);
        }
    }
    return escaped;
}

constexpr const char* style = R"(<style>
.sequence-chart text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;fill:#1f2328}
.sequence-chart .name{font-weight:bold}
.sequence-chart .lifeline{stroke:#8c959f;stroke-width:1.5}
.sequence-chart .lifeline.after{stroke-dasharray:2 4}
.sequence-chart .msg{fill:none;stroke-width:1.6}
.sequence-chart .data{stroke:#0969da}.sequence-chart text.data{fill:#0969da;stroke:none}
.sequence-chart .sync{stroke:#8250df}.sequence-chart text.sync{fill:#8250df;stroke:none}
.sequence-chart .control{stroke:#57606a;stroke-dasharray:5 3}
.sequence-chart text.control{fill:#57606a;stroke:none}
.sequence-chart .error{stroke:#cf222e}.sequence-chart text.error{fill:#cf222e;stroke:none}
.sequence-chart .in-flight{stroke-dasharray:1 3}
.sequence-chart .dropped{stroke-dasharray:6 2 1 2}
.sequence-chart .dropped-mark{fill:#cf222e;font-weight:bold;font-size:14px}
.sequence-chart .violation-band{fill:#ffebe9}
.sequence-chart text.violation{fill:#cf222e;font-weight:bold}
.sequence-chart .fault{fill:#bc4c00;font-weight:bold}
</style>)";

class SvgWriter {
  public:
    explicit SvgWriter(const TraceView& view) : view_(view) {}

    std::string write() {
        const int width = label_x() + label_width;
        const int height = row_top(view_.steps.size() + 1) + 24;
        out_ << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence-chart\" width=\""
             << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << ' ' << height
             << "\">\n"
             << "<title>" << xml(view_.title) << "</title>\n"
             << style << '\n';
        markers();
        lifelines();
        for (const StepView& step : view_.steps) row(step);
        out_ << "</svg>\n";
        return out_.str();
    }

  private:
    [[nodiscard]] int label_x() const {
        return step_column + static_cast<int>(view_.components.size()) * column_width + 12;
    }
    static int row_top(std::size_t step) {
        return header_height + static_cast<int>(step - 1) * row_height;
    }
    static int row_middle(std::size_t step) { return row_top(step) + row_height / 2; }
    [[nodiscard]] int lifeline_x(const std::string& name) const {
        for (std::size_t index = 0; index < view_.components.size(); ++index) {
            if (view_.components[index] == name) {
                return step_column + static_cast<int>(index) * column_width + column_width / 2;
            }
        }
        // The view names every component of the run: anything else is a bug of the view.
        throw std::logic_error("sequence chart: no lifeline " + name);
    }

    void markers() {
        out_ << "<defs>\n";
        for (const auto& [kind, colour] :
             {std::pair{"data", "#0969da"}, std::pair{"sync", "#8250df"},
              std::pair{"control", "#57606a"}, std::pair{"error", "#cf222e"}}) {
            out_ << "<marker id=\"head-" << kind
                 << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
                    "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\""
                 << colour << "\"/></marker>\n";
        }
        out_ << "</defs>\n";
    }

    void lifelines() {
        const int bottom = row_top(view_.steps.size() + 1);
        out_ << "<g class=\"lifelines\">\n";
        for (std::size_t index = 0; index < view_.components.size(); ++index) {
            const std::string& name = view_.components[index];
            const int x = lifeline_x(name);
            const std::size_t born = view_.born[index];
            const int top = born == 0 ? header_height - 8 : row_middle(born);
            const int end = view_.ended[index] == 0 ? bottom : row_middle(view_.ended[index]);
            out_ << "<rect x=\"" << x - 60 << "\" y=\"" << top - 30
                 << "\" width=\"120\" height=\"22\" rx=\"4\" fill=\"#f6f8fa\" stroke=\"#8c959f\"/>"
                 << "<text class=\"name\" x=\"" << x << "\" y=\"" << top - 14
                 << "\" text-anchor=\"middle\">" << xml(name) << "</text>\n"
                 << "<line class=\"lifeline\" x1=\"" << x << "\" y1=\"" << top << "\" x2=\"" << x
                 << "\" y2=\"" << end << "\"/>\n";
            if (end < bottom) {
                out_ << "<line class=\"lifeline after\" x1=\"" << x << "\" y1=\"" << end
                     << "\" x2=\"" << x << "\" y2=\"" << bottom << "\"/>\n";
            }
        }
        out_ << "</g>\n";
    }

    void row(const StepView& step) {
        const int top = row_top(step.index);
        const int middle = row_middle(step.index);
        const bool violating = view_.violation && view_.violation_step == step.index;
        out_ << "<g class=\"step" << (violating ? " violating" : "") << "\" data-step=\""
             << step.index << "\">\n";
        if (violating) {
            out_ << "<rect class=\"violation-band\" x=\"0\" y=\"" << top << "\" width=\""
                 << label_x() + label_width << "\" height=\"" << row_height << "\"/>\n";
        }
        out_ << "<rect class=\"hit\" x=\"0\" y=\"" << top << "\" width=\""
             << label_x() + label_width << "\" height=\"" << row_height
             << "\" fill=\"transparent\"/>\n"
             << "<text x=\"" << step_column - 10 << "\" y=\"" << middle + 4
             << "\" text-anchor=\"end\">" << step.index << "</text>\n";
        actor_mark(step, middle);
        std::string summary = step.label;
        for (const Event& event : step.events) event_mark(step, event, middle, summary);
        out_ << "<text class=\"label" << (violating ? " violation" : "") << "\" x=\"" << label_x()
             << "\" y=\"" << middle + 4 << "\">" << xml(summary) << "</text>\n";
        for (const MessageArrow& arrow : view_.arrows) {
            if (arrow.sent == step.index) message(arrow);
        }
        out_ << "</g>\n";
    }

    void actor_mark(const StepView& step, int middle) {
        const int x = lifeline_x(step.actor);
        out_ << "<rect x=\"" << x - 5 << "\" y=\"" << middle - 5
             << "\" width=\"10\" height=\"10\" fill=\"#1f2328\"><title>" << xml(step.label)
             << "</title></rect>\n";
    }

    void event_mark(const StepView& step, const Event& event, int middle, std::string& summary) {
        if (event.type == EventType::fault) {
            out_ << "<text class=\"fault\" x=\"" << lifeline_x(event.from) + 8 << "\" y=\""
                 << middle + 4 << "\">" << xml(event.message) << "!</text>\n";
        } else if (event.type == EventType::end) {
            const std::string kind = event.detail.value("outcome", "");
            const char* colour = kind == "failed"      ? "#cf222e"
                                 : kind == "cancelled" ? "#bc4c00"
                                                       : "#1f2328";
            out_ << "<rect x=\"" << lifeline_x(event.from) - 12 << "\" y=\"" << middle + 6
                 << "\" width=\"24\" height=\"4\" fill=\"" << colour << "\"/>\n";
            summary.append(" | ").append(event.from).append(" ").append(end_text(event.detail));
        } else if (event.type == EventType::violation) {
            summary.append(" | VIOLATION ").append(violation_text(event.detail));
        } else if (event.type == EventType::spawn) {
            summary.append(" | spawns ").append(event.to);
        }
        (void)step;
    }

    // Where an arrow ends: the row that delivered it, the row that dropped it (a cross
    // there), or the bottom of the chart (still in flight).
    [[nodiscard]] std::pair<int, std::string> arrow_end(const MessageArrow& arrow) const {
        if (arrow.delivered != 0) {
            return {row_middle(arrow.delivered),
                    std::string(", delivered at step ").append(std::to_string(arrow.delivered))};
        }
        if (arrow.dropped != 0) {
            return {row_middle(arrow.dropped),
                    std::string(", dropped at step ").append(std::to_string(arrow.dropped))};
        }
        return {row_top(view_.steps.size() + 1), ", still in flight at the end"};
    }

    void message(const MessageArrow& arrow) {
        const int x1 = lifeline_x(arrow.from);
        const int x2 = lifeline_x(arrow.to);
        const int y1 = row_middle(arrow.sent);
        const auto [y2, fate] = arrow_end(arrow);
        const std::string kind = arrow.message_class;
        const char* extra = arrow.delivered != 0 ? ""
                            : arrow.dropped != 0 ? " dropped"
                                                 : " in-flight";
        out_ << "<path class=\"msg " << kind << extra << "\" d=\"";
        if (x1 == x2) {
            out_ << 'M' << x1 << ',' << y1 << " C" << x1 + 50 << ',' << y1 << ' ' << x1 + 50 << ','
                 << y2 << ' ' << x2 << ',' << y2;
        } else {
            out_ << 'M' << x1 << ',' << y1 << " L" << x2 << ',' << y2;
        }
        out_ << '"';
        if (arrow.dropped == 0) out_ << " marker-end=\"url(#head-" << kind << ")\"";
        out_ << "><title>" << xml(arrow.message) << " " << xml(arrow.from) << "-&gt;"
             << xml(arrow.to) << ", sent at step " << arrow.sent << fate << "</title></path>\n"
             << "<text class=\"" << kind << "\" x=\"" << (x1 + x2) / 2 + (x1 == x2 ? 30 : 0)
             << "\" y=\"" << (y1 + y2) / 2 - 3 << "\" text-anchor=\"middle\">" << xml(arrow.message)
             << "</text>\n";
        if (arrow.dropped != 0) {
            out_ << "<text class=\"dropped-mark\" x=\"" << x2 << "\" y=\"" << y2 + 4
                 << "\" text-anchor=\"middle\">x</text>\n";
        }
    }

    const TraceView& view_;
    std::ostringstream out_;
};

}  // namespace

std::string svg_chart(const TraceView& view) {
    return SvgWriter(view).write();
}

}  // namespace pviz
