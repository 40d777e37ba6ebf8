// The exhaustive checker: pinned state counts (a change in semantics shows), verdicts per
// variant against the simulator's traces, shortest counterexamples that replay, threads that
// change nothing, bounds that stop cleanly.
#include "pcheck/checker.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "bundled.hpp"
#include "pmodel/variant_names.hpp"
#include "pscenario/loader.hpp"
#include "ptrace/trace.hpp"

namespace {

using ptest::bundled;

pcheck::CheckOptions with(std::initializer_list<const char*> variants, unsigned threads = 1) {
    pcheck::CheckOptions options;
    options.threads = threads;
    for (const char* assignment : variants) {
        EXPECT_FALSE(pmodel::set_variant(options.variants, assignment).has_value());
    }
    return options;
}

struct Pinned {
    const char* scenario;
    std::uint64_t states;
    std::uint64_t transitions;
    std::uint32_t depth;
    friend void PrintTo(const Pinned& pinned, std::ostream* out) {
        *out << pinned.scenario << ": " << pinned.states << " states, " << pinned.transitions
             << " transitions, depth " << pinned.depth;
    }
};

// A test name from its parameter's words (GoogleTest allows letters, digits and '_').
std::string test_name(std::string words) {
    for (char& c : words) c = std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
    return words;
}

class StateCounts : public ::testing::TestWithParam<Pinned> {};

// The reachable state space of small scenarios under the default design. These numbers are the
// semantics' fingerprint: any change to the protocol, the world or its encoding moves them, and
// must be explained in the commit that updates them.
TEST_P(StateCounts, ArePinned) {
    const Pinned& pinned = GetParam();
    pcheck::CheckOptions plain = with({});
    plain.dead_fields = false;  // every state, as the world tells them apart
    const pcheck::CheckResult result = pcheck::check(bundled(pinned.scenario), plain);
    EXPECT_EQ(result.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(result.states, pinned.states);
    EXPECT_EQ(result.transitions, pinned.transitions);
    EXPECT_EQ(result.depth, pinned.depth);
}

INSTANTIATE_TEST_SUITE_P(
    Default,
    StateCounts,
    ::testing::Values(Pinned{"error-before-sync", 79, 151, 12},
                      Pinned{"error-in-sync-before-first", 90, 177, 13},
                      Pinned{"error-between-puts", 223, 447, 16},
                      Pinned{"error-after-interactions", 500, 1095, 21},
                      Pinned{"error-after-sync", 448, 1082, 25},
                      Pinned{"both-ends-exit", 212, 469, 21},
                      Pinned{"out-of-order-get", 514, 1133, 25},
                      Pinned{"port-in-message", 443, 1025, 34},
                      Pinned{"transfer-in-flight", 302, 654, 41},
                      Pinned{"chain", 9054, 29487, 76},
                      Pinned{"close-port-overtakes-solution", 2367, 7517, 41},
                      Pinned{"rayfed-exit-on-sending-failure", 322, 675, 18},
                      Pinned{"rayfed-cross-silo-error-relay", 808, 2226, 21},
                      Pinned{"tractor-cancel-masks-remote-error", 2507, 7754, 24},
                      Pinned{"tractor-peer-canceller", 2760, 7733, 49},
                      Pinned{"tractor-relayed-inception-error", 505, 1504, 40},
                      // Ports inside data (issue 13 items 1 to 3).
                      Pinned{"port-through-forwarding-creator", 17379, 57284, 46},
                      Pinned{"both-ends-handed-off", 26339, 105811, 46},
                      Pinned{"carried-port-bounces", 560, 1273, 21},
                      Pinned{"getter-moved-while-putter-fails-spawn-race", 9367, 26446, 38},
                      // A put its receiver declares it will not accept (issue 13 item 9).
                      Pinned{"put-never-accepted", 906, 2103, 28},
                      // Ordering, option 3 (item 8).
                      Pinned{"out-of-order-after-hand-off", 427, 1043, 25},
                      Pinned{"put-and-get-same-peer", 1112, 2700, 35},
                      // A round racing a getter end handed on twice (item 7).
                      Pinned{"sync-across-hand-off", 2377, 7458, 40}),
    [](const ::testing::TestParamInfo<Pinned>& param_info) {
        return test_name(param_info.param.scenario);
    });

using ptest::Broken;

class VariantVerdicts : public ::testing::TestWithParam<Broken> {};

std::size_t simulation_steps(const Broken& broken) {
    std::string key = broken.variant;
    key[key.find('=')] = '-';
    const std::string prefix = "violation-" + key + "-" + broken.scenario + "-seed-";
    for (const auto& entry : std::filesystem::directory_iterator(
             std::string(PROTOCHECK_SOURCE_DIR) + "/traces/violations")) {
        if (entry.path().filename().string().rfind(prefix, 0) == 0) {
            std::ifstream in(entry.path());
            return nlohmann::json::parse(in)["steps"].size();
        }
    }
    ADD_FAILURE() << "no simulation trace for " << prefix;
    return 0;
}

// Every non-default variant: a violation, no longer than the simulator's, that replays.
TEST_P(VariantVerdicts, ShortestCounterexampleReplays) {
    const Broken& broken = GetParam();
    const auto scenario = bundled(broken.scenario);
    const pcheck::CheckOptions options = with({broken.variant});
    const pcheck::CheckResult result = pcheck::check(scenario, options);
    ASSERT_EQ(result.verdict, pcheck::Verdict::violation);
    ASSERT_TRUE(result.violation.has_value());
    EXPECT_EQ(result.violation->property, broken.property);
    EXPECT_LE(result.counterexample.size(), simulation_steps(broken));
    // Replay: the same violation at the end of the path.
    pmodel::World world = pcheck::replay_path(scenario, options, result.counterexample);
    if (world.violations().empty()) (void)world.check_terminal();
    ASSERT_FALSE(world.violations().empty());
    EXPECT_EQ(world.violations().front().property, result.violation->property);
    // Two threads: the same verdict, property and counterexample length.
    const pcheck::CheckResult threaded = pcheck::check(scenario, with({broken.variant}, 2));
    EXPECT_EQ(threaded.verdict, pcheck::Verdict::violation);
    EXPECT_EQ(threaded.violation->property, result.violation->property);
    EXPECT_EQ(threaded.counterexample.size(), result.counterexample.size());
}

INSTANTIATE_TEST_SUITE_P(Variants,
                         VariantVerdicts,
                         ::testing::ValuesIn(ptest::broken_variants()),
                         [](const ::testing::TestParamInfo<Broken>& param_info) {
                             return test_name(std::string(param_info.param.scenario) + "__" +
                                              param_info.param.variant);
                         });

TEST(Checker, ThreadsChangeNothingButTime) {
    for (const char* name : {"chain", "tractor-cancel-masks-remote-error", "port-in-message"}) {
        const auto scenario = bundled(name);
        const pcheck::CheckResult one = pcheck::check(scenario, with({}, 1));
        const pcheck::CheckResult two = pcheck::check(scenario, with({}, 2));
        const pcheck::CheckResult four = pcheck::check(scenario, with({}, 4));
        EXPECT_EQ(one.verdict, two.verdict) << name;
        EXPECT_EQ(one.states, two.states) << name;
        EXPECT_EQ(one.transitions, two.transitions) << name;
        EXPECT_EQ(one.depth, two.depth) << name;
        EXPECT_EQ(one.states, four.states) << name;
    }
}

TEST(Checker, FaultsAreExploredToo) {
    pcheck::CheckOptions options = with({});
    const auto scenario = bundled("error-before-sync");
    const std::uint64_t without = pcheck::check(scenario, options).states;
    options.faults = pmodel::FaultBudget{1, 1, 1};
    const pcheck::CheckResult faulty = pcheck::check(scenario, options);
    EXPECT_EQ(faulty.verdict, pcheck::Verdict::pass);
    EXPECT_GT(faulty.states, without);
}

TEST(Checker, MaxStatesStopsCleanlyAsIncomplete) {
    pcheck::CheckOptions options = with({});
    options.max_states = 100;
    const pcheck::CheckResult result = pcheck::check(bundled("chain"), options);
    EXPECT_EQ(result.verdict, pcheck::Verdict::incomplete);
    EXPECT_NE(result.stop_reason.find("--max-states"), std::string::npos);
    EXPECT_GE(result.states, 100u);
}

// A bounded check: every path of up to N steps, judged; a violation within the bound is found.
TEST(Checker, MaxDepthBoundsThePathsChecked) {
    pcheck::CheckOptions options = with({});
    options.max_depth = 10;
    const pcheck::CheckResult bounded = pcheck::check(bundled("chain"), options);
    EXPECT_EQ(bounded.verdict, pcheck::Verdict::incomplete);
    EXPECT_EQ(bounded.depth, 10u);
    EXPECT_NE(bounded.stop_reason.find("--max-depth 10"), std::string::npos);
    options.max_depth = 1000;  // beyond the deepest state: a complete check
    const pcheck::CheckResult complete = pcheck::check(bundled("chain"), options);
    EXPECT_EQ(complete.verdict, pcheck::Verdict::pass);
    EXPECT_GT(complete.states, bounded.states);

    pcheck::CheckOptions options_broken = with({"error_relay=none"});
    const pcheck::CheckResult found =
        pcheck::check(bundled("rayfed-cross-silo-normal-task-error"), options_broken);
    ASSERT_EQ(found.verdict, pcheck::Verdict::violation);
    const auto steps = static_cast<std::uint32_t>(found.counterexample.size());
    options_broken.max_depth = steps;
    EXPECT_EQ(pcheck::check(bundled("rayfed-cross-silo-normal-task-error"), options_broken).verdict,
              pcheck::Verdict::violation);
    options_broken.max_depth = steps - 1;
    EXPECT_EQ(pcheck::check(bundled("rayfed-cross-silo-normal-task-error"), options_broken).verdict,
              pcheck::Verdict::incomplete);
}

TEST(Checker, VisitedSetStaysWithinSixteenBytesPerState) {
    const pcheck::CheckResult result = pcheck::check(bundled("chain-leader-crash"), with({}));
    ASSERT_GT(result.states, 10000u);
    EXPECT_LE(static_cast<double>(result.visited_bytes) / static_cast<double>(result.states), 16.5);
}

TEST(Checker, ApplicationDeadlockIsAViolationOnlyWhenStrict) {
    const auto scenario = bundled("application-deadlock");
    pcheck::CheckOptions options = with({});
    const pcheck::CheckResult lenient = pcheck::check(scenario, options);
    EXPECT_EQ(lenient.verdict, pcheck::Verdict::pass);
    EXPECT_GT(lenient.deadlock_states, 0u);
    ASSERT_TRUE(lenient.first_deadlock.has_value());
    options.strict = true;
    const pcheck::CheckResult strict = pcheck::check(scenario, options);
    EXPECT_EQ(strict.verdict, pcheck::Verdict::violation);
    EXPECT_EQ(strict.violation->property, "application-deadlock");
}

}  // namespace
