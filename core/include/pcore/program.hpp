// Compiled programs: the immutable, shared form of a scenario.
//
// A scenario's statements (contract §4) are compiled once into flat instruction lists, one per
// definition plus the host's `main`. `repeat` is unrolled and `select` becomes a branch table
// with jumps, so a component's whole control state is its program counter plus its port
// variables. Port variables are slots: a definition's parameters are slots 0..k-1, every other
// name gets the next slot in order of first appearance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pcore/ids.hpp"

namespace pcore {

using Slot = std::uint16_t;

enum class Op : std::uint8_t {
    channel,     // slot_a = new putter end, slot_b = new getter end
    spawn,       // definition = callee, list = argument slots, name = instance name
    sync_begin,  // start of a sync block
    sync_end,    // end of a sync block: submit the local solution, wait for the decision
    put_value,   // slot_a = port, value
    put_ports,   // slot_a = port, list = slots of the ports that travel
    get,         // slot_a = port, list = slots bound to received ports, expects/value
    select,      // list = branch table (index into Program::select_branches)
    jump,        // target
    fail,        // error
    cancel,      // name = target instance name, layer (error-propagation issue)
    exit,        // end normally
};

struct Instruction {
    Op op = Op::exit;
    Slot slot_a = 0;
    Slot slot_b = 0;
    bool expects = false;  // get: compare the received value with `value`
    CancelLayer layer = CancelLayer::os;
    ErrorType error;               // fail
    std::uint32_t definition = 0;  // spawn
    std::uint32_t list = 0;        // index into Program::lists (spawn/put_ports/get/select)
    std::uint32_t name = 0;        // index into CompiledScenario::names (spawn/cancel)
    std::uint32_t target = 0;      // jump
    std::int64_t value = 0;        // put_value / get expects
    std::uint32_t json_index = 0;  // index into Program::json_paths, for messages
    friend bool operator==(const Instruction&, const Instruction&) = default;
};

// Instruction::list when the instruction has no list (a get without `bind`).
inline constexpr std::uint32_t no_list = 0xFFFFFFFFu;

struct SelectBranch {
    Slot port = 0;
    std::uint32_t target = 0;  // first instruction of the branch body
};

struct Program {
    std::vector<Instruction> code;
    std::vector<std::vector<Slot>> lists;
    std::vector<std::vector<SelectBranch>> select_branches;
    std::vector<std::string> json_paths;  // where each instruction came from
    std::vector<std::string> labels;      // a readable rendering, for traces
    Slot slot_count = 0;
    Slot param_count = 0;
    std::vector<std::string> slot_names;
};

struct Definition {
    std::string name;
    Program program;
};

// Error types every scenario knows, at fixed indices of CompiledScenario::error_types.
namespace builtin_error {
inline constexpr ErrorType peer_closed{0};         // put/get on a port whose peer ended normally
inline constexpr ErrorType inconsistent_round{1};  // the leader found disagreeing mappings
inline constexpr ErrorType out_of_order{2};        // a get would overtake an earlier message
inline constexpr ErrorType unexpected_value{3};    // get with `expect` saw another value
inline constexpr ErrorType crash{4};               // injected fault
inline constexpr ErrorType timeout{5};             // timeouts=on
inline constexpr ErrorType message_failed{6};      // DataMessageFailed for a put of ours
inline constexpr ErrorType wrong_direction{7};     // put on a getter or get on a putter
// Not an error: the type a cancellation travels under (ErrorInfo::origin is the canceller).
// Scenarios cannot `fail` with it.
inline constexpr ErrorType cancelled{8};
inline constexpr std::uint16_t count = 9;
}  // namespace builtin_error

struct CompiledScenario {
    std::string name;
    std::vector<Definition> definitions;  // index = definition id; the last one is `main`
    std::uint32_t main_definition = 0;
    std::vector<std::string> names;        // instance names used by spawn/cancel
    std::vector<std::string> error_types;  // builtin first, then the scenario's own
    // The name of an error type; one no scenario declares (a runtime bug, a planted one
    // included) is named by its number rather than read out of bounds.
    [[nodiscard]] std::string error_name(ErrorType type) const {
        if (type.valid() && type.value() < error_types.size()) return error_types[type.value()];
        return "<error type " + std::to_string(type.value()) + ">";
    }
};

}  // namespace pcore
