// `show`: every corpus and violation trace drawn in every format, and each format checked
// against its own grammar: Mermaid's sequenceDiagram statements, the ITF schema's required
// fields and value forms, SVG rows per step. (ctest also runs xmllint on every SVG and the
// viewer in Chromium: viz.svg.*, viz.browser.)
#include "pviz/pictures.hpp"

// GCC 12 with the sanitizers warns, wrongly, that std::regex's internal std::function may be
// used uninitialised (in <bits/std_function.h>); this test file only, before any header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "cli_run.hpp"
#include "pscenario/json_document.hpp"

namespace {

using nlohmann::json;

std::vector<std::string> every_trace() {
    std::vector<std::string> traces;
    for (const char* folder : {"/traces/corpus", "/traces/violations"}) {
        for (const auto& entry :
             std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + folder)) {
            if (entry.path().extension() == ".json") traces.push_back(entry.path().string());
        }
    }
    std::sort(traces.begin(), traces.end());
    return traces;
}

pviz::TraceView view_of(const std::string& path) {
    return pviz::build_trace_view(ptrace::load_trace(pscenario::read_file(path), path));
}

// Mermaid's sequenceDiagram, the statements we write: participants with aliases, messages
// between declared participants, notes over one or two, rect blocks closed by end. Text must
// not hold a raw ';' (ends a statement) or a '#' that is not an entity code.
std::string mermaid_problem(const std::string& chart) {
    static const std::regex participant(R"(^    participant (c\d+) as (.+)$)");
    static const std::regex message(R"(^    (c\d+)(->>|-->>|-\)|--\)|-x|--x)(c\d+): (.+)$)");
    static const std::regex note(R"(^    Note (over|left of|right of) (c\d+)(,(c\d+))?: (.+)$)");
    static const std::regex rect(R"(^    rect rgb\(\d{1,3}, \d{1,3}, \d{1,3}\)$)");
    std::istringstream lines(chart);
    std::string line;
    std::getline(lines, line);
    if (line != "sequenceDiagram") return "first line: " + line;
    std::set<std::string> declared;
    int open_rects = 0;
    std::smatch match;
    // Entity codes (#35;) are fine; any other '#' or ';' is not.
    auto text_problem = [](const std::string& text) {
        const std::string plain = std::regex_replace(text, std::regex(R"(#\d+;)"), "");
        return plain.find_first_of("#;") != std::string::npos;
    };
    while (std::getline(lines, line)) {
        if (std::regex_match(line, match, participant)) {
            if (!declared.insert(match[1]).second) return "declared twice: " + line;
            if (text_problem(match[2])) return "unescaped text: " + line;
        } else if (std::regex_match(line, match, message)) {
            if (!declared.count(match[1]) || !declared.count(match[3]))
                return "undeclared: " + line;
            if (text_problem(match[4])) return "unescaped text: " + line;
        } else if (std::regex_match(line, match, note)) {
            if (!declared.count(match[2]) || (match[4].matched && !declared.count(match[4])))
                return "undeclared: " + line;
            if (text_problem(match[5])) return "unescaped text: " + line;
        } else if (std::regex_match(line, rect)) {
            ++open_rects;
        } else if (line == "    end") {
            if (--open_rects < 0) return "end without rect";
        } else {
            return "not a sequenceDiagram statement: " + line;
        }
    }
    return open_rects == 0 ? "" : "rect not closed";
}

// An ITF value (ADR-015): bool, string, integer within 2^53, sequence, record, or one of the
// #bigint, #tup, #set, #map, #unserializable forms.
bool itf_value(const json& value) {
    if (value.is_boolean() || value.is_string()) return true;
    if (value.is_number_integer()) return std::abs(value.get<double>()) < 9007199254740992.0;
    if (value.is_array()) {
        return std::all_of(value.begin(), value.end(),
                           [](const json& item) { return itf_value(item); });
    }
    if (!value.is_object()) return false;
    if (value.size() == 1 && value.contains("#bigint")) {
        return value["#bigint"].is_string() &&
               std::regex_match(value["#bigint"].get<std::string>(), std::regex("-?[0-9]+"));
    }
    if (value.size() == 1 && (value.contains("#tup") || value.contains("#set"))) {
        return itf_value(value.begin().value()) && value.begin().value().is_array();
    }
    if (value.size() == 1 && value.contains("#map")) {
        for (const json& pair : value["#map"]) {
            if (!pair.is_array() || pair.size() != 2 || !itf_value(pair[0]) || !itf_value(pair[1]))
                return false;
        }
        return value["#map"].is_array();
    }
    if (value.size() == 1 && value.contains("#unserializable")) return value.begin()->is_string();
    for (const auto& [key, field] : value.items()) {
        if (key.empty() || key[0] == '#' || !itf_value(field)) return false;
    }
    return true;
}

