// The deterministic discrete-event simulator: one run of a scenario under a seed.
//
// Virtual time; every message gets a delivery time (the link's base latency plus jitter, never
// earlier than the link's previous message, so per-pair FIFO holds while messages on different
// links overtake each other); a runnable component gets a run event after a short delay. Events
// are ordered by (time, insertion sequence), so ties are explicit. The run parameters (latency,
// jitter, run delay) are themselves drawn from the seed per run (swarm testing, as in
// TigerBeetle's VOPR). Same scenario + variants + seed: bit-identical trace.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

namespace psim {

struct SimOptions {
    std::uint64_t seed = 0;
    std::uint64_t steps_max = 10'000'000;
    bool record = false;         // keep every step (action, fingerprint, label) for a trace
    pmodel::FaultBudget faults;  // contract §5: injected at random points, at most this many
};

struct TraceStep {
    pmodel::Action action;
    std::uint64_t fingerprint = 0;
    std::string label;
};

enum class RunEnd {
    terminal,        // nothing is enabled any more
    violation,       // a property failed (the run stops at the first violation)
    steps_exhausted  // --steps-max reached first
};

struct RunResult {
    std::uint64_t seed = 0;
    RunEnd end = RunEnd::terminal;
    std::uint64_t steps = 0;
    std::uint64_t delivered = 0;
    std::uint64_t virtual_time = 0;
    std::vector<pmodel::Violation> violations;
    std::vector<pmodel::AppDeadlock> deadlocks;
    std::vector<TraceStep> trace;
    std::vector<std::pair<std::string, pcore::Outcome>> outcomes;  // by component id
    std::uint64_t final_fingerprint = 0;
    bool fault_injected = false;  // EXPECT is not judged on such a run
};

[[nodiscard]] RunResult simulate_run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                     const pcore::Variants& variants,
                                     const SimOptions& options);

}  // namespace psim
