// The command line, in-process: exit codes, messages, determinism of reports and traces.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_run.hpp"

namespace {

using Outcome = ptest::CliOutcome;

Outcome run(std::vector<std::string> args) {
    return ptest::run_protocheck(std::move(args));
}

std::string scenario(const std::string& name) {
    return std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

std::string temp_dir(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() / ("protocheck-cli-" + name);
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    return path.string();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(Cli, SimulatePrintsOutcomesAndPasses) {
    const auto result =
        run({"simulate", scenario("error-before-sync"), "--runs", "50", "--seed", "1"});
    EXPECT_EQ(result.code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("r: failed IndexOutOfBounds (origin s, remote)"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("DF-1: holds in all 50 run(s)"), std::string::npos);
    EXPECT_NE(result.out.find("NM-4: holds in all 50 run(s)"), std::string::npos);
    EXPECT_EQ(result.out.find("not checked"), std::string::npos) << "every property is checked";
}

TEST(Cli, FaultsAreInjectedAndReplayable) {
    const std::string dir = temp_dir("faults");
    const auto result = run({"simulate", scenario("chain"), "--runs", "40", "--seed", "1",
                             "--faults", "crash:1,cancel:1,signal:1", "--keep-traces", "all",
                             "--trace-out", dir, "--report", dir + "/report.json"});
    EXPECT_EQ(result.code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("runs with an injected fault: "), std::string::npos);
    const std::string report = slurp(dir + "/report.json");
    EXPECT_NE(report.find("\"runs_with_faults\""), std::string::npos);
    // Some trace holds a fault step, and every trace replays.
    bool saw_fault = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".json" || entry.path().filename() == "report.json")
            continue;
        saw_fault =
            saw_fault || slurp(entry.path().string()).find("\"fault\"") != std::string::npos;
        const auto replayed = run({"replay", entry.path().string()});
        EXPECT_EQ(replayed.code, 0) << entry.path() << replayed.out << replayed.err;
    }
    EXPECT_TRUE(saw_fault);
}

TEST(Cli, CheckExitCodesReportAndCounterexample) {
    const std::string dir = temp_dir("check");
    const auto pass = run({"check", scenario("error-before-sync"), "--report", dir + "/pass.json"});
    EXPECT_EQ(pass.code, 0) << pass.out << pass.err;
    const std::string report = slurp(dir + "/pass.json");
    for (const char* field : {"\"states\"", "\"transitions\"", "\"depth\"", "\"seconds\"",
                              "\"states_per_second\"", "\"generated_states_per_second\"",
                              "\"bytes_per_state\"", "\"fingerprint_collision_probability\"",
                              "\"NM-4\"", "\"peak_frontier_bytes\"", "\"peak_resident_bytes\""}) {
        EXPECT_NE(report.find(field), std::string::npos) << field;
    }
    const auto figures = nlohmann::json::parse(report);
    EXPECT_GT(figures.at("peak_frontier_bytes").get<std::uint64_t>(), 0u);
    EXPECT_GT(figures.at("peak_resident_bytes").get<std::uint64_t>(), 0u);
    const auto violation = run({"check", scenario("rayfed-cross-silo-normal-task-error"),
                                "--variant", "error_relay=none", "--trace-out", dir + "/ce.json"});
    EXPECT_EQ(violation.code, 1) << violation.out;
    EXPECT_NE(violation.out.find("VIOLATION of DF-1"), std::string::npos) << violation.out;
    const auto replayed = run({"replay", dir + "/ce.json"});
    EXPECT_EQ(replayed.code, 0) << "a violation reproduced as recorded is a successful replay";
    EXPECT_NE(replayed.out.find("reproduced violation of DF-1"), std::string::npos)
        << replayed.out << replayed.err;
    const auto bounded = run({"check", scenario("chain"), "--max-states", "50"});
    EXPECT_EQ(bounded.code, 3) << bounded.out;
    EXPECT_NE(bounded.out.find("INCOMPLETE"), std::string::npos);
    const auto bad = run({"check", scenario("chain"), "--threads", "0"});
    EXPECT_EQ(bad.code, 2);
    const auto bad_variant = run({"check", scenario("chain"), "--variant", "network=carrier"});
    EXPECT_EQ(bad_variant.code, 2);
    EXPECT_NE(bad_variant.err.find("fifo_pair"), std::string::npos);
}

TEST(Cli, CheckProgressLinesOnRequest) {
    // Not a terminal here: no progress unless asked for.
    const auto quiet = run({"check", scenario("chain")});
    EXPECT_EQ(quiet.code, 0) << quiet.out << quiet.err;
    EXPECT_EQ(quiet.err.find("progress:"), std::string::npos) << quiet.err;
    // A tiny interval: a line after every layer, the states growing.
    const auto verbose = run({"check", scenario("chain"), "--progress", "0.000001"});
    EXPECT_EQ(verbose.code, 0) << verbose.out << verbose.err;
    EXPECT_NE(verbose.err.find("progress: depth 1, "), std::string::npos) << verbose.err;
    EXPECT_NE(verbose.err.find(" MB resident"), std::string::npos) << verbose.err;
    const auto negative = run({"check", scenario("chain"), "--progress", "-1"});
    EXPECT_EQ(negative.code, 2) << negative.out << negative.err;
}

TEST(Cli, CheckReductions) {
    const auto por = run({"check", scenario("independent-pipelines"), "--por"});
    EXPECT_EQ(por.code, 0) << por.out << por.err;
    // 16,231 with --keep-dead-fields (PartialOrder.IndependentComponentsAreNotInterleaved).
    EXPECT_NE(por.out.find("states: 12599,"), std::string::npos) << por.out;
    EXPECT_NE(por.out.find("partial-order reduction: "), std::string::npos) << por.out;
    const auto symmetric = run({"check", scenario("independent-pipelines"), "--symmetry"});
    EXPECT_EQ(symmetric.code, 0) << symmetric.out << symmetric.err;
    EXPECT_NE(symmetric.out.find("states: 63001,"), std::string::npos) << symmetric.out;
    // Where names are addressed by `cancel`, symmetry says it is off, and checks without it.
    const auto off = run({"check", scenario("tractor-peer-canceller"), "--symmetry"});
    EXPECT_EQ(off.code, 0) << off.out << off.err;
    EXPECT_NE(off.out.find("not applied"), std::string::npos) << off.out;
    // Combinations with no sound meaning yet are input errors, not silent choices.
    const auto prioritised = run({"check", scenario("host-priority-ring-3"), "--por"});
    EXPECT_EQ(prioritised.code, 2) << prioritised.out << prioritised.err;
    EXPECT_NE(prioritised.err.find("\"host_priority\" is true"), std::string::npos)
        << prioritised.err;
    const auto both = run({"check", scenario("chain"), "--por", "--symmetry"});
    EXPECT_EQ(both.code, 2) << both.out << both.err;
    EXPECT_NE(both.err.find("--por and --symmetry"), std::string::npos) << both.err;
    const auto bounded = run({"check", scenario("chain"), "--por", "--max-depth", "5"});
    EXPECT_EQ(bounded.code, 2) << bounded.out << bounded.err;
    EXPECT_NE(bounded.err.find("--por and --max-depth"), std::string::npos) << bounded.err;
}

// Dead fields are merged by default and said so; --keep-dead-fields gives the plain search.
// --breakdown prints where the states come from and puts it in the report.
TEST(Cli, CheckDeadFieldsAndBreakdown) {
    const std::string dir = temp_dir("dead-fields");
    const auto merged =
        run({"check", scenario("chain"), "--breakdown", "100000", "--report", dir + "/r.json"});
    EXPECT_EQ(merged.code, 0) << merged.out << merged.err;
    EXPECT_NE(merged.out.find("states: 8710,"), std::string::npos) << merged.out;
    EXPECT_NE(merged.out.find("dead fields: "), std::string::npos) << merged.out;
    EXPECT_NE(merged.out.find("round.combined: 1983"), std::string::npos) << merged.out;
    const nlohmann::json report = nlohmann::json::parse(slurp(dir + "/r.json"));
    EXPECT_TRUE(report.at("dead_field_reduction").get<bool>());
    EXPECT_EQ(report.at("breakdown").at("states").get<std::uint64_t>(), 8710u);
    EXPECT_EQ(report.at("breakdown").at("fields").at(0).at("field"), "round.combined");
    const auto plain = run({"check", scenario("chain"), "--keep-dead-fields"});
    EXPECT_EQ(plain.code, 0) << plain.out << plain.err;
    EXPECT_NE(plain.out.find("states: 9054,"), std::string::npos) << plain.out;
    EXPECT_EQ(plain.out.find("dead fields: "), std::string::npos) << plain.out;
    const auto zero = run({"check", scenario("chain"), "--breakdown", "0"});
    EXPECT_EQ(zero.code, 2) << zero.out << zero.err;
    EXPECT_NE(zero.err.find("--breakdown"), std::string::npos) << zero.err;
}

TEST(Cli, BadFaultCountsAndKindsAreInputErrors) {
    const auto kind = run({"simulate", scenario("chain"), "--faults", "crash:1,flood:2"});
    EXPECT_EQ(kind.code, 2);
    EXPECT_NE(kind.err.find("crash:K,cancel:K,signal:K"), std::string::npos) << kind.err;
    const auto count = run({"simulate", scenario("chain"), "--faults", "crash:x"});
    EXPECT_EQ(count.code, 2);
    EXPECT_NE(count.err.find("whole number"), std::string::npos) << count.err;
}

TEST(Cli, ReportsAndTracesAreByteIdenticalAcrossRuns) {
    const std::string dir = temp_dir("determinism");
    std::vector<std::string> reports;
    std::vector<std::map<std::string, std::string>> traces(2);
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::filesystem::remove_all(dir + "/traces");
        const auto result =
            run({"simulate", scenario("chain-leader-crash"), "--runs", "30", "--seed", "4",
                 "--report", dir + "/r.json", "--trace-out", dir + "/traces", "--keep-traces",
                 "all", "--variant", "leader_holds_refs=off"});
        EXPECT_EQ(result.code, 1);
        reports.push_back(slurp(dir + "/r.json"));
        for (const auto& entry : std::filesystem::directory_iterator(dir + "/traces")) {
            // Each violation group's first trace is also written shrunk (NAME.shrunk.json).
            if (entry.path().string().find(".shrunk.") != std::string::npos) continue;
            traces[static_cast<std::size_t>(attempt)][entry.path().filename().string()] =
                slurp(entry.path().string());
        }
    }
    EXPECT_EQ(reports[0], reports[1]);
    EXPECT_NE(reports[0].find("\"LC-1\""), std::string::npos);
    EXPECT_EQ(traces[0].size(), 30u);
    EXPECT_EQ(traces[0], traces[1]);
}

TEST(Cli, FailingRunsBecomeReplayableTraces) {
    const std::string dir = temp_dir("replay");
    const auto result = run({"simulate", scenario("chain"), "--runs", "100", "--seed", "1",
                             "--variant", "close_port_info=none", "--trace-out", dir});
    ASSERT_EQ(result.code, 1) << result.out;
    int replayed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto replay = run({"replay", entry.path().string()});
        EXPECT_EQ(replay.code, 0);
        EXPECT_NE(replay.out.find("reproduced violation of SY-3"), std::string::npos)
            << replay.out << replay.err;
        ++replayed;
    }
    EXPECT_GT(replayed, 0);
}

