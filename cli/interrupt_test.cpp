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

// The uninterrupted run, in-process.
pcheck::CheckResult uninterrupted(const std::string& scenario,
                                  const std::vector<std::string>& design) {
    pcheck::CheckOptions options;
    options.threads = 2;
    for (std::size_t at = 0; at + 1 < design.size(); at += 2) {
        if (design[at] == "--variant") {
            EXPECT_FALSE(pmodel::set_variant(options.variants, design[at + 1]).has_value());
        } else {
            options.faults.of(pcore::FaultKind::crash) = 1;  // the only fault these cases use
        }
    }
    return pcheck::check(ptest::bundled(scenario), options);
}

// Resumes the checkpoint in `dir`/ckpt and compares with the uninterrupted run.
void expect_resumed_like(const pcheck::CheckResult& expected, const std::string& dir) {
    const ptest::ProcessOutcome resumed =
        ptest::run_binary({"check", "--resume", dir + "/ckpt", "--report", dir + "/report.json",
                           "--trace-out", dir + "/trace.json"},
                          600);
    const json report = json::parse(ptest::read_whole(dir + "/report.json"));
    const char* verdict = expected.verdict == pcheck::Verdict::pass ? "pass" : "violation";
    EXPECT_EQ(report.at("result"), verdict) << resumed.out << resumed.err;
    EXPECT_EQ(report.at("resumed"), true);
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

// A check killed outright (SIGKILL) just after its first checkpoint, on more than a million
// states. The uninterrupted run's figures are pinned rather than searched again in the debug
// suite: check.independent-pipelines runs it uninterrupted (1,165,791 states with dead fields
// merged, the default; the reduction tests' plain search has 1,204,739).
TEST(KilledCheck, ResumesToTheCountsOfAnUninterruptedRun) {
    pcheck::CheckResult expected;
    expected.states = 1165791;
    expected.transitions = 5743953;
    expected.depth = 65;
    const std::string dir = fresh_dir("pipelines");
    bool killed = false;
    const ptest::ProcessOutcome first =
        ptest::run_binary({"check", scenario_path("independent-pipelines"), "--checkpoint",
                           dir + "/ckpt", "--checkpoint-every", "1"},
                          600, [&](pid_t pid) {
                              if (!killed && fs::exists(dir + "/ckpt/checkpoint.json")) {
                                  kill(pid, SIGKILL);
                                  killed = true;
                              }
                          });
    ASSERT_TRUE(killed) << "the search ended before its first checkpoint: " << first.out;
    ASSERT_EQ(first.signal, SIGKILL);
    expect_resumed_like(expected, dir);
}

// A check stopped by --max-states mid-layer (its parent log then holds records past the last
// checkpoint, which the resume must cut off), checkpointing after every layer: whatever the
// machine's speed, the stop comes after some checkpoint and before the end. The violation is
// found after the resume, so the counterexample crosses the checkpoint.
TEST(StoppedCheck, ResumesToTheSameVerdictAndCounterexampleLength) {
    const std::vector<std::string> design = {"--variant", "close_port_info=none", "--faults",
                                             "crash:1"};
    const pcheck::CheckResult expected = uninterrupted("chain", design);
    ASSERT_EQ(expected.verdict, pcheck::Verdict::violation);
    const std::string dir = fresh_dir("chain");
    std::vector<std::string> args = {"check",
                                     scenario_path("chain"),
                                     "--checkpoint",
                                     dir + "/ckpt",
                                     "--checkpoint-every",
                                     "0",
                                     "--max-states",
                                     std::to_string(expected.states / 2)};
    args.insert(args.end(), design.begin(), design.end());
    const ptest::ProcessOutcome first = ptest::run_binary(args, 600);
    ASSERT_EQ(first.exit_code, 3) << first.out << first.err;
    ASSERT_TRUE(fs::exists(dir + "/ckpt/checkpoint.json"));
    expect_resumed_like(expected, dir);
}

}  // namespace

namespace {

// Issue 15: a campaign stopped by SIGINT writes a valid report of the runs it finished, and
// every trace it found is on disk and replays.
TEST(Interrupt, SigintStopsACampaignWithItsReportAndEveryTraceFound) {
    const std::string dir = fresh_dir("campaign");
    const auto started = std::chrono::steady_clock::now();
    bool sent = false;
    const ptest::ProcessOutcome outcome =
        ptest::run_binary({"simulate", scenario_path("chain"), "--runs", "100000000", "--variant",
                           "close_port_info=none", "--trace-out", dir + "/traces", "--report",
                           dir + "/report.json", "--keep-traces", "groups"},
                          600, [&](pid_t pid) {
                              if (!sent && seconds_since(started) > 1.5) {
                                  kill(pid, SIGINT);
                                  sent = true;
                              }
                          });
    ASSERT_TRUE(sent) << "the campaign ended before the signal: " << outcome.out;
    // A violation was found before the signal: exit 1 (3 when none was).
    EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
    EXPECT_NE(outcome.out.find("stopped (interrupted)"), std::string::npos) << outcome.out;
    const json report = json::parse(ptest::read_whole(dir + "/report.json"));
    EXPECT_EQ(report.at("stop"), "interrupted");
    const auto finished = report.at("runs_finished").get<std::uint64_t>();
    EXPECT_GT(finished, 100u);
    EXPECT_LT(finished, 100000000u);
    EXPECT_EQ(report.at("runs_passed").get<std::uint64_t>() +
                  report.at("runs_violating").get<std::uint64_t>() +
                  report.at("runs_incomplete").get<std::uint64_t>(),
              finished);
    ASSERT_FALSE(report.at("violation_groups").empty());
    ASSERT_FALSE(report.at("traces").empty());
    for (const json& path : report.at("traces")) {
        const ptest::ProcessOutcome replayed =
            ptest::run_binary({"replay", path.get<std::string>()}, 60);
        EXPECT_EQ(replayed.exit_code, 0) << path << replayed.out << replayed.err;
        EXPECT_NE(replayed.out.find("reproduced violation of"), std::string::npos) << replayed.out;
    }
    // Every file in the directory is a listed trace: nothing half-written is left behind.
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir + "/traces")) {
        EXPECT_EQ(entry.path().extension(), ".json") << entry.path();
        ++files;
    }
    EXPECT_EQ(files, report.at("traces").size());
}

}  // namespace
