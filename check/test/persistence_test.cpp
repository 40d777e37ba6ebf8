// Every subset `check --por` takes is persistent, checked on the whole space it must hold for.
//
// `Properties.PersistentSubsetsCommuteWithEveryPathOutsideThem` samples random paths outside a
// subset T; here every state of a scenario that gets a subset has the whole of its outside space
// explored by `pcheck::outside_space_check` (the definition of a persistent set, see
// pcheck/persistence.hpp): every action of T enabled at each outside state, and commuting with
// every enabled action outside T (the same world and the same violated properties in either
// order). Small bundled scenarios, every design, and the three faults.
#include "pcheck/persistence.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "bundled.hpp"
#include "pcheck/reduction.hpp"
#include "pmodel/variant_names.hpp"
#include "pmodel/world.hpp"

namespace {

using pmodel::Action;
using pmodel::World;
using ptest::bundled;

// What exploring the outside spaces of one scenario found.
struct Sweep {
    std::size_t subsets = 0;  // states where a persistent subset was taken
    std::string failure;      // empty when every subset held
};

// Every reachable state of the scenario under `design` and `faults`; the outside space of
// each persistent subset is explored.
Sweep sweep_scenario(const std::string& name,
                     const std::string& design,
                     pmodel::FaultBudget faults,
                     std::size_t limit,
                     bool by_sends) {
    pcore::Variants variants;
    if (!design.empty()) {
        EXPECT_FALSE(pmodel::set_variant(variants, design).has_value());
    }
    const World initial(bundled(name), variants, faults);
    std::deque<World> todo{initial};
    std::unordered_set<std::uint64_t> seen{initial.fingerprint()};
    std::vector<Action> enabled;
    std::vector<std::uint32_t> chosen;
    pcheck::ReductionScratch scratch;
    scratch.knowers_by_sends = by_sends;
    Sweep sweep;
    while (!todo.empty() && sweep.failure.empty()) {
        const World state = std::move(todo.front());
        todo.pop_front();
        state.enabled_actions(enabled);
        if (pcheck::persistent_subset(state, enabled, scratch, chosen)) {
            ++sweep.subsets;
            std::vector<Action> subset;
            for (const std::uint32_t index : chosen) subset.push_back(enabled[index]);
            const pcheck::OutsideSpace space = pcheck::outside_space_check(state, subset, limit);
            if (space.exceeded) {
                sweep.failure = "an outside space has more than " + std::to_string(limit) +
                                " states: choose smaller scenarios or raise the limit";
            } else if (!space.persistent) {
                sweep.failure = space.failure;
            }
        }
        for (const Action& action : enabled) {
            World next = state;
            next.apply(action);
            if (next.violations().empty() && seen.insert(next.fingerprint()).second) {
                todo.push_back(std::move(next));
            }
        }
    }
    return sweep;
}

// A scenario, and whether it is swept under every design (else the default one) and with the
// three faults. Chosen so that every outside space fits the limit and the whole test takes a
// few seconds in a release build: chain (2,475 subsets whose outside spaces sum to 1.8 million
// states, 12 s a design) and the unordered networks of the larger scenarios are left to
// RapidCheck.
struct Case {
    const char* scenario;
    bool every_design;
    bool faults;
    friend void PrintTo(const Case& c, std::ostream* out) { *out << c.scenario; }
};

class EveryPersistentSubset : public ::testing::TestWithParam<Case> {};

// The limit bounds one outside space: a case whose spaces outgrow it fails the test (it must
// then be replaced here), rather than being judged on a part of them.
constexpr std::size_t outside_limit = 3000;

// Every design (or the default one) and the faults, as the case says.
void expect_persistent(const Case& param, bool by_sends) {
    std::vector<std::string> swept{""};
    if (param.every_design) swept = pmodel::every_design();
    std::size_t subsets = 0;
    for (const std::string& design : swept) {
        const Sweep sweep = sweep_scenario(param.scenario, design, {}, outside_limit, by_sends);
        EXPECT_EQ(sweep.failure, "") << param.scenario << " [" << design << "]";
        subsets += sweep.subsets;
    }
    if (param.faults) {
        const Sweep faulty = sweep_scenario(param.scenario, "", {1, 1, 1}, outside_limit, by_sends);
        EXPECT_EQ(faulty.failure, "") << param.scenario << " [faults crash:1,cancel:1,signal:1]";
        subsets += faulty.subsets;
    }
    EXPECT_GT(subsets, 0u) << param.scenario << ": no state had a subset to check";
}

// The cases both rules are swept on.
std::vector<Case> small_cases() {
    return {Case{"transfer-in-flight", true, true},
            Case{"error-after-interactions", true, true},
            Case{"error-after-sync", true, true},
            Case{"rayfed-exit-on-sending-failure", true, true},
            Case{"spawn-races-cancel-by-name", true, true},
            Case{"select-after-peer-failed", true, true},
            Case{"round-cancel-after-vote", true, true},
            Case{"both-ends-exit", true, true},
            Case{"data-to-exiting-component", true, true},
            Case{"tractor-simple-context", true, true},
            Case{"out-of-order-get", true, true},
            Case{"port-in-message", true, true},
            Case{"tractor-peer-canceller", false, true},
            Case{"put-and-get-same-peer", false, false}};
}

// The cases of the rule `check --por` uses: the small ones and chain-leader-crash.
std::vector<Case> every_case() {
    std::vector<Case> cases = small_cases();
    cases.push_back(Case{"chain-leader-crash", false, false});
    return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& param_info) {
    std::string name = param_info.param.scenario;
    for (char& c : name) c = c == '-' ? '_' : c;
    return name;
}

TEST_P(EveryPersistentSubset, HoldsOnItsWholeOutsideSpace) {
    expect_persistent(GetParam(), false);
}

INSTANTIATE_TEST_SUITE_P(Bundled,
                         EveryPersistentSubset,
                         ::testing::ValuesIn(every_case()),
                         case_name);

// The experimental knowers rule (ReductionScratch::knowers_by_sends), judged the same way on
// the same cases but chain-leader-crash (24 s in a release build: the analysis runs each time
// the closure judges a member's knowers).
class EverySubsetBySends : public ::testing::TestWithParam<Case> {};

TEST_P(EverySubsetBySends, HoldsOnItsWholeOutsideSpace) {
    expect_persistent(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(Bundled,
                         EverySubsetBySends,
                         ::testing::ValuesIn(small_cases()),
                         case_name);

}  // namespace
