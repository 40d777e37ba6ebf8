// Where a scenario's states come from (check --breakdown): for each field of a component's
// state, how many of the first N states reached differ from another of them only there.
//
// Purpose: a state equal to another but in one field exists only because of that field. A
// field with a large count is either a real choice of the protocol (which message came first)
// or bookkeeping two states differ in that no later step reads; the second kind is what the
// dead-field reduction removes (pcheck/dead_fields.hpp), found with this count on the ring
// (docs/checker.md, "Where the states come from"). The states are keyed as the checker keys
// them (dead fields reset), so what the count shows is what is left.
//
// The search is breadth-first and sequential over the world, bounded by `max_states`; the
// count is exact for the states it reached. Per distinct component state and field the
// masked hash is computed once, so the cost is one fingerprint per field per state.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pmodel/scenario.hpp"
#include "pmodel/world.hpp"

namespace pcheck {

struct FieldCount {
    std::string field;         // "round.buffered", "port.pending", ...
    std::uint64_t states = 0;  // states that differ from another reached state only there
};

struct Breakdown {
    std::uint64_t states = 0;                    // states reached (at most the bound)
    bool complete = false;                       // every reachable state was reached
    std::vector<std::uint64_t> states_by_depth;  // new states per breadth-first layer
    // New states by the kind of action that first reached them (pmodel::ActionKind order:
    // run, deliver, fault, timeout).
    std::array<std::uint64_t, 4> states_by_action{};
    std::vector<FieldCount> fields;  // the fields with a count, largest first
};

[[nodiscard]] Breakdown breakdown(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                  const pcore::Variants& variants,
                                  const pmodel::FaultBudget& faults,
                                  std::uint64_t max_states);

}  // namespace pcheck
