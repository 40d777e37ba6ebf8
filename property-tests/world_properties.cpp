// RapidCheck properties over the one transition system: any seed, any bundled scenario, the
// default design keeps every checked property, a run replays to the same fingerprints, and the
// checker's sharing of state parts (copy on write, intern tables) changes no state, and the
// partial-order reduction's persistent subsets are persistent, and states that symmetry
// reduction counts once have the same futures.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>

#include "bundled.hpp"
#include "pcheck/reduction.hpp"
#include "pcheck/state_store.hpp"
#include "pcheck/symmetry.hpp"
#include "pmodel/variant_names.hpp"
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

using ptest::bundled;

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
// every part by content, looks up the steps of interned slots and the edits of interned queues
// in memos, and keeps frontier states packed. Along any path (faults
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
        pcheck::StateStore store;
        pmodel::World plain(scenario, {}, faults);
        pmodel::World shared(scenario, {}, faults);
        shared.use_cache(store);  // steps from the store's slots are remembered, as in the checker
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
            store.share_parts(other);
            left_behind.emplace_back(shared, path.size());
            path.push_back(actions[choice]);
            plain.apply(actions[choice]);
            shared.apply(actions[choice]);
            RC_ASSERT(shared == plain);
            RC_ASSERT(shared.fingerprint() == plain.fingerprint());
            store.share_parts(shared);
            RC_ASSERT(shared.fingerprint() == plain.fingerprint());
            if (shared.violations().empty()) {
                // Through the checker's frontier form and back; the path goes on from the
                // unpacked world, whose entries remember their packed form until they change.
                std::vector<std::byte> packed;
                store.pack(shared, packed);
                pmodel::World unpacked = shared;
                store.unpack(unpacked, packed.data());
                RC_ASSERT(unpacked == plain);
                RC_ASSERT(unpacked.fingerprint() == plain.fingerprint());
                shared = unpacked;
            }
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

std::vector<std::string> sorted_properties(const pmodel::World& world) {
    std::vector<std::string> ids;
    for (const pmodel::Violation& violation : world.violations()) ids.push_back(violation.property);
    std::sort(ids.begin(), ids.end());
    return ids;
}

// What `check --por` relies on (pcheck/reduction.hpp): in a state where `persistent_subset`
// picks T, every path of actions outside T keeps each action of T enabled, and each action on
// the path commutes with each action of T: the same state and the same violations in either
// order. Tested on random states of every bundled scenario under every design variant (the
// broken designs are where independence is most easily claimed wrongly), along random paths.
TEST(Properties, PersistentSubsetsCommuteWithEveryPathOutsideThem) {
    const bool ok = rc::check("T stays enabled and commutes with paths outside it", [] {
        static const std::vector<std::string> names = [] {
            std::vector<std::string> all = scenario_names;
            for (const char* more :
                 {"close-port-overtakes-solution", "tractor-peer-canceller",
                  "tractor-cancel-masks-remote-error", "rayfed-cross-silo-error-relay",
                  "rayfed-exit-on-sending-failure", "tractor-multierror-fast-nursery",
                  "tractor-callee-cancels-itself", "data-to-exiting-component",
                  "application-deadlock", "independent-pipelines", "bench-chain-5",
                  "spawn-races-cancel-by-name"}) {
                all.emplace_back(more);
            }
            return all;
        }();
        static const std::vector<std::string> variants = pmodel::every_design();
        const auto scenario = bundled(*rc::gen::elementOf(names));
        const std::string variant = *rc::gen::elementOf(variants);
        pcore::Variants design;
        if (!variant.empty()) RC_ASSERT(!pmodel::set_variant(design, variant).has_value());
        const auto uniform = [](std::size_t bound) {
            return *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, bound));
        };
        pmodel::World world(scenario, design);
        pcheck::ReductionScratch scratch;
        std::vector<pmodel::Action> actions;
        std::vector<std::uint32_t> chosen;
        // A random state that has a persistent subset: walk, and stop at the first one after
        // a random number of steps.
        const std::size_t skip = uniform(120);
        bool found = false;
        for (std::size_t step = 0; step < 400; ++step) {
            world.enabled_actions(actions);
            if (actions.empty()) break;
            if (step >= skip && pcheck::persistent_subset(world, actions, scratch, chosen)) {
                found = true;
                break;
            }
            world.apply(actions[uniform(actions.size())]);
        }
        RC_PRE(found);
        std::vector<pmodel::Action> subset;
        for (const std::uint32_t index : chosen) subset.push_back(actions[index]);
        RC_TAG(variant.empty() ? "default design" : "a broken design");
        const std::size_t length = 1 + uniform(12);
        for (std::size_t step = 0; step < length; ++step) {
            world.enabled_actions(actions);
            for (const pmodel::Action& kept : subset) {
                RC_ASSERT(std::find(actions.begin(), actions.end(), kept) != actions.end());
            }
            std::vector<pmodel::Action> outside;
            for (const pmodel::Action& action : actions) {
                if (std::find(subset.begin(), subset.end(), action) == subset.end()) {
                    outside.push_back(action);
                }
            }
            if (outside.empty()) break;
            const pmodel::Action other = outside[uniform(outside.size())];
            for (const pmodel::Action& kept : subset) {
                pmodel::World first = world;
                first.apply(kept);
                RC_ASSERT(first.enabled(other));
                first.apply(other);
                pmodel::World second = world;
                second.apply(other);
                RC_ASSERT(second.enabled(kept));
                second.apply(kept);
                RC_ASSERT(first == second);
                RC_ASSERT(sorted_properties(first) == sorted_properties(second));
            }
            world.apply(other);
        }
    });
    EXPECT_TRUE(ok);
}