std::string itf_problem(const json& trace) {
    if (!trace.is_object() || !trace.contains("vars") || !trace.contains("states"))
        return "the required fields vars and states";
    if (trace.contains("#meta") && !trace["#meta"].is_object()) return "#meta";
    std::set<std::string> vars;
    for (const json& name : trace["vars"]) {
        if (!name.is_string() || !vars.insert(name.get<std::string>()).second) return "vars";
    }
    if (!trace["states"].is_array() || trace["states"].empty()) return "states";
    for (const json& state : trace["states"]) {
        if (!state.is_object()) return "a state that is not an object";
        std::set<std::string> keys;
        for (const auto& [key, value] : state.items()) {
            if (key == "#meta") continue;
            if (!vars.count(key)) return "a variable not in vars: " + key;
            if (!itf_value(value)) return "not an ITF value: " + key;
            keys.insert(key);
        }
        if (keys != vars) return "a state without every variable";
    }
    return "";
}

TEST(Pictures, EveryTraceInEveryFormat) {
    const std::vector<std::string> traces = every_trace();
    ASSERT_GE(traces.size(), 70u);
    for (const std::string& path : traces) {
        SCOPED_TRACE(path);
        const pviz::TraceView view = view_of(path);
        const json recorded = json::parse(pscenario::read_file(path));
        ASSERT_EQ(view.steps.size(), recorded["steps"].size());
        ASSERT_EQ(view.states.size(), view.steps.size() + 1);
        for (std::size_t step = 0; step < view.steps.size(); ++step) {
            EXPECT_EQ(view.steps[step].label, recorded["steps"][step]["label"]);
            EXPECT_EQ(view.states[step + 1]["fingerprint"], recorded["steps"][step]["fingerprint"]);
        }
        // The view finds the violation the trace records, at the same property.
        if (recorded["violation"].is_null()) {
            EXPECT_FALSE(view.violation.has_value());
        } else {
            ASSERT_TRUE(view.violation.has_value());
            EXPECT_EQ(view.violation->property, recorded["violation"]["property"]);
        }
        EXPECT_EQ(mermaid_problem(pviz::mermaid_chart(view)), "");
        const json itf = pviz::itf_trace(view);
        EXPECT_EQ(itf_problem(itf), "");
        EXPECT_EQ(itf["states"].size(), view.states.size());
        const std::string svg = pviz::svg_chart(view);
        for (std::size_t step = 1; step <= view.steps.size(); ++step) {
            EXPECT_NE(svg.find("data-step=\"" + std::to_string(step) + "\""), std::string::npos);
        }
        EXPECT_NE(pviz::text_chart(view).find("verdict: " + pviz::verdict_text(view)),
                  std::string::npos);
    }
}

TEST(Pictures, GrammarChecksCanFail) {
    EXPECT_NE(mermaid_problem("sequenceDiagram\n    c0->>c1: x\n"), "");
    EXPECT_NE(mermaid_problem("sequenceDiagram\n    participant c0 as a\n    Note over c0: a;b\n"),
              "");
    EXPECT_NE(mermaid_problem("sequenceDiagram\n    participant c0 as a#b\n"), "");
    EXPECT_NE(mermaid_problem("sequenceDiagram\n    rect rgb(1, 2, 3)\n"), "");
    EXPECT_EQ(mermaid_problem("sequenceDiagram\n    participant c0 as a#35;b\n"), "");
    EXPECT_NE(itf_problem(json{{"vars", {"x"}}, {"states", {{{"y", 1}}}}}), "");
    EXPECT_NE(itf_problem(json{{"vars", {"x"}}, {"states", {{{"x", nullptr}}}}}), "");
    EXPECT_NE(itf_problem(json{{"vars", {"x"}}, {"states", {{{"x", {{"#bigint", "1x"}}}}}}}), "");
    EXPECT_EQ(itf_problem(json{{"vars", {"x"}}, {"states", {{{"x", {{"#bigint", "-12"}}}}}}}), "");
}

TEST(Pictures, ProvenanceAndTheViolationAreShown) {
    const pviz::TraceView view = view_of(std::string(PROTOCHECK_SOURCE_DIR) +
                                         "/traces/corpus/tractor-nested-error-relay-seed-1.json");
    const std::string text = pviz::text_chart(view);
    EXPECT_NE(text.find("ends: failed"), std::string::npos) << text;
    EXPECT_NE(text.find("relay"), std::string::npos) << text;
    const pviz::TraceView broken =
        view_of(std::string(PROTOCHECK_SOURCE_DIR) +
                "/traces/violations/"
                "violation-data_message_failed-off-data-to-exiting-component-seed-1.json");
    EXPECT_NE(pviz::mermaid_chart(broken).find("VIOLATION LC-2"), std::string::npos);
    EXPECT_NE(pviz::svg_chart(broken).find("class=\"step violating\""), std::string::npos);
    EXPECT_EQ(broken.violation_json["step"], broken.steps.size());
    const std::string html = pviz::viewer_html(broken);
    EXPECT_EQ(html.find("/*@VIEW_JSON@*/"), std::string::npos);
    EXPECT_EQ(html.find("<!--@CHART_SVG@-->"), std::string::npos);
    EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "no network";
}

