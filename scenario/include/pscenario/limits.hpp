// The limits on what an input file may ask for (issue 14).
//
// Every count a scenario or a trace controls is bounded here, so that no input makes the
// loader recurse without bound, loop for ages, allocate without bound or wrap a narrow id type
// around: past a limit the loader stops with exit 2, naming the limit, the JSON path and, where
// the limit is a choice rather than a type's width, the constant to raise (docs/robustness.md).
#pragma once

#include <cstdint>
#include <limits>

#include "pcore/ids.hpp"
#include "pcore/program.hpp"

namespace pscenario::limits {

// Bytes in a scenario or trace file: the file is read whole, and parsed JSON takes several
// times its size. A trace of a long simulated run is the largest input met (a few MB).
inline constexpr std::uint64_t file_bytes = 256ull << 20;

// Arrays and objects inside one another anywhere in a document (a statement nested in a
// repeat body adds two). Deeper documents are refused before they are parsed into a tree.
inline constexpr std::uint32_t json_depth = 256;

// JSON values (objects, arrays, strings, numbers...) in a scenario and in a trace: the parsed
// tree costs about a hundred bytes a value. A program is at most program_statements long, and
// a statement takes at least two values; a trace step takes about eight.
inline constexpr std::uint64_t scenario_json_values = 4'000'000;
inline constexpr std::uint64_t trace_json_values = 64'000'000;

// Blocks inside blocks in one program (sync, repeat bodies, select arms).
inline constexpr std::uint32_t block_depth = 64;

// Times one repeat may run its body.
inline constexpr std::int64_t repeat_count = 1'000'000;

// Statements in one program once repeats are unrolled: the product of nested repeat counts
// and their bodies' sizes is held to this.
inline constexpr std::uint64_t program_statements = 1u << 20;

// Statements compiled, every repeat unrolled, statements that emit nothing (a repeat 0, an
// empty repeat) included: bounds the loader's time whatever the program's size.
inline constexpr std::uint64_t statements_compiled = 8'000'000;

// Distinct port names in one definition: a port variable is a 16-bit slot.
inline constexpr std::uint32_t port_names = 10'000;
static_assert(port_names <= std::numeric_limits<pcore::Slot>::max());

// Ports in one list: a definition's parameters, a spawn's arguments, a put's ports, a get's
// binds.
inline constexpr std::uint32_t ports_in_list = 256;

// Distinct error type names in a scenario, the built-in ones included: a 16-bit id.
inline constexpr std::uint32_t error_types = 1'000;
static_assert(error_types < pcore::ErrorType::invalid_value);

// Components a scenario may create, the host included, counted down its (acyclic) spawn graph:
// every step looks at each of them.
inline constexpr std::uint64_t components = 200'000;

// Definitions in a scenario.
inline constexpr std::uint32_t definitions = 1'000;

// Characters in a name (definition, port, instance, error type).
inline constexpr std::uint32_t name_length = 200;

// Steps in a trace.
inline constexpr std::uint64_t trace_steps = 100'000'000;

}  // namespace pscenario::limits