// What one state's successors look like up to symmetry: each successor's orbit with the
// violations its step raised, sorted; for a terminal state, its terminal violations.
std::vector<std::pair<std::uint64_t, std::vector<std::string>>> futures(
    const pmodel::World& world, pcheck::SymmetryScratch& scratch) {
    std::vector<std::pair<std::uint64_t, std::vector<std::string>>> out;
    std::vector<pmodel::Action> actions;
    world.enabled_actions(actions);
    for (const pmodel::Action& action : actions) {
        pmodel::World next = world;
        next.apply(action);
        out.emplace_back(pcheck::canonical_fingerprint(next, scratch), sorted_properties(next));
    }
    if (actions.empty()) {
        pmodel::World judged = world;
        (void)judged.check_terminal();
        out.emplace_back(0, sorted_properties(judged));
    }
    std::sort(out.begin(), out.end());
    return out;
}

// `world` with every component id renamed by `map` (map[old] = new) and its components listed
// in their new order: the state π(world), encoded. Names are left out (they stay with the ids:
// what they decide, expectations, is compared separately).
std::vector<std::uint8_t> renamed(const pmodel::World& world,
                                  const std::vector<std::uint32_t>& map) {
    const std::size_t count = world.comps().size();
    std::vector<std::uint32_t> inverse(count);
    for (std::uint32_t old = 0; old < count; ++old) inverse[map[old]] = old;
    pcore::ByteWriter out;
    out.rename_components(&map);
    for (std::uint32_t now = 0; now < count; ++now) {
        const std::uint32_t old = inverse[now];
        pcore::encode(out, world.comps()[old].state);
        out.u32(static_cast<std::uint32_t>(world.refcount(pcore::CompId(old))));
        out.boolean(world.freed(pcore::CompId(old)));
        pmodel::encode(out, world.slot_ghost(pcore::CompId(old)));
    }
    // Sets whose order a renaming changes: each element encoded alone, then sorted by the
    // hash of its bytes, so that equal sets give equal sequences.
    std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> items;
    auto add_all = [&](std::uint8_t kind, const auto& list, auto write) {
        for (const auto& entry : list) {
            pcore::ByteWriter bytes;
            bytes.rename_components(&map);
            bytes.u8(kind);
            write(bytes, entry);
            items.emplace_back(pcore::hash_bytes(bytes.data(), bytes.size()), bytes.bytes());
        }
    };
    const auto plain = [](pcore::ByteWriter& to, const auto& entry) { pmodel::encode(to, entry); };
    add_all(0, world.links(), [](pcore::ByteWriter& to, const pmodel::Link& link) {
        to.comp(link.from);
        to.comp(link.to);
        pmodel::encode(to, link.queue);
    });
    const pmodel::Ghost& monitors = world.ghost();
    add_all(1, monitors.channels, plain);
    add_all(2, monitors.puts, plain);
    add_all(3, monitors.roots, plain);
    add_all(4, monitors.arrivals, plain);
    add_all(5, monitors.links, plain);
    add_all(6, monitors.handoffs, plain);
    std::sort(items.begin(), items.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::uint8_t> bytes = out.bytes();
    for (const auto& one : items) bytes.insert(bytes.end(), one.second.begin(), one.second.end());
    for (const std::uint32_t used : monitors.faults_used) {
        bytes.push_back(static_cast<std::uint8_t>(used));
    }
    return bytes;
}

// Whether some renaming π of the non-host components maps `a` onto `b` exactly, keeps the
// order of every two components that name each other (ids are compared only between such),
// and maps each component to one with the same expectation. Brute force over permutations.
bool renaming_exists(const pmodel::World& a, const pmodel::World& b) {
    const std::size_t count = a.comps().size();
    if (b.comps().size() != count || count > 8) return false;
    std::vector<std::uint32_t> identity(count);
    for (std::uint32_t comp = 0; comp < count; ++comp) identity[comp] = comp;
    const std::vector<std::uint8_t> target = renamed(b, identity);
    std::vector<std::vector<std::uint32_t>> names(count);
    pcore::ByteWriter scratch;
    for (std::uint32_t comp = 0; comp < count; ++comp) {
        pcore::referenced_components(a.comps()[comp].state, scratch, names[comp]);
    }
    auto expectation = [](const pmodel::World& world, std::uint32_t comp) {
        for (const pmodel::Expectation& expected : world.scenario().expect) {
            if (expected.name == world.comps()[comp].name) {
                return static_cast<int>(expected.outcome) + (expected.any ? 10 : 0);
            }
        }
        return -1;
    };
    std::vector<std::uint32_t> map = identity;
    do {
        bool allowed = true;
        for (std::uint32_t comp = 0; comp < count && allowed; ++comp) {
            allowed = expectation(a, comp) == expectation(b, map[comp]);
            for (const std::uint32_t other : names[comp]) {
                if (other < count && (comp < other) != (map[comp] < map[other])) allowed = false;
            }
        }
        if (allowed && renamed(a, map) == target) return true;
    } while (std::next_permutation(map.begin() + 1, map.end()));
    return false;
}

// What `check --symmetry` relies on (pcheck/symmetry.hpp): two states with one canonical
// fingerprint have the same successor orbits, with the same violations on the way, and the same
// terminal verdicts. Random walks of one length on the scenario with interchangeable copies
// (under every variant, with and without a crash) meet such pairs often: a brute-force search
// must find a renaming that maps one onto the other, and their futures are compared one step
// ahead.
TEST(Properties, StatesOfOneOrbitHaveTheSameFutures) {
    const bool ok = rc::check("one orbit, one future", [] {
        static const std::vector<std::string> variants = {"",
                                                          "close_port_info=none",
                                                          "data_message_failed=off",
                                                          "leader_holds_refs=off",
                                                          "transfer_blocks_peer=off",
                                                          "error_relay=none",
                                                          "shutdown_guard=none",
                                                          "network=unordered",
                                                          "timeouts=on"};
        const auto scenario = bundled("independent-pipelines");
        const std::string variant = *rc::gen::elementOf(variants);
        pcore::Variants design;
        if (!variant.empty()) RC_ASSERT(!pmodel::set_variant(design, variant).has_value());
        const pmodel::FaultBudget faults{*rc::gen::inRange<std::uint32_t>(0, 2), 0, 0};
        const auto uniform = [](std::size_t bound) {
            return *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, bound));
        };
        const std::size_t length = 1 + uniform(60);
        pcheck::SymmetryScratch scratch;
        std::vector<std::pair<std::uint64_t, pmodel::World>> seen;  // (canonical, state)
        std::vector<pmodel::Action> actions;
        std::size_t pairs = 0;
        for (int walk = 0; walk < 24; ++walk) {
            pmodel::World world(scenario, design, faults);
            for (std::size_t step = 0; step < length; ++step) {
                world.enabled_actions(actions);
                if (actions.empty()) break;
                world.apply(actions[uniform(actions.size())]);
            }
            if (!world.violations().empty()) continue;
            const std::uint64_t canonical = pcheck::canonical_fingerprint(world, scratch);
            const auto same = std::find_if(seen.begin(), seen.end(), [&](const auto& entry) {
                return entry.first == canonical &&
                       entry.second.fingerprint() != world.fingerprint();
            });
            if (same != seen.end()) {
                ++pairs;
                // One canonical fingerprint: one state up to a renaming that keeps every id
                // comparison that can happen...
                RC_ASSERT(renaming_exists(same->second, world));
                // ...and so one future, up to that renaming.
                RC_ASSERT(futures(same->second, scratch) == futures(world, scratch));
            } else {
                seen.emplace_back(canonical, world);
            }
        }
        RC_TAG(pairs == 0 ? "no pair met" : "pairs compared");
    });
    EXPECT_TRUE(ok);
}

}  // namespace
