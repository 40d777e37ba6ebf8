// Issue 14: a check stopped by a signal reports what it covered and exits 3; a check killed
// outright goes on from its last checkpoint and ends as an uninterrupted run would.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "bundled.hpp"
#include "pcheck/checker.hpp"
#include "pmodel/variant_names.hpp"
#include "subprocess.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string scenario_path(const std::string& name) {
    return std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

std::string fresh_dir(const std::string& name) {
    const std::string dir = ::testing::TempDir() + "protocheck-interrupt-" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(Interrupt, SigintStopsCheckWithAReportAndExitThree) {
    const std::string dir = fresh_dir("sigint");
    const auto started = std::chrono::steady_clock::now();
    bool sent = false;
    const ptest::ProcessOutcome outcome = ptest::run_binary(
        {"check", scenario_path("independent-pipelines"), "--report", dir + "/report.json"}, 600,
        [&](pid_t pid) {
            if (!sent && seconds_since(started) > 0.5) {
                kill(pid, SIGINT);
                sent = true;
            }
        });
    ASSERT_TRUE(sent) << "the search ended before the signal: " << outcome.out;
    EXPECT_EQ(outcome.exit_code, 3) << outcome.out << outcome.err;
    EXPECT_NE(outcome.out.find("INCOMPLETE: interrupted by SIGINT"), std::string::npos)
        << outcome.out;
    const json report = json::parse(ptest::read_whole(dir + "/report.json"));
    EXPECT_EQ(report.at("result"), "incomplete");
    EXPECT_EQ(report.at("stop_reason"), "interrupted by SIGINT");
    EXPECT_GT(report.at("states").get<std::uint64_t>(), 1u);
    EXPECT_EQ(report.at("properties").at("DF-1").at("status"), "bounded");
}

struct Resumable {
    std::string name;
    std::string scenario;
    std::vector<std::string> design;  // --variant and --faults flags
};

class KilledCheck : public ::testing::TestWithParam<Resumable> {};

// The uninterrupted run, in-process.
pcheck::CheckResult uninterrupted(const Resumable& item) {
    pcheck::CheckOptions options;
    options.threads = 2;
    for (std::size_t at = 0; at + 1 < item.design.size(); at += 2) {
        if (item.design[at] == "--variant") {
            EXPECT_FALSE(pmodel::set_variant(options.variants, item.design[at + 1]).has_value());
        } else {
            options.faults.of(pcore::FaultKind::crash) = 1;  // the only fault these cases use
        }
    }
    return pcheck::check(ptest::bundled(item.scenario), options);
}

TEST_P(KilledCheck, ResumesToTheVerdictOfAnUninterruptedRun) {
    const Resumable& item = GetParam();
    const pcheck::CheckResult expected = uninterrupted(item);
    const std::string dir = fresh_dir(item.name);
    std::vector<std::string> args = {"check",       scenario_path(item.scenario), "--checkpoint",
                                     dir + "/ckpt", "--checkpoint-every",         "1"};
    args.insert(args.end(), item.design.begin(), item.design.end());
    bool killed = false;
    const ptest::ProcessOutcome first = ptest::run_binary(args, 600, [&](pid_t pid) {
        if (!killed && fs::exists(dir + "/ckpt/checkpoint.json")) {
            kill(pid, SIGKILL);
            killed = true;
        }
    });
    ASSERT_TRUE(killed) << "the search ended before its first checkpoint: " << first.out;
    ASSERT_EQ(first.signal, SIGKILL);
    const ptest::ProcessOutcome resumed =
        ptest::run_binary({"check", "--resume", dir + "/ckpt", "--report", dir + "/report.json",
                           "--trace-out", dir + "/trace.json"},
                          600);
    const json report = json::parse(ptest::read_whole(dir + "/report.json"));
    const char* verdict = expected.verdict == pcheck::Verdict::pass ? "pass" : "violation";
    EXPECT_EQ(report.at("result"), verdict) << resumed.out << resumed.err;
    EXPECT_EQ(report.at("resumed"), true);
    EXPECT_GT(report.at("depth").get<std::uint32_t>(), 0u);
    EXPECT_EQ(report.at("states").get<std::uint64_t>(), expected.states);
    EXPECT_EQ(report.at("transitions").get<std::uint64_t>(), expected.transitions);
    EXPECT_EQ(report.at("depth").get<std::uint32_t>(), expected.depth);
    EXPECT_EQ(report.at("counterexample_steps").get<std::size_t>(), expected.counterexample.size());
    if (expected.verdict == pcheck::Verdict::violation) {
        EXPECT_EQ(resumed.exit_code, 1);
        const ptest::ProcessOutcome replayed =
            ptest::run_binary({"replay", dir + "/trace.json"}, 60);
        EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
        EXPECT_NE(replayed.out.find("reproduced violation of " + expected.violation->property),
                  std::string::npos)
            << replayed.out;
    } else {
        EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
    }
}

INSTANTIATE_TEST_SUITE_P(
    MidSearch,
    KilledCheck,
    ::testing::Values(
        // More than a million states, every property holding.
        Resumable{"pipelines", "independent-pipelines", {}},
        // A violation found after the resume: the counterexample crosses the checkpoint.
        Resumable{"relay_violation",
                  "failure-decision-relay",
                  {"--variant", "leader_holds_refs=off", "--faults", "crash:1"}}),
    [](const ::testing::TestParamInfo<Resumable>& param_info) { return param_info.param.name; });

}  // namespace
