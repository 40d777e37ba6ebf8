// RapidCheck properties over the one transition system: any seed, any bundled scenario, the
// default design keeps every checked property, and a run replays to the same fingerprints.
#include <gtest/gtest.h>
#include <rapidcheck.h>

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

}  // namespace
