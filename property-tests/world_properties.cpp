// RapidCheck properties over the one transition system: any seed, any bundled scenario, the
// default design keeps every checked property, a run replays to the same fingerprints, and the
// checker's sharing of state parts (copy on write, intern tables) changes no state.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "pmodel/world.hpp"
#include "pscenario/loader.hpp"
#include "psim/simulator.hpp"

namespace {

const std::vector<std::string> scenario_names = {"error-before-sync",  "error-in-sync-before-first",
                                                 "error-between-puts", "error-after-interactions",
                                                 "error-after-sync",   "chain",
                                                 "chain-leader-crash", "transfer-in-flight",
                                                 "both-ends-exit",     "out-of-order-get",
                                                 "port-in-message"};

std::shared_ptr<const pmodel::Scenario> bundled(const std::string& name) {
    static std::map<std::string, std::shared_ptr<const pmodel::Scenario>> cache;
    auto& entry = cache[name];
    if (!entry) {
        entry = pscenario::load_scenario_file(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" +
                                              name + ".json");
    }
    return entry;
}

TEST(Properties, DefaultDesignKeepsEveryCheckedPropertyForAnySeed) {
    const bool ok = rc::check("no violation, no deadlock, terminal", [] {
        const auto name = *rc::gen::elementOf(scenario_names);
        psim::SimOptions options;
        options.seed = *rc::gen::arbitrary<std::uint64_t>();
        const auto run = psim::simulate_run(bundled(name), {}, options);
        RC_ASSERT(run.violations.empty());
        RC_ASSERT(run.end == psim::RunEnd::terminal);
        RC_ASSERT(run.deadlocks.empty());
    });
    EXPECT_TRUE(ok);
}

TEST(Properties, ARunIsAFunctionOfItsSeed) {
    const bool ok = rc::check("same seed, same fingerprints", [] {
        const auto name = *rc::gen::elementOf(scenario_names);
        psim::SimOptions options;
        options.seed = *rc::gen::arbitrary<std::uint64_t>();
        options.record = true;
        const auto first = psim::simulate_run(bundled(name), {}, options);
        const auto second = psim::simulate_run(bundled(name), {}, options);
        RC_ASSERT(first.trace.size() == second.trace.size());
        for (std::size_t index = 0; index < first.trace.size(); ++index) {
            RC_ASSERT(first.trace[index].fingerprint == second.trace[index].fingerprint);
        }
    });
    EXPECT_TRUE(ok);
}

// The checker copies a state per successor, shares untouched parts between them, interns
// every part by content and looks up the steps of interned slots in a memo. Along any path (faults
// included), a world handled that way must equal a world that was never copied, step by step, and
// the copies it left behind must not change.
TEST(Properties, SharingStatePartsChangesNoState) {
    const bool ok = rc::check("shared and plain worlds agree", [] {
        // The longer scenarios too: sharing matters most where many steps touch many parts.
        static const std::vector<std::string> names = [] {
            std::vector<std::string> all = scenario_names;
            for (const char* longer : {"close-port-overtakes-solution", "tractor-peer-canceller",
                                       "tractor-cancel-masks-remote-error",
                                       "rayfed-cross-silo-error-relay", "bench-chain-5"}) {
                all.emplace_back(longer);
            }
            return all;
        }();
        const auto scenario = bundled(*rc::gen::elementOf(names));
        const pmodel::FaultBudget faults{1, 1, 1};
        pmodel::StateTables tables;
        pmodel::World plain(scenario, {}, faults);
        pmodel::World shared(scenario, {}, faults);
        shared.use_tables(tables);  // steps from interned slots are memoised, as in the checker
        std::vector<std::pair<pmodel::World, std::size_t>> left_behind;  // (copy, steps taken)
        std::vector<pmodel::Action> path;
        std::vector<pmodel::Action> actions;
        // Drawn at full size: inRange scales with the test's size, which would make the first
        // cases take the first action and inject a fault at every turn (short paths only).
        const auto uniform = [](std::size_t bound) {
            return *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, bound));
        };
        const std::size_t steps = 1 + uniform(400);
        for (std::size_t step = 0; step < steps; ++step) {
            plain.enabled_actions(actions);
            if (actions.empty()) break;
            // Mostly runs and deliveries: an early fault (the host crashing, say) ends most paths
            // within a few steps.
            std::vector<std::size_t> ordinary;
            std::vector<std::size_t> faulty;
            for (std::size_t index = 0; index < actions.size(); ++index) {
                (actions[index].kind == pmodel::ActionKind::fault ? faulty : ordinary)
                    .push_back(index);
            }
            const bool inject = ordinary.empty() || (!faulty.empty() && uniform(40) == 0);
            const auto& pool = inject ? faulty : ordinary;
            const auto choice = pool[uniform(pool.size())];
            const auto sibling = uniform(actions.size());
            // A sibling successor from a copy, as the checker makes them.
            pmodel::World other = shared;
            other.apply(actions[sibling]);
            (void)other.fingerprint();
            other.share_parts(tables);
            left_behind.emplace_back(shared, path.size());
            path.push_back(actions[choice]);
            plain.apply(actions[choice]);
            shared.apply(actions[choice]);
            RC_ASSERT(shared == plain);
            RC_ASSERT(shared.fingerprint() == plain.fingerprint());
            shared.share_parts(tables);
            RC_ASSERT(shared.fingerprint() == plain.fingerprint());
        }
        RC_TAG(path.size() >= 50   ? "50+ steps"
               : path.size() >= 20 ? "20-49 steps"
                                   : "under 20 steps");
        // Every copy left behind still is the state its path leads to, by content (a fresh
        // replay compares every part) and by fingerprint (the fresh world hashes from scratch).
        for (const auto& [world, taken] : left_behind) {
            pmodel::World fresh(scenario, {}, faults);
            for (std::size_t step = 0; step < taken; ++step) fresh.apply(path[step]);
            RC_ASSERT(world == fresh);
            RC_ASSERT(world.fingerprint() == fresh.fingerprint());
        }
    });
    EXPECT_TRUE(ok);
}

}  // namespace