TEST(Cli, BadUsageAndBadInputExitTwo) {
    EXPECT_EQ(run({"simulate"}).code, 2);
    EXPECT_EQ(run({"frobnicate"}).code, 2);
    const auto missing = run({"simulate", "/nonexistent.json"});
    EXPECT_EQ(missing.code, 2);
    EXPECT_NE(missing.err.find("/nonexistent.json: $: cannot open"), std::string::npos)
        << missing.err;
    const auto variant = run({"simulate", scenario("chain"), "--variant", "network=carrier"});
    EXPECT_EQ(variant.code, 2);
    EXPECT_NE(variant.err.find("allowed: fifo_pair, fifo_channel, unordered"), std::string::npos);
    const auto faults = run({"simulate", scenario("chain"), "--faults", "meteor:3"});
    EXPECT_EQ(faults.code, 2);
    EXPECT_NE(faults.err.find("crash:K,cancel:K,signal:K"), std::string::npos);
    EXPECT_EQ(run({"simulate", scenario("chain"), "--runs", "0"}).code, 2);
    EXPECT_EQ(run({"replay", "/nonexistent.json"}).code, 2);
}

// Numeric flags are checked on their text (issue 14): no negative value wraps into a huge
// unsigned one, no count is out of its range, and seeds never wrap around.
TEST(Cli, NumericFlagsOutOfRangeExitTwoNamingTheFlag) {
    const std::vector<std::vector<std::string>> bad = {
        {"simulate", scenario("chain"), "--runs", "-1"},
        {"simulate", scenario("chain"), "--runs", "1000000000000"},
        {"simulate", scenario("chain"), "--runs", "1e3"},
        {"simulate", scenario("chain"), "--jobs", "0"},
        {"simulate", scenario("chain"), "--seed", "-5"},
        {"simulate", scenario("chain"), "--seed", "18446744073709551616"},
        {"simulate", scenario("chain"), "--seed", "18446744073709551615", "--runs", "2"},
        {"simulate", scenario("chain"), "--steps-max", "0"},
        {"check", scenario("chain"), "--threads", "0"},
        {"check", scenario("chain"), "--max-memory", "-1"},
        {"check", scenario("chain"), "--max-states", "-3"},
        {"check", scenario("chain"), "--max-depth", "4294967296"},
    };
    for (const auto& args : bad) {
        const auto outcome = run(args);
        EXPECT_EQ(outcome.code, 2) << args[2] << " " << args[3];
        EXPECT_NE(outcome.err.find(args[2] + ":"), std::string::npos) << outcome.err;
    }
    EXPECT_EQ(run({"simulate", scenario("chain"), "--seed", "18446744073709551615"}).code, 0);
}

