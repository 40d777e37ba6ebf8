// Shrinking a failing trace (issue 15): the fewest steps we can find that still violate the
// same property, as a trace that replays.
//
// A candidate is a list of steps by component names. It is run leniently: a step whose
// component or link is not there, or that is not enabled, is skipped, and the run stops at its
// first violation. The candidate passes when that first violation is the original property
// (judged on the final state, for a property judged there); the steps actually taken replace
// it. The search is delta debugging (Zeller's ddmin: remove chunks of halving size, down to
// single steps) followed by moves of a step up to 8 places earlier that let it remove more,
// until neither helps; then the fault budget is cut to the faults the steps still inject. A budget
// of tests and seconds bounds it: the best trace found so far is kept.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ptrace/trace.hpp"

namespace ptrace {

struct ShrinkOptions {
    std::uint64_t tests_max = 50'000;
    double seconds_max = 60;
    const std::atomic<bool>* interrupt = nullptr;  // stop early, keep the best so far
    std::string tool_version = "0.0.0";
};

struct ShrinkResult {
    bool violating = false;  // the input trace, replayed leniently, violates its property
    std::string property;
    std::size_t steps_before = 0;
    std::size_t steps_after = 0;
    std::uint64_t tests = 0;
    bool stopped_early = false;  // tests_max, seconds_max or the interrupt came first
    nlohmann::json trace;        // the shrunk trace (when violating)
};

// The trace must record a violation (its property is the one kept).
[[nodiscard]] ShrinkResult shrink_trace(const LoadedTrace& trace, const ShrinkOptions& options);

}  // namespace ptrace
