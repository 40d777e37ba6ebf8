// How much could a component-level partial-order reduction save? A measurement, not a
// reduction: along random runs of a scenario, it computes at every state the smallest
// persistent-set candidate of the textbook kind (all enabled actions of a set T of components,
// T closed under "another component may send to a member before it moves") and compares it
// with all enabled actions.
//
// The closure is optimistic (it would under-approximate a sound one): a component W may send
// to C only if C is the peer of one of W's ports, one of W's handle or round peers, its leader
// candidate or the neighbour that named it, the one a control entry waits for, W's creator or
// the component W is spawning, or W has a message from C to answer. A sound relation would add
// cancellation by name, reference counts and frees. If even this closure is the whole enabled
// set in most states, component-level POR cannot pay here (docs/checker.md).
//
//   build/release/protocheck_por_probe scenarios/bench-chain-5.json [runs] [seed]
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "pmodel/world.hpp"
#include "pscenario/loader.hpp"

namespace {

using pmodel::Action;
using pmodel::ActionKind;
using pmodel::World;

std::uint64_t next_random(std::uint64_t& state) {  // splitmix64
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint32_t actor(const Action& action) {
    return (action.kind == ActionKind::deliver ? action.to : action.comp).value();
}

bool may_send(const World& world, std::uint32_t sender, std::uint32_t receiver) {
    const pmodel::CompSlot& slot = world.comps()[sender];
    if (world.freed(pcore::CompId(sender))) return false;
    const pcore::ComponentState& state = slot.state;
    const pcore::CompId target(receiver);
    for (const pcore::Port& port : state.ports) {
        if (port.peer_comp == target || port.accepted_peer_comp == target) return true;
    }
    for (const pcore::PeerLink& peer : state.peers) {
        if (peer.comp == target) return true;
    }
    for (const pcore::RoundPeer& peer : state.round.peers) {
        if (peer.comp == target) return true;
    }
    if (state.round.highest == target || state.round.leader_via == target) return true;
    for (const pcore::ControlEntry& entry : state.control) {
        if (entry.awaited_from == target) return true;
    }
    if (state.creator == target || state.transfer.new_comp == target) return true;
    const pmodel::Link* inbox = world.link(target, pcore::CompId(sender));
    return inbox != nullptr && !inbox->queue.empty();
}

// The fewest enabled actions a closure from one active component can have.
std::size_t smallest_closure(const World& world, const std::vector<Action>& actions) {
    const std::size_t count = world.comps().size();
    std::vector<bool> active(count, false);
    for (const Action& action : actions) active[actor(action)] = true;
    std::size_t best = actions.size();
    for (std::uint32_t seed = 0; seed < count; ++seed) {
        if (!active[seed]) continue;
        // Senders of members join; a quiescent sender only passes the closure on to its own
        // senders (its actions are disabled, so none of them joins the set).
        std::vector<bool> reached(count, false);
        std::vector<std::uint32_t> todo{seed};
        reached[seed] = true;
        while (!todo.empty()) {
            const std::uint32_t member = todo.back();
            todo.pop_back();
            for (std::uint32_t other = 0; other < count; ++other) {
                if (!reached[other] && may_send(world, other, member)) {
                    reached[other] = true;
                    todo.push_back(other);
                }
            }
        }
        std::size_t size = 0;
        for (const Action& action : actions) size += reached[actor(action)] ? 1u : 0u;
        best = std::min(best, size);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: protocheck_por_probe SCENARIO [runs] [seed]\n");
        return 2;
    }
    std::shared_ptr<const pmodel::Scenario> scenario;
    try {
        scenario = pscenario::load_scenario_file(argv[1]);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "protocheck_por_probe: %s\n", error.what());
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 200;
    std::uint64_t random = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    std::uint64_t states = 0;
    std::uint64_t enabled = 0;
    std::uint64_t reduced = 0;
    std::uint64_t whole = 0;
    std::vector<Action> actions;
    for (int run = 0; run < runs; ++run) {
        World world(scenario, {});
        for (world.enabled_actions(actions); !actions.empty(); world.enabled_actions(actions)) {
            const std::size_t best = smallest_closure(world, actions);
            ++states;
            enabled += actions.size();
            reduced += best;
            whole += best == actions.size() ? 1u : 0u;
            world.apply(actions[next_random(random) % actions.size()]);
        }
    }
    if (states == 0) return 0;
    std::printf(
        "%llu states: %.2f enabled actions on average, %.2f in the smallest closure; "
        "the closure is every enabled action in %.1f%% of the states\n",
        static_cast<unsigned long long>(states),
        static_cast<double>(enabled) / static_cast<double>(states),
        static_cast<double>(reduced) / static_cast<double>(states),
        100.0 * static_cast<double>(whole) / static_cast<double>(states));
    return 0;
}
