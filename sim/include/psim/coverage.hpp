// What a campaign exercised: how often each kind of step ran. A step is one of the core's
// handlers: a statement kind (put, get, sync end, spawn...), the failure handler, a delivered
// message kind (Data, ClosePort, Decision...), an injected fault kind, or a timeout. The
// report lists the counts and the kinds that never ran (CCF, P and Coyote users ask for this:
// a campaign that never delivered a DataMessageFailed tested nothing about it).
//
// The same classification names where a violation happened (the campaign's grouping
// signature): the kind of the step after which the property failed, or "terminal" when it was
// judged on a final state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "pmodel/world.hpp"

namespace psim {

// Step kinds, in a fixed order: statements by pcore::Op, then the failure handler and a run
// past the program's end, then message kinds by pcore::Message's alternatives, then fault
// kinds by pcore::FaultKind, then timeout.
inline constexpr std::size_t statement_kinds = 12;  // pcore::Op
inline constexpr std::size_t handler_step = statement_kinds;
inline constexpr std::size_t end_of_program_step = statement_kinds + 1;
inline constexpr std::size_t first_message_kind = statement_kinds + 2;
inline constexpr std::size_t message_kinds = std::variant_size_v<pcore::Message>;
inline constexpr std::size_t first_fault_kind = first_message_kind + message_kinds;
inline constexpr std::size_t timeout_step = first_fault_kind + 3;
inline constexpr std::size_t step_kind_count = timeout_step + 1;

// The kind of `action` in `world`, before it is applied (it must be enabled).
[[nodiscard]] std::size_t step_kind(const pmodel::World& world, const pmodel::Action& action);
// "run:put_value", "run:failure_handler", "deliver:ClosePort", "fault:crash", "timeout".
[[nodiscard]] const char* step_kind_name(std::size_t kind);

struct Coverage {
    std::array<std::uint64_t, step_kind_count> steps{};
    void add(const Coverage& other) {
        for (std::size_t kind = 0; kind < step_kind_count; ++kind) steps[kind] += other.steps[kind];
    }
    friend bool operator==(const Coverage&, const Coverage&) = default;
};

}  // namespace psim
