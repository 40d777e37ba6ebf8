// Symmetry reduction: one fingerprint for states that differ only by a renaming of
// interchangeable components.
//
// Purpose: a scenario that runs several copies of the same sub-system (workers, pipelines) has
// states that are the same up to which copy did what; the checker need visit only one of each
// such orbit (TLC's SYMMETRY, SPIN's scalarsets), found automatically where the scenario allows.
//
// Groups: the components other than the host fall into groups that name no member of another
// group (every id the canonical encoding writes, records included: creators, channel creators;
// links; monitor entries). Ids are ordered (a round's leader is its highest id), but ids of
// different groups are never compared, so renaming a group's members onto another's in id
// order keeps every comparison that can happen. A group is *pinned* (kept with its own ids)
// when the host names one of its members or exchanges messages with it, or when the scenario's
// expectations tell its members apart (a name in `origin`, `relay` or `canceller`, or groups of
// one shape whose members at the same rank expect different outcomes). Names themselves are
// left out of an unpinned group's shape: they matter only to expectations (folded in as each
// member's expected outcome) and to `cancel` (scenarios with a `cancel` statement get no
// symmetry: names resolve in spawn order).
//
// The canonical fingerprint hashes the host, the pinned groups with their ids, and the shapes
// of the other groups (each with its members renamed 0..k-1 in id order), sorted. Two states
// with equal canonical fingerprints are then equal up to a renaming that maps the transition
// system onto itself (ids of new components are larger than every existing one in both), so
// every property has the same verdict in both. The checker keeps the first state of an orbit
// it meets; a counterexample is a real path of real states.
#pragma once

#include <cstdint>
#include <vector>

#include "pcheck/slot_names.hpp"
#include "pcore/encode.hpp"
#include "pmodel/world.hpp"

namespace pcheck {

// Whether the scenario allows symmetry at all (no `cancel` statement).
[[nodiscard]] bool symmetry_allowed(const Scenario& scenario);

struct SymmetryScratch {
    SlotNames named{true};  // every id, records (creators, channel creators) included
    pcore::ByteWriter writer;
    pcore::ByteWriter shape;
    pcore::ByteWriter entry;
    std::vector<std::uint32_t> names;
    std::vector<std::uint32_t> group;
    std::vector<std::uint32_t> rename;
    std::vector<std::uint8_t> pinned;
    std::vector<std::uint64_t> shapes;
    std::vector<std::uint32_t> expectation;  // per component: its name's expectation (0: none)
};

// The state's fingerprint up to renamings of interchangeable groups. Equals the orbit's for
// every member of the orbit. A state with at most one group free to be renamed is its own
// orbit (the number of free groups is the same across an orbit): it keeps its plain
// fingerprint, which costs nothing.
[[nodiscard]] std::uint64_t canonical_fingerprint(const World& world, SymmetryScratch& scratch);

}  // namespace pcheck
