// Pictures of a trace (`protocheck show`), all drawn from one pviz::TraceView:
//   text     one line per step and an indented line per event, then the verdict
//   mermaid  a Mermaid sequenceDiagram: one participant per component, each message an arrow
//            at its delivery (data solid, sync async, control dotted, errors crossed), faults,
//            ends with their provenance and the violation as notes
//   svg      a message sequence chart written by our code: lifelines, each message an arrow
//            from the step that sent it to the step that delivered it, one row per step
//            (<g class="step" data-step="K">: the HTML viewer highlights and clicks rows)
//   itf      the Informal Trace Format (Apalache's JSON traces): one ITF state per state of
//            the run, integers as {"#bigint": "..."}, maps as {"#map": [...]}
//   html     the self-contained viewer (viz/assets/viewer.html) with the view and the SVG
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pviz/trace_view.hpp"

namespace pviz {

[[nodiscard]] std::string text_chart(const TraceView& view);
[[nodiscard]] std::string mermaid_chart(const TraceView& view);
[[nodiscard]] std::string svg_chart(const TraceView& view);
[[nodiscard]] nlohmann::json itf_trace(const TraceView& view);
[[nodiscard]] std::string viewer_html(const TraceView& view);

// One line for a component's end: "failed Boom (origin c, relay b)", "cancelled by os
// (layer component)", "completed".
[[nodiscard]] std::string end_text(const nlohmann::json& outcome);
// "LC-1 [r]: detail"
[[nodiscard]] std::string violation_text(const nlohmann::json& violation);
// The verdict line: "violates LC-1 at step 12: ..." or "no violation (end: terminal)".
[[nodiscard]] std::string verdict_text(const TraceView& view);

}  // namespace pviz
