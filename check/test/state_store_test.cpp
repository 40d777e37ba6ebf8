// The checker's store of states (pcheck/state_store.hpp): parts shared between states stay
// copy-on-write, and the frontier's packed form gives back the state it was made from.
#include "pcheck/state_store.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "bundled.hpp"
#include "pcheck/part_directory.hpp"
#include "pscenario/loader.hpp"

namespace {

using ptest::bundled;

// Successor states share component slots (interned in the store, as the checker does),
// link queues and monitor state with the state they came from: a step on one copy must leave every
// other copy as it was, whichever action it takes.
TEST(StateStore, SharedSlotsAndLinksAreCopiedOnWrite) {
    const auto scenario = bundled("chain");
    pcheck::StateStore store;
    pmodel::World world(scenario, {});
    std::vector<pmodel::Action> actions;
    std::size_t steps = 0;
    for (; steps < 60; ++steps) {
        world.enabled_actions(actions);
        if (actions.empty()) break;
        (void)world.fingerprint();
        store.share_parts(world);
        const pmodel::World before = world;
        const std::uint64_t before_fingerprint = before.fingerprint();
        // Every successor, each from its own copy; the original stays untouched.
        for (const pmodel::Action& action : actions) {
            pmodel::World child = world;
            (void)child.apply(action);
            (void)child.fingerprint();
            store.share_parts(child);
            ASSERT_TRUE(world == before) << "step " << steps;
            ASSERT_EQ(world.fingerprint(), before_fingerprint) << "step " << steps;
        }
        world.apply(actions.back());  // the last choice: deliveries as well as runs
    }
    EXPECT_GT(steps, 20u);
    EXPECT_GT(store.distinct_slots(), 5u);
    EXPECT_GT(store.distinct_queues(), 5u);
    EXPECT_GT(store.distinct_ghosts(), 1u);
    // The same path without any sharing reaches an equal state.
    pmodel::World plain(scenario, {});
    pmodel::World shared(scenario, {});
    for (std::size_t step = 0; step < 40; ++step) {
        plain.enabled_actions(actions);
        if (actions.empty()) break;
        plain.apply(actions.back());
        (void)shared.fingerprint();
        store.share_parts(shared);
        const pmodel::World keep = shared;  // holds the shared slots while `shared` moves on
        shared.apply(actions.back());
    }
    EXPECT_TRUE(plain == shared);
    EXPECT_EQ(plain.fingerprint(), shared.fingerprint());
}

// A state packed and unpacked is the state it was (its fingerprint too), on every step of a path
// that takes remembered steps from the store's slots.
TEST(StateStore, PackedStatesUnpackToTheSameState) {
    const auto scenario = bundled("tractor-peer-canceller");
    pcheck::StateStore store;
    pmodel::World plain(scenario, {});
    pmodel::World world(scenario, {});
    world.use_cache(store);
    std::vector<pmodel::Action> actions;
    std::size_t steps = 0;
    for (; steps < 200; ++steps) {
        plain.enabled_actions(actions);
        if (actions.empty()) break;
        const pmodel::Action chosen = actions[steps % actions.size()];
        plain.apply(chosen);
        world.apply(chosen);
        (void)world.fingerprint();
        store.share_parts(world);
        if (!world.violations().empty()) break;
        std::vector<std::byte> packed;
        store.pack(world, packed);
        pmodel::World unpacked(scenario, {});
        unpacked.use_cache(store);
        store.unpack(unpacked, packed.data());
        // The lean frontier (issue 18): varints of part numbers, never the parts' addresses.
        ASSERT_LE(packed.size(), 3 + 8 + 3 * world.comps().size() + 7 * world.links().size())
            << "step " << steps;
        ASSERT_TRUE(unpacked == plain) << "step " << steps;
        ASSERT_EQ(unpacked.fingerprint(), plain.fingerprint()) << "step " << steps;
        world = unpacked;
    }
    EXPECT_GT(steps, 20u);
    EXPECT_GT(store.remembered_steps(), 0u);
}

// Part numbers are dense and name what was added, across the directory's growing chunks and
// with two threads adding at once (the checker's threads pack states concurrently).
TEST(PartDirectory, NumbersNameWhatWasAddedAcrossChunksAndThreads) {
    pcheck::PartDirectory<std::uint64_t> directory;
    constexpr std::uint64_t per_thread = 5000;  // past the first two chunks (1024, 2048)
    std::vector<std::uint32_t> numbers[2];
    auto add = [&](int thread) {
        for (std::uint64_t value = 0; value < per_thread; ++value) {
            numbers[thread].push_back(
                directory.add(value * 2 + static_cast<std::uint64_t>(thread)));
        }
    };
    std::thread other(add, 1);
    add(0);
    other.join();
    ASSERT_EQ(directory.size(), 2 * per_thread);
    std::vector<bool> seen(2 * per_thread, false);
    for (int thread = 0; thread < 2; ++thread) {
        for (std::uint64_t value = 0; value < per_thread; ++value) {
            const std::uint32_t number = numbers[thread][value];
            ASSERT_LT(number, 2 * per_thread);
            ASSERT_FALSE(seen[number]) << "number " << number << " given twice";
            seen[number] = true;
            ASSERT_EQ(directory.at(number), value * 2 + static_cast<std::uint64_t>(thread));
        }
    }
    const std::uint32_t numbered =
        directory.add_with([](std::uint32_t number) { return std::uint64_t{number} + 7; });
    EXPECT_EQ(directory.at(numbered), std::uint64_t{numbered} + 7);
}

}  // namespace
