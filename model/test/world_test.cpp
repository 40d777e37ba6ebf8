// The world: canonical actions, monitors, terminal checks, and properties failing on the
// variants that break them.
#include "pmodel/world.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>

#include "bundled.hpp"
#include "pmodel/variant_names.hpp"
#include "pscenario/loader.hpp"
#include "psim/simulator.hpp"
#include "ptrace/trace.hpp"

namespace {

using ptest::bundled;

// Runs the world with a fixed scheduler (always the first enabled action) to the end.
pmodel::World run_first_action(const std::shared_ptr<const pmodel::Scenario>& scenario,
                               pcore::Variants variants = {}) {
    pmodel::World world(scenario, variants);
    std::vector<pmodel::Action> actions;
    for (int steps = 0; steps < 100000; ++steps) {
        world.enabled_actions(actions);
        if (actions.empty() || !world.violations().empty()) break;
        world.apply(actions.front());
    }
    return world;
}

TEST(World, EnabledActionsAreCanonicalRunsThenDeliveries) {
    pmodel::World world(bundled("chain"), {});
    std::vector<pmodel::Action> actions;
    world.enabled_actions(actions);
    ASSERT_EQ(actions.size(), 1u);  // only the host can run at first
    EXPECT_EQ(actions[0].kind, pmodel::ActionKind::run);
    EXPECT_EQ(actions[0].comp, pcore::CompId(0));
}

TEST(World, EveryBundledScenarioEndsCleanlyUnderAFixedSchedule) {
    for (const char* name :
         {"error-before-sync", "error-in-sync-before-first", "error-between-puts",
          "error-after-interactions", "error-after-sync", "chain", "chain-leader-crash",
          "transfer-in-flight", "both-ends-exit", "out-of-order-get", "port-in-message"}) {
        pmodel::World world = run_first_action(bundled(name));
        const auto deadlocks = world.check_terminal();
        EXPECT_TRUE(world.violations().empty())
            << name << ": " << world.violations().front().property << " "
            << world.violations().front().detail;
        EXPECT_TRUE(deadlocks.empty()) << name;
    }
}

TEST(World, FingerprintIsAFunctionOfTheState) {
    pmodel::World a = run_first_action(bundled("chain"));
    pmodel::World b = run_first_action(bundled("chain"));
    EXPECT_EQ(a.fingerprint(), b.fingerprint());
    EXPECT_TRUE(a == b);
    pmodel::World fresh(bundled("chain"), {});
    EXPECT_NE(a.fingerprint(), fresh.fingerprint());
}

TEST(World, ApplicationDeadlockIsReportedWithItsCycle) {
    // Each waits to get from the other first: the programs' fault, not the runtime's.
    const auto scenario = pscenario::load_scenario_text(R"({
      "format": "protocheck-scenario/1", "name": "cycle",
      "definitions": {"node": {"params": ["in", "out"], "program": [
          {"sync": [{"get": "in"}, {"put": "out", "value": 1}]}]}},
      "main": [{"channel": ["a", "b"]}, {"channel": ["c", "d"]},
               {"spawn": "node", "args": ["b", "c"], "as": "x"},
               {"spawn": "node", "args": ["d", "a"], "as": "y"}]})",
                                                        "cycle");
    pmodel::World world = run_first_action(scenario);
    const auto deadlocks = world.check_terminal();
    EXPECT_TRUE(world.violations().empty());
    ASSERT_EQ(deadlocks.size(), 1u);
    EXPECT_EQ(deadlocks[0].cycle.size(), 3u);
    EXPECT_EQ(deadlocks[0].cycle.front(), deadlocks[0].cycle.back());
}

// A property and a variant that breaks it: the monitor must catch it in some run, the saved
// trace must replay to the same violation, and the default design must keep it.
using ptest::Broken;

class PropertyFailsOnItsVariant : public ::testing::TestWithParam<Broken> {};

TEST_P(PropertyFailsOnItsVariant, WithinAFewHundredRunsAndReplays) {
    const Broken& broken = GetParam();
    pcore::Variants variants;
    ASSERT_FALSE(pmodel::set_variant(variants, broken.variant).has_value());
    const auto scenario = bundled(broken.scenario);
    std::optional<psim::RunResult> found;
    for (std::uint64_t seed = 1; seed <= 600 && !found; ++seed) {
        psim::SimOptions options;
        options.seed = seed;
        options.record = true;
        psim::RunResult run = psim::simulate_run(scenario, variants, options);
        for (const auto& violation : run.violations) {
            if (violation.property == broken.property) {
                found = std::move(run);
                break;
            }
        }
    }
    ASSERT_TRUE(found.has_value()) << broken.property << " not seen with " << broken.variant;
    // The trace replays to the run's (first) violation.
    const std::string path = ::testing::TempDir() + "variant-" + broken.property + "-" +
                             std::to_string(found->seed) + ".json";
    ptrace::write_json_atomic(
        path, ptrace::make_trace(*scenario, variants, {}, found->seed, "test", *found, "test"));
    const ptrace::ReplayResult replayed = ptrace::replay_file(path);
    EXPECT_FALSE(replayed.diverged) << replayed.message;
    EXPECT_EQ(replayed.exit_code, 0) << "reproduced as recorded";
    EXPECT_NE(
        replayed.message.find("reproduced violation of " + found->violations.front().property),
        std::string::npos)
        << replayed.message;
    // And the default design keeps it, with and without injected faults.
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
        psim::SimOptions options;
        options.seed = seed;
        EXPECT_TRUE(psim::simulate_run(scenario, pcore::Variants{}, options).violations.empty());
        options.faults = pmodel::FaultBudget{1, 1, 1};
        const psim::RunResult faulty = psim::simulate_run(scenario, pcore::Variants{}, options);
        EXPECT_TRUE(faulty.violations.empty())
            << "seed " << seed << " with faults: " << faulty.violations.front().property << " "
            << faulty.violations.front().detail;
    }
}

