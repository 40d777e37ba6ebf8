// The HTML trace viewer in a real browser: `protocheck show --format html` writes the page, a
// headless Chromium opens it from file:// with no network, and the keys, the buttons and the
// chart are driven as a user would. What the page shows is checked against the trace file
// itself (labels, fingerprints, the violated property, the components), not against the view
// model the page embeds, so a view model that drifts from its trace fails here too.
//
// ctest passes PROTOCHECK_BIN, PROTOCHECK_SOURCE_DIR and PROTOCHECK_VIEWER_OUT (where the pages
// and the screenshots go). A machine without Chromium fails the test: a viewer that was never
// opened must not pass.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "devtools_pipe.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ptest::devtools::DevtoolsBrowser;
using ptest::devtools::DevtoolsPage;

const char* const violation_trace =
    "traces/violations/violation-data_message_failed-off-data-to-exiting-component-seed-1.json";
const char* const passing_trace = "traces/corpus/chain-seed-1.json";

std::string browser_executable() {
    const char* chosen = std::getenv("PROTOCHECK_CHROMIUM");  // another browser, if wanted
    return chosen != nullptr && *chosen != '\0' ? chosen : "/usr/bin/chromium";
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

std::string read_whole(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs `argv` with its output in `log_path`; its exit status, or -1 when it did not exit.
int run_process(const std::vector<std::string>& arguments, const std::string& log_path) {
    std::vector<std::string> copies = arguments;
    std::vector<char*> argv;
    for (std::string& argument : copies) argv.push_back(argument.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

// What the page shows of the current step.
struct ShownStep {
    std::string counter;
    std::string label;
    std::string fingerprint;
};

ShownStep shown_step(DevtoolsPage& page) {
    const json shown = page.evaluate(
        "({counter: document.getElementById('step-counter').textContent,"
        "  label: document.getElementById('step-label').textContent,"
        "  fingerprint: document.getElementById('step-fingerprint').textContent})");
    return {shown.at("counter"), shown.at("label"), shown.at("fingerprint")};
}

// Whether the page shows step `step` of `trace` (0: the initial state, whose fingerprint the
// trace does not record).
::testing::AssertionResult shows_step(DevtoolsPage& page, const json& trace, std::size_t step) {
    const json& steps = trace.at("steps");
    const ShownStep shown = shown_step(page);
    const std::string counter =
        "Step " + std::to_string(step) + " of " + std::to_string(steps.size());
    const std::string label =
        step == 0 ? "initial state" : steps.at(step - 1).at("label").get<std::string>();
    if (shown.counter != counter || shown.label != label) {
        return ::testing::AssertionFailure()
               << "shows \"" << shown.counter << "\" \"" << shown.label << "\", expected \""
               << counter << "\" \"" << label << "\"";
    }
    if (step > 0 && shown.fingerprint != steps.at(step - 1).at("fingerprint")) {
        return ::testing::AssertionFailure() << "fingerprint " << shown.fingerprint << ", expected "
                                             << steps.at(step - 1).at("fingerprint");
    }
    return ::testing::AssertionSuccess();
}

// The centre of a visible point of the chart row of `step`, after scrolling it into view: the
// first of a few points along the row that the row itself would receive a click at.
json chart_row_point(DevtoolsPage& page, std::size_t step) {
    return page.evaluate(R"((() => {
        const row = document.querySelector('#chart g.step[data-step=")" +
                         std::to_string(step) + R"("]');
        if (!row) return null;
        row.scrollIntoView({block: 'center'});
        const band = (row.querySelector('rect.hit') || row).getBoundingClientRect();
        const panel = document.getElementById('chart').getBoundingClientRect();
        const left = Math.max(band.left, panel.left), right = Math.min(band.right, panel.right);
        const y = (Math.max(band.top, panel.top) + Math.min(band.bottom, panel.bottom)) / 2;
        for (const fraction of [0.5, 0.3, 0.7, 0.1, 0.9]) {
            const x = left + (right - left) * fraction;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.closest('g.step') === row) return {x, y};
        }
        return null;
    })())");
}

std::string class_of_row(DevtoolsPage& page, std::size_t step) {
    const json classes =
        page.evaluate("(document.querySelector('#chart g.step[data-step=\"" + std::to_string(step) +
                      "\"]') || {getAttribute: () => null}).getAttribute('class')");
    return classes.is_string() ? classes.get<std::string>() : "";
}

class BrowserViewer : public ::testing::Test {
  protected:
    void SetUp() override {
        protocheck_ = environment("PROTOCHECK_BIN");
        source_dir_ = environment("PROTOCHECK_SOURCE_DIR");
        out_dir_ = environment("PROTOCHECK_VIEWER_OUT");
        ASSERT_FALSE(protocheck_.empty() || source_dir_.empty() || out_dir_.empty())
            << "set PROTOCHECK_BIN, PROTOCHECK_SOURCE_DIR and PROTOCHECK_VIEWER_OUT (ctest does)";
        const bool browser_found = access(browser_executable().c_str(), X_OK) == 0;
        ASSERT_TRUE(browser_found)
            << "Chromium is needed to test the HTML viewer and there is none at "
            << browser_executable() << " (apt-get install chromium, or set PROTOCHECK_CHROMIUM)";
        fs::create_directories(out_dir_);
        out_dir_ = fs::absolute(out_dir_).string();
    }

    json read_trace(const std::string& relative) {
        return json::parse(read_whole(source_dir_ + "/" + relative));
    }

    // The viewer page of a trace, written by protocheck: the one place the page is made.
    std::string produce_page(const std::string& trace_relative, const std::string& name) {
        const std::string page = out_dir_ + "/" + name + ".html";
        const std::string log = out_dir_ + "/" + name + ".log";
        fs::remove(page);
        const int status = run_process({protocheck_, "show", source_dir_ + "/" + trace_relative,
                                        "--format", "html", "--out", page},
                                       log);
        EXPECT_EQ(status, 0) << "protocheck show failed:\n" << read_whole(log);
        EXPECT_TRUE(fs::exists(page)) << page;
        return page;
    }

    std::string protocheck_;
    std::string source_dir_;
    std::string out_dir_;
};

// Steps forward through every step with the arrow key, then one back.
void walk_forward_and_back(DevtoolsPage& page, const json& trace) {
    const std::size_t last = trace.at("steps").size();
    ASSERT_TRUE(shows_step(page, trace, 0)) << "on opening";
    for (std::size_t step = 1; step <= last; ++step) {
        page.press_key("ArrowRight");
        ASSERT_TRUE(shows_step(page, trace, step)) << "after " << step << " ArrowRight";
    }
    page.press_key("ArrowRight");
    ASSERT_TRUE(shows_step(page, trace, last)) << "ArrowRight at the last step stays there";
    page.press_key("ArrowLeft");
    ASSERT_TRUE(shows_step(page, trace, last - 1)) << "after ArrowLeft";
}

// At the last step (End), one component card for each component of the trace's outcomes.
void expect_components_at_end(DevtoolsPage& page, const json& trace) {
    page.press_key("End");
    ASSERT_TRUE(shows_step(page, trace, trace.at("steps").size())) << "after End";
    const json cards = page.evaluate("document.querySelectorAll('#world .component').length");
    EXPECT_EQ(cards.get<std::size_t>(), trace.at("outcomes").size());
}

// A click on the chart row of step 3 shows step 3; Home goes back to the initial state.
void click_row_then_home(DevtoolsPage& page, const json& trace) {
    const json point = chart_row_point(page, 3);
    ASSERT_TRUE(point.is_object()) << "no clickable chart row for step 3";
    page.click_at(point.at("x").get<double>(), point.at("y").get<double>());
    ASSERT_TRUE(shows_step(page, trace, 3)) << "after clicking the chart row of step 3";
    EXPECT_NE(class_of_row(page, 3).find("current"), std::string::npos) << class_of_row(page, 3);
    EXPECT_NE(class_of_row(page, 4).find("future"), std::string::npos) << class_of_row(page, 4);
    EXPECT_EQ(class_of_row(page, 2).find("future"), std::string::npos) << class_of_row(page, 2);
    EXPECT_EQ(page.evaluate("location.hash"), "#step=3");
    page.press_key("Home");
    ASSERT_TRUE(shows_step(page, trace, 0)) << "after Home";
}

TEST_F(BrowserViewer, ViolationTraceStepsToTheViolatedProperty) {
    const json trace = read_trace(violation_trace);
    const std::string page_path = produce_page(violation_trace, "viewer-violation");
    ASSERT_FALSE(HasFailure());
    const std::string property = trace.at("violation").at("property");

    DevtoolsBrowser browser({.executable = browser_executable()});
    DevtoolsPage page = DevtoolsPage::attach_first_page(browser);
    page.navigate(ptest::devtools::file_url(page_path));
    ASSERT_NO_FATAL_FAILURE(walk_forward_and_back(page, trace));
    ASSERT_NO_FATAL_FAILURE(expect_components_at_end(page, trace));

    const json status = page.evaluate("(document.querySelector('#properties tr[data-property=\"" +
                                      property + "\"]') || {dataset: {}}).dataset.status ?? null");
    EXPECT_EQ(status, "violated") << property;
    const std::string verdict =
        page.evaluate("document.getElementById('verdict').textContent").get<std::string>();
    EXPECT_NE(verdict.find(property), std::string::npos) << verdict;
    page.save_screenshot(out_dir_ + "/viewer-violation.png");

    ASSERT_NO_FATAL_FAILURE(click_row_then_home(page, trace));
}

TEST_F(BrowserViewer, PassingTraceStepsByKeysButtonsAndAddress) {
    const json trace = read_trace(passing_trace);
    const std::string page_path = produce_page(passing_trace, "viewer-passing");
    ASSERT_FALSE(HasFailure());

    DevtoolsBrowser browser({.executable = browser_executable()});
    DevtoolsPage page = DevtoolsPage::attach_first_page(browser);
    const std::string url = ptest::devtools::file_url(page_path);
    page.navigate(url);
    ASSERT_NO_FATAL_FAILURE(walk_forward_and_back(page, trace));
    ASSERT_NO_FATAL_FAILURE(expect_components_at_end(page, trace));
    const std::string verdict =
        page.evaluate("document.getElementById('verdict').textContent").get<std::string>();
    EXPECT_NE(verdict.find("no violation"), std::string::npos) << verdict;
    EXPECT_EQ(page.evaluate("document.querySelectorAll('#properties tr.violated').length"), 0);

    ASSERT_NO_FATAL_FAILURE(click_row_then_home(page, trace));
    page.press_key("j");
    EXPECT_TRUE(shows_step(page, trace, 1)) << "after j";
    page.evaluate("document.getElementById('next').click()");
    EXPECT_TRUE(shows_step(page, trace, 2)) << "after the next button";
    page.press_key("k");
    EXPECT_TRUE(shows_step(page, trace, 1)) << "after k";

    // A page opened at #step=5 starts there (about:blank first: a new document, not a jump).
    page.navigate("about:blank");
    page.navigate(url + "#step=5");
    EXPECT_TRUE(shows_step(page, trace, 5)) << "opened at #step=5";
    page.save_screenshot(out_dir_ + "/viewer-passing.png");
}

}  // namespace
