// Partial-order reduction: which of a state's enabled actions the checker may take alone.
//
// Purpose: actions of components that do not interact need not be interleaved. In a state,
// `persistent_subset` grows a set M of components from each acting component and returns the
// enabled actions T of the smallest M that is closed (a persistent set, Godefroid): no sequence
// of actions outside T can interfere with T. The checker takes T alone, under the cycle proviso
// (docs/checker.md, "Partial-order reduction").
//
// What a component may address: every component id the canonical encoding writes for its state
// and for the messages in its inbox (port peers, handle peers, round peers and leaders, control
// entries, transfers, carried ports, solution parts, provenance), the senders of those
// messages, and everyone if its program has `cancel` (addressed by instance name). `creator` is
// left out: the runtime never sends to it (the creator schedules its child, not the reverse).
// A component "may act" if it has an enabled action or an acting one may address it.
//
// M is closed under these rules, for each member C:
//   1. every component an enabled action of C reaches joins: message and cancel targets, counts
//      it changes, submitters whose ghost round fields a decision writes. (Their own actions
//      could free them first, making a send LC-1, or race on the same count or field.)
//   2. C's creator joins while C waits for it (scheduling is not a message).
//   3. a component that may act and may come to address C (it does, or may be told of C by one
//      that does and may act) joins, unless all it can do to C is append to a non-empty FIFO
//      link into C: appends commute with taking the head, and create no new action of C.
//      The exception does not hold when C is "exposed": exited (others' releases may free it),
//      about to exit, or with ghost round fields that others' decisions write; nor when the
//      knower may spawn (its children could be given C and send on a fresh link).
// T is refused when it spawns (or may cancel by name) and a component outside M that may act
// may spawn or cancel by name: ids and instance names are handed out in spawn order, and a
// name is resolved when the cancel runs. States with an enabled fault (one budget for
// all) or timeout (needs global quiescence) are expanded in full.
//
// Properties: terminal checks (DF-*, LC-2, NM-*, EXPECT) see every terminal state of the full
// graph (persistent sets keep them all); monitor verdicts of independent actions do not depend
// on their order (tested: Properties.PersistentSubsetsCommuteWithEveryPathOutsideThem), and the
// proviso makes sure no action is postponed forever, so a violating transition of the full
// graph has one in the reduced graph. Counterexamples are no longer guaranteed shortest, which
// is why the reduction is opt-in (`check --por`).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pcheck/slot_names.hpp"
#include "pmodel/world.hpp"

namespace pcheck {

// Reusable buffers: the checker keeps one per thread.
struct ReductionScratch {
    SlotNames names{false};  // what may be addressed: records (creators) left out
    ApplyResult applied;
    std::vector<std::uint32_t> seeds;
    std::vector<std::uint32_t> candidate;
    // After persistent_subset: the successor by enabled[i], where the closure computed it
    // (every action of the chosen subset, some others); empty entries elsewhere.
    std::vector<std::optional<World>> successors;
    // Rule 3 of the closure (knowers, see docs/checker.md). False only to measure what that
    // rule costs (bench/por_bound.cpp): the subsets are then not persistent in general.
    bool knowers_rule = true;
    // Rule 3 asks pcheck::frozen_sends who may still send to a member while the members stand
    // still, instead of who may come to name it (falling back to the names where the analysis
    // gives up). An experiment, off in `check`: sound on every test so far, but it costs tens
    // of times the closure's time (bench/por_bound.cpp, docs/checker.md).
    bool knowers_by_sends = false;
};

// True, with `chosen` holding indices into `enabled` (ascending), when a proper subset of
// `enabled` is persistent; false when every action must be taken. Either way
// `scratch.successors` keeps the successors it computed, for the caller to take.
[[nodiscard]] bool persistent_subset(const World& world,
                                     const std::vector<Action>& enabled,
                                     ReductionScratch& scratch,
                                     std::vector<std::uint32_t>& chosen);

}  // namespace pcheck