INSTANTIATE_TEST_SUITE_P(Variants,
                         PropertyFailsOnItsVariant,
                         ::testing::ValuesIn(ptest::broken_variants()));

TEST(Timeouts, TurnTheApplicationDeadlockIntoFailures) {
    const auto scenario = bundled("application-deadlock");
    pcore::Variants timeouts;
    ASSERT_FALSE(pmodel::set_variant(timeouts, "timeouts=on").has_value());
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        psim::SimOptions options;
        options.seed = seed;
        const psim::RunResult off = psim::simulate_run(scenario, pcore::Variants{}, options);
        EXPECT_TRUE(off.violations.empty());
        EXPECT_EQ(off.deadlocks.size(), 1u);
        const psim::RunResult on = psim::simulate_run(scenario, timeouts, options);
        EXPECT_TRUE(on.violations.empty()) << on.violations.front().property;
        EXPECT_TRUE(on.deadlocks.empty());
        bool timed_out = false;
        for (const auto& [name, outcome] : on.outcomes) {
            if (name == "main") continue;
            EXPECT_EQ(outcome.kind, pcore::OutcomeKind::failed) << name;
            timed_out = timed_out ||
                        (outcome.error.type == pcore::builtin_error::timeout && !outcome.remote);
        }
        EXPECT_TRUE(timed_out);
    }
}

TEST(VariantNames, BadValuesNameTheAllowedOnes) {
    pcore::Variants variants;
    const auto bad_value = pmodel::set_variant(variants, "network=carrier_pigeon");
    ASSERT_TRUE(bad_value.has_value());
    EXPECT_NE(bad_value->find("fifo_pair, fifo_channel, unordered"), std::string::npos);
    const auto bad_key = pmodel::set_variant(variants, "colour=red");
    ASSERT_TRUE(bad_key.has_value());
    EXPECT_NE(bad_key->find("close_port_info"), std::string::npos);
    EXPECT_TRUE(pmodel::set_variant(variants, "no_equals").has_value());
    EXPECT_FALSE(pmodel::set_variant(variants, "timeouts=on").has_value());
    EXPECT_EQ(pmodel::variant_value(variants, "timeouts"), "on");
}

}  // namespace

namespace {

bool is_step(const pmodel::Action& action) {
    return action.kind == pmodel::ActionKind::run || action.kind == pmodel::ActionKind::deliver;
}

bool host_step(const pmodel::Action& action) {
    return action.kind == pmodel::ActionKind::deliver
               ? action.from == pcore::CompId(0) || action.to == pcore::CompId(0)
               : is_step(action) && action.comp == pcore::CompId(0);
}

}  // namespace

// Scenario option host_priority: in every state where the host can step (run, or take or be
// taken a message), no other component steps (faults stay); otherwise nothing changes. The
// world without the option, taken along the same path, has the same state and the superset.
TEST(World, HostPriorityLeavesOnlyTheHostsActionsWhileItHasOne) {
    const auto prioritised = bundled("host-priority-ring-3");
    ASSERT_TRUE(prioritised->host_priority);
    auto plain_scenario = std::make_shared<pmodel::Scenario>(*prioritised);
    plain_scenario->host_priority = false;
    std::size_t narrowed = 0;
    std::size_t others_run = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        pmodel::World world(prioritised, {}, pmodel::FaultBudget{1, 0, 0});
        pmodel::World plain(plain_scenario, {}, pmodel::FaultBudget{1, 0, 0});
        std::vector<pmodel::Action> actions;
        std::vector<pmodel::Action> all;
        for (std::uint64_t step = 0; step < 400; ++step) {
            world.enabled_actions(actions);
            plain.enabled_actions(all);
            std::vector<pmodel::Action> expected = all;
            if (std::any_of(all.begin(), all.end(), host_step)) {
                std::erase_if(expected,
                              [](const pmodel::Action& a) { return is_step(a) && !host_step(a); });
            } else if (std::any_of(all.begin(), all.end(), is_step)) {
                ++others_run;
            }
            ASSERT_EQ(actions, expected) << "seed " << seed << ", step " << step;
            for (const pmodel::Action& action : all) {
                const bool listed =
                    std::find(actions.begin(), actions.end(), action) != actions.end();
                ASSERT_EQ(world.enabled(action), listed) << "seed " << seed << ", step " << step;
            }
            if (actions.size() < all.size()) ++narrowed;
            if (actions.empty()) break;
            // Mostly steps; now and then the crash the budget allows.
            std::vector<pmodel::Action> steps;
            std::copy_if(actions.begin(), actions.end(), std::back_inserter(steps), is_step);
            const bool fault = steps.empty() || (seed + step) % 37 == 0;
            const std::vector<pmodel::Action>& from = fault ? actions : steps;
            const pmodel::Action chosen = from[(seed * 7919 + step * 104729) % from.size()];
            world.apply(chosen);
            plain.apply(chosen);
            ASSERT_EQ(world.fingerprint(), plain.fingerprint());
        }
    }
    EXPECT_GT(narrowed, 100u);    // the option removed actions
    EXPECT_GT(others_run, 100u);  // and left the others to run when the host had none
}
