// `show --format html`: the viewer page (viz/assets/viewer.html, built into the program) with
// the trace's view model and its SVG chart put in place. The file needs no network.
#include <stdexcept>

#include "pviz/pictures.hpp"

namespace pviz {

const char* viewer_template();  // generated from viz/assets/viewer.html (viz/CMakeLists)

namespace {

void put_in_place(std::string& page, const std::string& placeholder, const std::string& text) {
    const std::size_t at = page.find(placeholder);
    if (at == std::string::npos) {
        throw std::logic_error("viz/assets/viewer.html has no " + placeholder);
    }
    page.replace(at, placeholder.size(), text);
}

// JSON inside <script>: "</" and "<!--" must not appear, or the HTML parser would end the
// script there; JSON allows "\/" for "/".
std::string script_safe(const std::string& json_text) {
    std::string safe;
    for (std::size_t at = 0; at < json_text.size(); ++at) {
        safe.push_back(json_text[at]);
        if (json_text[at] == '<' && at + 1 < json_text.size() &&
            (json_text[at + 1] == '/' || json_text[at + 1] == '!')) {
            safe.append(json_text[at + 1] == '/' ? "\\" : "\\u0021");
            if (json_text[at + 1] == '!') ++at;
        }
    }
    return safe;
}

}  // namespace

std::string viewer_html(const TraceView& view) {
    std::string page = viewer_template();
    put_in_place(page, "/*@VIEW_JSON@*/", script_safe(view_json(view).dump()));
    put_in_place(page, "<!--@CHART_SVG@-->", svg_chart(view));
    return page;
}

}  // namespace pviz