// A freed component's messages go with it: drawn as dropped at that step, not in flight.
TEST(Pictures, DroppedMessagesAreNotInFlight) {
    const pviz::TraceView view = view_of(std::string(PROTOCHECK_SOURCE_DIR) +
                                         "/traces/corpus/spawn-races-cancel-by-name-seed-1.json");
    std::size_t dropped = 0;
    for (const pviz::MessageArrow& arrow : view.arrows) {
        if (arrow.dropped == 0) continue;
        ++dropped;
        EXPECT_EQ(arrow.delivered, 0u);
        EXPECT_GT(arrow.dropped, arrow.sent);
    }
    EXPECT_GT(dropped, 0u);
    EXPECT_TRUE(view.states.back()["links"].empty());
    EXPECT_EQ(pviz::mermaid_chart(view).find("in flight at the end"), std::string::npos);
    EXPECT_NE(pviz::svg_chart(view).find("dropped at step"), std::string::npos);
}

TEST(Pictures, ATraceThatDoesNotReplayIsRefused) {
    const std::string path =
        std::string(PROTOCHECK_SOURCE_DIR) + "/traces/corpus/chain-seed-1.json";
    json trace = json::parse(pscenario::read_file(path));
    trace["steps"][5]["fingerprint"] = "0x0000000000000001";
    const auto dir = std::filesystem::temp_directory_path() / "protocheck-show-test";
    std::filesystem::create_directories(dir);
    const std::string bad = (dir / "diverging.json").string();
    std::ofstream(bad) << trace.dump();
    const auto result = ptest::run_protocheck({"show", bad, "--format", "svg"});
    EXPECT_EQ(result.code, 2);
    EXPECT_NE(result.err.find("$.steps[5]"), std::string::npos) << result.err;
    // The steps replay, but the run does not end as recorded: refused as replay refuses it.
    json cut = json::parse(pscenario::read_file(path));
    cut["steps"].erase(cut["steps"].begin() + 10, cut["steps"].end());
    const std::string truncated = (dir / "truncated.json").string();
    std::ofstream(truncated) << cut.dump();
    const auto ending = ptest::run_protocheck({"show", truncated});
    EXPECT_EQ(ending.code, 2);
    EXPECT_NE(ending.err.find("$.end"), std::string::npos) << ending.err;
    const auto scenario = ptest::run_protocheck(
        {"show", std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/chain.json"});
    EXPECT_EQ(scenario.code, 2);
    const auto written = ptest::run_protocheck(
        {"show", path, "--format", "itf", "--out", (dir / "chain.itf.json").string()});
    EXPECT_EQ(written.code, 0) << written.err;
    EXPECT_EQ(itf_problem(json::parse(pscenario::read_file((dir / "chain.itf.json").string()))),
              "");
}

}  // namespace

namespace {

// check --html and simulate --html: the viewer beside every counterexample.
TEST(Pictures, CheckAndSimulateWriteTheViewerBesideTheirTraces) {
    const auto dir = std::filesystem::temp_directory_path() / "protocheck-html-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string scenario =
        std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/data-to-exiting-component.json";
    const std::string trace = (dir / "cex.json").string();
    const auto checked =
        ptest::run_protocheck({"check", scenario, "--variant", "data_message_failed=off",
                               "--trace-out", trace, "--html"});
    EXPECT_EQ(checked.code, 1) << checked.err;
    const std::string page = pscenario::read_file((dir / "cex.html").string());
    EXPECT_NE(page.find("\"property\":\"LC-2\""), std::string::npos);
    const auto simulated =
        ptest::run_protocheck({"simulate", scenario, "--variant", "data_message_failed=off",
                               "--runs", "20", "--trace-out", dir.string(), "--html"});
    EXPECT_EQ(simulated.code, 1) << simulated.err;
    std::size_t traces = 0;
    std::size_t pages = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("data-to-exiting-component", 0) != 0) continue;
        traces += entry.path().extension() == ".json";
        pages += entry.path().extension() == ".html";
    }
    EXPECT_GT(traces, 0u);
    EXPECT_EQ(pages, traces) << "one viewer per failing trace, the shrunk one included";
}

}  // namespace
