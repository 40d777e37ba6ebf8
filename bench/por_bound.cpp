// How far could a sound refinement of `--por`'s knowers rule go? A measurement, not a
// reduction to ship: it runs the breadth-first search of `check --por --keep-dead-fields` (same
// keys, same layer-exact cycle proviso, same state counts) three ways and prints the states:
//
//   plain    every action of every state;
//   por      the persistent subsets of pcheck::persistent_subset, as `check --por` takes them;
//   sends    the same with the knowers rule asking pcheck::frozen_sends who may still send to
//            a member (ReductionScratch::knowers_by_sends, an experiment);
//   oracle   in each state, the subset the closure gives without its knowers rule, taken when
//            pcheck::outside_space_check proves it persistent on its whole outside space, and
//            the subset with the rule otherwise.
//
// Every subset the oracle search takes is persistent, so its count is reached by a sound
// search; and no refinement of the knowers rule that keeps the closure's seeds and its other
// rules can take fewer states. An outside space larger than --limit states counts as refuted
// (the count is then of a sound search that decided less, not the bound). docs/checker.md has
// the figures.
//
//   build/release/protocheck_por_bound SCENARIO [--limit N]   (default: no limit)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

#include "pcheck/persistence.hpp"
#include "pcheck/reduction.hpp"
#include "pmodel/world.hpp"
#include "pscenario/loader.hpp"

namespace {

using pmodel::Action;
using pmodel::World;

enum class Mode { plain, por, sends, oracle };

struct Counts {
    std::size_t states = 0;
    std::size_t oracle_taken = 0;  // oracle: states expanded with the subset without the rule
};

// The subset a state is expanded with, or false for all of its actions.
bool subset_for(const World& state,
                const std::vector<Action>& enabled,
                Mode mode,
                std::size_t limit,
                pcheck::ReductionScratch& scratch,
                std::vector<std::uint32_t>& chosen,
                Counts& counts) {
    if (mode == Mode::plain) return false;
    scratch.knowers_by_sends = mode == Mode::sends;
    if (mode == Mode::oracle) {
        scratch.knowers_rule = false;
        const bool candidate = pcheck::persistent_subset(state, enabled, scratch, chosen);
        scratch.knowers_rule = true;
        if (candidate) {
            std::vector<Action> subset;
            for (const std::uint32_t index : chosen) subset.push_back(enabled[index]);
            if (pcheck::outside_space_check(state, subset, limit).persistent) {
                ++counts.oracle_taken;
                return true;
            }
        }
    }
    return pcheck::persistent_subset(state, enabled, scratch, chosen);
}

Counts search(const std::shared_ptr<const pmodel::Scenario>& scenario,
              Mode mode,
              std::size_t limit) {
    std::vector<World> layer{World(scenario, pcore::Variants{})};
    std::unordered_set<std::uint64_t> visited{layer.front().fingerprint()};
    pcheck::ReductionScratch scratch;
    std::vector<std::uint32_t> chosen;
    std::vector<Action> all;  // the enabled actions of the state being expanded
    Counts counts{1, 0};
    while (!layer.empty()) {
        std::vector<World> next;
        std::unordered_set<std::uint64_t> next_keys;  // reached in this layer
        for (const World& state : layer) {
            state.enabled_actions(all);
            const bool reduced = subset_for(state, all, mode, limit, scratch, chosen, counts);
            bool earlier = false;  // a chosen successor lies in an earlier layer: the proviso
            const auto take = [&](std::uint32_t index) {
                World child = state;
                child.apply(all[index]);
                const std::uint64_t key = child.fingerprint();
                if (!visited.insert(key).second) {
                    earlier |= next_keys.count(key) == 0;
                    return;
                }
                next_keys.insert(key);
                ++counts.states;
                if (child.violations().empty()) next.push_back(std::move(child));
            };
            std::vector<bool> taken(all.size(), false);
            if (reduced) {
                for (const std::uint32_t index : chosen) {
                    taken[index] = true;
                    take(index);
                }
                if (!earlier) continue;
            }
            for (std::uint32_t index = 0; index < all.size(); ++index) {
                if (!taken[index]) take(index);
            }
        }
        layer = std::move(next);
    }
    return counts;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && !(argc == 4 && std::strcmp(argv[2], "--limit") == 0)) {
        std::fprintf(stderr, "usage: protocheck_por_bound SCENARIO [--limit N]\n");
        return 2;
    }
    std::size_t limit = std::numeric_limits<std::size_t>::max();
    if (argc == 4) limit = std::strtoull(argv[3], nullptr, 10);
    try {
        const auto scenario = pscenario::load_scenario_file(argv[1]);
        const Counts plain = search(scenario, Mode::plain, limit);
        const Counts por = search(scenario, Mode::por, limit);
        const Counts sends = search(scenario, Mode::sends, limit);
        const Counts oracle = search(scenario, Mode::oracle, limit);
        std::printf(
            "plain %zu\npor %zu\nsends %zu\noracle %zu (%zu states took the subset of the closure "
            "without the rule)\n",
            plain.states, por.states, sends.states, oracle.states, oracle.oracle_taken);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "protocheck_por_bound: %s\n", error.what());
        return 2;
    }
    return 0;
}
