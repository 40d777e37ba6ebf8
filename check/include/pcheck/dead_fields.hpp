// Dead fields: bookkeeping of a component that no future step reads, left out of the
// checker's key so that states differing only in it count once (SPIN's dead variable
// elimination, for our protocol state).
//
// Purpose: the ring of `../shared/bench/spin-ring` had 57,102 states at N=3 where one round
// and an exit need far fewer; 49 % of them differed from another state only in notifications
// of a leader buffered after the component's last round, and 18 % only in the route to a
// leader of a round already over (docs/checker.md, "Where the states come from"). Three
// rules:
//
//   round.leader_via   dead while no round is active: round_begin sets it before any read
//                      (every read of the route is inside an active round).
//   round.buffered     dead once the component can accept no more data in a round: it ended
//                      (it buffers nothing and accepts nothing), or no round is active and
//                      no `sync` is ahead of its program counter (buffered notifications are
//                      replayed only when a round accepts data, and dropped stale when one
//                      concludes).
//   a freed component  everything but its identity, definition, program counter, mode,
//                      outcome and failure-handler state: it never steps again (nothing is
//                      delivered to it, it never runs) and the observers read only its
//                      outcome (NM, EXPECT) of it; its ports, handles, control entries and
//                      round are dead.
//
// Why merging is sound: two states equal but for dead fields have the same enabled actions,
// and each action takes them to states equal but for dead fields, with the same violations
// (a bisimulation; `Properties.DeadFieldsNeverChangeAStep` checks it on random reachable
// states of every bundled scenario and design). So every verdict, and the length of the
// shortest counterexample, is the same; the checker keeps the first state it meets and its
// counterexamples are real paths of real states, whose trace fingerprints are the worlds' own.
#pragma once

#include <cstdint>
#include <vector>

#include "pcore/component.hpp"
#include "pcore/program.hpp"
#include "pmodel/world.hpp"
#include "pmodel/world_parts.hpp"

namespace pcheck {

// splitmix64's finaliser: every bit of the result depends on every bit of `value`.
[[nodiscard]] inline std::uint64_t mix64(std::uint64_t value) {
    value ^= value >> 30;
    value *= 0xBF58476D1CE4E5B9ULL;
    value ^= value >> 27;
    value *= 0x94D049BB133111EBULL;
    return value ^ (value >> 31);
}

// The terms of key_of_parts: one for the number of parts, one per component (by position),
// one per link (by its ends) and one for the monitors' record. A key is their sum, so a
// successor's key is its parent's plus the terms of the parts its step changed, minus theirs
// before (DeadFields::fingerprint_from).
[[nodiscard]] inline std::uint64_t shape_term(const pmodel::World& world) {
    return mix64((static_cast<std::uint64_t>(world.comps().size()) << 32) ^ world.links().size() ^
                 0x2545F4914F6CDD1DULL);
}
[[nodiscard]] inline std::uint64_t entry_term(std::size_t index, std::uint64_t entry_key) {
    return mix64(entry_key ^ (0x9E3779B97F4A7C15ULL * (index + 1)));
}
[[nodiscard]] inline std::uint64_t link_term(const pmodel::World& world, const pmodel::Link& link) {
    const std::uint64_t where =
        (static_cast<std::uint64_t>(link.from.value()) << 32) | link.to.value();
    return mix64(pmodel::WorldParts::queue_hash(world, link) ^
                 mix64(where ^ 0xC2B2AE3D27D4EB4FULL));
}
[[nodiscard]] inline std::uint64_t ghost_term(const pmodel::World& world) {
    return mix64(pmodel::WorldParts::ghost_hash(world) ^ 0x165667B19E3779F9ULL);
}
// 0 is no key (the visited set's empty slot): a sum of 0 is keyed 1.
[[nodiscard]] inline std::uint64_t nonzero_key(std::uint64_t sum) {
    return sum != 0 ? sum : 1;
}

// A key of `world` from its parts: the sum of their hashes, each mixed with its position, the
// component entries' hashes given by `entry_key(index)`, the links' and the observers' record's
// as the world caches them. The parts' hashes are cached (a step changes one to three of them),
// so a key costs a few multiplications per part rather than hashing a buffer of them
// (World::fingerprint, which traces record). Never 0 (the visited set's empty slot).
template <typename EntryKey>
[[nodiscard]] std::uint64_t key_of_parts(const pmodel::World& world, EntryKey entry_key) {
    std::uint64_t key = shape_term(world);
    for (std::size_t index = 0; index < world.comps().size(); ++index) {
        key += entry_term(index, entry_key(index));
    }
    for (const pmodel::Link& link : world.links()) key += link_term(world, link);
    key += ghost_term(world);
    return nonzero_key(key);
}

class DeadFields {
  public:
    explicit DeadFields(const pcore::CompiledScenario& scenario);

    // Whether `state` (of a component the world freed, or not) holds a dead field with a value
    // other than its reset one.
    [[nodiscard]] bool any(const pcore::ComponentState& state, bool freed) const;
    // Resets the dead fields of `state`.
    void clear(pcore::ComponentState& state, bool freed) const;
    // Resets the dead fields of every component of `world`; whether there were any.
    bool clear(pmodel::World& world) const;
    // The checker's key of a world: key_of_parts with every component's dead fields reset.
    [[nodiscard]] std::uint64_t fingerprint(const pmodel::World& world) const;
    // The same key of `child`, a successor of `parent` (whose key is `parent_key`), from the
    // parts that differ: component entries whose store notes differ or are missing, links whose
    // queues are other objects, another monitors' record. Never rehashes an unchanged part.
    [[nodiscard]] std::uint64_t fingerprint_from(const pmodel::World& parent,
                                                 std::uint64_t parent_key,
                                                 const pmodel::World& child) const;

  private:
    // Whether a sync block can still begin: per definition, per program counter (one past the
    // last instruction included).
    [[nodiscard]] bool sync_ahead(const pcore::ComponentState& state) const;
    [[nodiscard]] bool buffered_dead(const pcore::ComponentState& state) const;
    // Component `index`'s part of the key: its entry hash, with its dead fields reset.
    [[nodiscard]] std::uint64_t entry_key(const pmodel::World& world, std::size_t index) const;

    std::vector<std::vector<bool>> sync_ahead_;
};

}  // namespace pcheck