TEST(Cli, StepsMaxGivesExitThree) {
    EXPECT_EQ(run({"simulate", scenario("chain"), "--steps-max", "3"}).code, 3);
}

// prove exits 0 only on a full proof: a property encoded in part is incomplete (3), and a CTI
// is a failure (1).
TEST(Cli, ProveExitsZeroOnlyForWhatIsWhollyProved) {
    const auto whole = run({"prove", "--property", "LC-1"});
    EXPECT_EQ(whole.code, 0) << whole.out << whole.err;
    const auto part = run({"prove", "--property", "DF-2"});
    EXPECT_EQ(part.code, 3) << part.out << part.err;
    EXPECT_NE(part.out.find("DF-2  holds"), std::string::npos) << part.out;
    EXPECT_NE(part.out.find("encoded in part: DF-2"), std::string::npos) << part.out;
    const auto broken = run({"prove", "--property", "DF-2", "--variant", "error_relay=none"});
    EXPECT_EQ(broken.code, 1) << broken.out << broken.err;
    EXPECT_NE(broken.out.find("counterexample to induction"), std::string::npos) << broken.out;
}

TEST(Cli, HelpAndListings) {
    EXPECT_EQ(run({"--help"}).code, 0);
    const auto sub = run({"simulate", "--help"});
    EXPECT_EQ(sub.code, 0);
    EXPECT_NE(sub.out.find("--steps-max"), std::string::npos) << sub.out;
    const auto variants = run({"variants"});
    EXPECT_NE(variants.out.find("close_port_info = round_number (default)"), std::string::npos);
    const auto properties = run({"properties"});
    EXPECT_NE(properties.out.find("LC-3"), std::string::npos);
}

}  // namespace

// A run that breaks one property several times counts once for it: no property can be
// violated in more runs than the campaign had, or than violated at all (issue: "VIOLATED in
// 600 run(s)" for 300 runs).
TEST(Cli, CampaignCountsEachRunOncePerProperty) {
    const std::string dir = temp_dir("counts");
    const auto result = run({"simulate", scenario("rayfed-exit-on-sending-failure"), "--runs", "60",
                             "--seed", "1", "--variant", "shutdown_guard=none", "--trace-out", dir,
                             "--report", dir + "/report.json"});
    ASSERT_EQ(result.code, 1) << result.out << result.err;
    const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
    const auto violating = report.at("runs_violating").get<std::uint64_t>();
    EXPECT_LE(violating, 60u);
    bool some = false;
    for (const auto& [id, entry] : report.at("properties").items()) {
        if (entry.at("status") != "violated") continue;
        some = true;
        EXPECT_LE(entry.at("violating_runs").get<std::uint64_t>(), violating) << id;
    }
    EXPECT_TRUE(some);
}
