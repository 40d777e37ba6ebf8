// What `check` relies on when it counts states equal but for dead fields once
// (pcheck/dead_fields.hpp): such states are bisimilar. A random reachable state and the same
// state with its dead fields reset have the same enabled actions; each action takes them to
// states equal but for dead fields, with the same violations; and so on along a random
// continuation (pairs that differ deeper than one step), ending in the same terminal verdicts.
// Every bundled scenario, every design, with and without a crash.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "bundled.hpp"
#include "pcheck/dead_fields.hpp"
#include "pmodel/variant_names.hpp"
#include "pmodel/world.hpp"
#include "pscenario/loader.hpp"
#include "scenario_generator.hpp"

namespace {

using ptest::bundled;

// Every scenario of scenarios/ but the ring of 1000 (too large to copy at each step).
const std::vector<std::string>& every_bundled() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (const auto& entry : std::filesystem::directory_iterator(
                 std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
            if (entry.path().extension() != ".json") continue;
            const std::string name = entry.path().stem().string();
            if (name != "ring-1000") all.push_back(name);
        }
        std::sort(all.begin(), all.end());
        return all;
    }();
    return names;
}

std::vector<std::string> properties_of(const pmodel::World& world) {
    std::vector<std::string> ids;
    for (const pmodel::Violation& violation : world.violations()) ids.push_back(violation.property);
    std::sort(ids.begin(), ids.end());
    return ids;
}

// Each action from `a` and from `b`: the same successors up to dead fields, the same violations.
void assert_same_steps(const pcheck::DeadFields& dead,
                       const pmodel::World& a,
                       const pmodel::World& b,
                       const std::vector<pmodel::Action>& actions) {
    std::vector<pmodel::Action> other;
    b.enabled_actions(other);
    RC_ASSERT(actions == other);
    for (const pmodel::Action& action : actions) {
        pmodel::World next_a = a;
        pmodel::World next_b = b;
        next_a.apply(action);
        next_b.apply(action);
        RC_ASSERT(dead.fingerprint(next_a) == dead.fingerprint(next_b));
        RC_ASSERT(properties_of(next_a) == properties_of(next_b));
    }
}

void assert_same_terminal_verdicts(pmodel::World a, pmodel::World b) {
    const auto cycles_a = a.check_terminal();
    const auto cycles_b = b.check_terminal();
    RC_ASSERT(properties_of(a) == properties_of(b));
    RC_ASSERT(cycles_a.size() == cycles_b.size());
    for (std::size_t index = 0; index < cycles_a.size(); ++index) {
        RC_ASSERT(cycles_a[index].cycle == cycles_b[index].cycle);
    }
}

// Walks to a random state of `scenario` with dead fields set, then takes it and its reset
// copy along one random path, asserting at every step that they stay bisimilar.
// Returns false (nothing checked) when no walk met dead fields.
bool bisimilar_from_a_random_state(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                   const pcore::Variants& design,
                                   pmodel::FaultBudget faults) {
    const auto uniform = [](std::size_t bound) {
        return *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, bound));
    };
    const pcheck::DeadFields dead(*scenario->compiled);
    const pmodel::World initial(scenario, design, faults);
    pmodel::World world = initial;
    pmodel::World cleared = world;
    std::vector<pmodel::Action> actions;
    // Past a random number of steps, the first state met with dead fields set (a few walks, as
    // many runs never leave any).
    const std::size_t skip = uniform(60);
    bool found = false;
    for (int walk = 0; walk < 8 && !found; ++walk) {
        world = initial;
        for (std::size_t step = 0; step < 600 && !found; ++step) {
            world.enabled_actions(actions);
            if (actions.empty()) break;
            world.apply(actions[uniform(actions.size())]);
            cleared = world;
            found = step >= skip && dead.clear(cleared);
        }
    }
    if (!found) return false;
    for (std::size_t step = 0; step < 40; ++step) {
        world.enabled_actions(actions);
        assert_same_steps(dead, world, cleared, actions);
        if (actions.empty()) {
            assert_same_terminal_verdicts(world, cleared);
            return true;
        }
        const pmodel::Action action = actions[uniform(actions.size())];
        world.apply(action);
        cleared.apply(action);
    }
    return true;
}

TEST(Properties, DeadFieldsNeverChangeAStep) {
    const bool ok = rc::check("a state and its dead-field reset are bisimilar", [] {
        static const std::vector<std::string> designs = pmodel::every_design();
        const auto scenario = bundled(*rc::gen::elementOf(every_bundled()));
        const std::string variant = *rc::gen::elementOf(designs);
        pcore::Variants design;
        if (!variant.empty()) RC_ASSERT(!pmodel::set_variant(design, variant).has_value());
        pmodel::FaultBudget faults;
        faults.crash = *rc::gen::inRange<std::uint32_t>(0, 2);
        RC_TAG(variant.empty() ? "default design" : "another design");
        RC_PRE(bisimilar_from_a_random_state(scenario, design, faults));
    });
    EXPECT_TRUE(ok);
}

// The same on generated networks (issue 15's generator): several rounds, failures between and
// inside them, cancels and faults, where notifications of a leader outlive a round.
TEST(Properties, DeadFieldsNeverChangeAStepOnGeneratedScenarios) {
    const bool ok = rc::check("a state and its dead-field reset are bisimilar", [] {
        const pgen::Network network = pgen::draw_network();
        const std::string text = pgen::scenario_json(network, "generated").dump();
        RC_LOG() << text << "\n";  // printed when the property fails
        const auto scenario = pscenario::load_scenario_text(text, "generated");
        const bool checked = bisimilar_from_a_random_state(scenario, {}, network.faults);
        RC_TAG(!checked             ? "no dead fields met"
               : network.rounds > 1 ? "several rounds"
                                    : "one round");
    });
    EXPECT_TRUE(ok);
}

}  // namespace
