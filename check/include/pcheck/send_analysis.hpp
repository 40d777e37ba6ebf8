// What each component may still send while some components stand still (an experiment for
// `--por`'s knowers rule; off in `check`).
//
// The knowers rule of the closure (pcheck/reduction.hpp, docs/checker.md) adds every component
// that may come to address a member. Most of them never do while the members are frozen: they
// wait for a member's data, Acknowledge or part. This analysis says which components may still
// send to which, with the `frozen` ones taking no step: each other component's local behaviour
// is explored from its state with the messages now on its links (in each link's order) and the
// messages the others' explorations send it (after its link's present content; one a link),
// until no exploration sends a new message; a Schedule an exploration emits lets its child run.
// Every message a component can send on a path of the others' steps is found: the inputs cover
// every order the world can deliver in, and a frozen component sends nothing new.
//
// It gives up (`known` false) where it does not model the world: a network that does not keep
// each link's order, two new messages on one link (their order is not kept), a spawn or a
// cancel by name (new components and names), an immediate send (a delivery to a child its
// creator has not scheduled), or more than `budget` local states in one component's
// exploration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pmodel/world.hpp"

namespace pcheck {

struct FrozenSends {
    bool known = false;
    std::vector<std::vector<std::uint8_t>> may_send;  // [from][to]: 1 when it may send
};

[[nodiscard]] FrozenSends frozen_sends(const pmodel::World& world,
                                       const std::vector<std::uint8_t>& frozen,
                                       std::size_t budget);

}  // namespace pcheck
