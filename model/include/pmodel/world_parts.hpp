// The world's parts, opened for a state store (check/: pcheck::StateStore), which shares them
// between states, keeps states in its own compact form and answers the world's StepCache
// questions. Not for the protocol: every change of a state's meaning goes through World::apply;
// a store only swaps a part for an equal one, or writes back a state it took apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "pmodel/world.hpp"

namespace pmodel {

// The hash of a slot's encoding, as the world caches it for its own slots.
[[nodiscard]] std::uint64_t hash_slot(const CompSlot& slot);

class WorldParts {
  public:
    static SlotVector& comps(World& world) { return world.comps_; }
    static std::vector<Link>& links(World& world) { return world.links_; }
    // The link from->to, to change it (created when missing).
    static Link& link_for(World& world, CompId from, CompId to) { return world.link_for(from, to); }
    // Drops a link whose queue emptied (a state keeps only links with messages).
    static void drop_link(World& world, const Link& link) {
        world.links_.erase(world.links_.begin() + (&link - world.links_.data()));
    }
    static Shared<Ghost>& ghost(World& world) { return world.ghost_; }
    static const Shared<Ghost>& ghost(const World& world) { return world.ghost_; }
    static std::uint64_t& delivered(World& world) { return world.delivered_; }
    static bool has_violations(const World& world) { return !world.violations_.empty(); }
    static void clear_violations(World& world) { world.violations_.clear(); }
    // Content hashes (cached in the world; computed when stale).
    static std::uint64_t slot_hash(const World& world, std::size_t index) {
        return world.slot_hash(index);
    }
    static std::uint64_t entry_hash(const World& world, std::size_t index) {
        return world.entry_hash(index);
    }
    static std::uint64_t queue_hash(const World& world, const Link& link) {
        return world.queue_hash(link);
    }
    static std::uint64_t ghost_hash(const World& world) { return world.ghost_hash(); }
    // For a search that leaves parts of a slot out of its key (pcheck::DeadFields): the entry
    // hash with another slot hash.
    static std::uint64_t entry_hash_with(const World& world,
                                         std::size_t index,
                                         std::uint64_t slot_hash) {
        return world.entry_hash_with(index, slot_hash);
    }
    // The ghost's cached hash, written back with a ghost taken from the store.
    static void set_ghost_hash(World& world, std::uint64_t hash) { world.ghost_hash_ = hash; }
};

}  // namespace pmodel
