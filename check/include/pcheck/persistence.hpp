// Whether a set of enabled actions is persistent, decided exactly on a state's outside space.
//
// A set T of actions enabled in s is persistent (Godefroid) when every path from s made of
// actions outside T keeps each action of T enabled, and each action on the path commutes with
// each action of T. `outside_space_check` explores every state reachable from s by actions
// outside T (a path ends at its first violation, as the checker's paths do) and checks both at
// each: every action of T enabled, and, for every enabled action outside T, the same world and
// the same violated properties in either order. It is the definition, not a rule: the test of
// `persistent_subset` (check/test/persistence_test.cpp) and the bound of what a better closure
// could reach (bench/por_bound.cpp) use it. Its cost is the outside space, so callers bound it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

namespace pcheck {

struct OutsideSpace {
    bool persistent = false;
    bool exceeded = false;   // more than `limit` states: nothing decided
    std::size_t states = 0;  // outside states explored
    std::string failure;     // when not persistent (and not exceeded): the first reason found
};

[[nodiscard]] OutsideSpace outside_space_check(const pmodel::World& from,
                                               const std::vector<pmodel::Action>& subset,
                                               std::size_t limit);

}  // namespace pcheck
