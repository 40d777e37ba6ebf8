// The deterministic discrete-event simulator: one run of a scenario under a seed.
//
// Virtual time; every message gets a delivery time (the link's base latency plus jitter, never
// earlier than the link's previous message, so per-pair FIFO holds while messages on different
// links overtake each other); a runnable component gets a run event after a short delay. Events
// are ordered by (time, insertion sequence), so ties are explicit. The run parameters (latency,
// jitter, run delay) are themselves drawn from the seed per run. Same scenario + variants +
// options + seed: bit-identical trace.
//
// Schedulers (issue 15):
//   uniform       the timed event queue above
//   late-control  the same, but every message other than Data is held back by one to four
//                 latency spreads: hand-offs, closes and round messages arrive late
//   pct           no clock: Burckhardt et al.'s probabilistic concurrency testing. Every
//                 component gets a random priority; the enabled step of the highest-priority
//                 component is taken; at d-1 random change points the stepping component drops
//                 below all others. Finds bugs of depth d with probability >= 1/(n k^(d-1)).
// Swarm testing (TigerBeetle's VOPR, Groce et al.): with `swarm`, each run draws its own fault
// budget (each kind from 0 to the given count, 0 to 1 when none is given) and, unless the
// scheduler is fixed, its scheduler, from its seed. A run's budget and scheduler are in its
// result, and its trace records them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pmodel/world.hpp"
#include "psim/coverage.hpp"

namespace psim {

enum class Scheduler : std::uint8_t { uniform, pct, late_control };
inline constexpr Scheduler schedulers[] = {Scheduler::uniform, Scheduler::pct,
                                           Scheduler::late_control};
[[nodiscard]] const char* scheduler_name(Scheduler scheduler);  // "uniform", "pct", "late-control"
[[nodiscard]] std::optional<Scheduler> parse_scheduler(const std::string& name);

struct SimOptions {
    std::uint64_t seed = 0;
    std::uint64_t steps_max = 10'000'000;
    bool record = false;         // keep every step (action, fingerprint, label) for a trace
    pmodel::FaultBudget faults;  // contract §5: injected at random points, at most this many
    std::optional<Scheduler> scheduler;  // none: uniform, or drawn per run with swarm
    bool swarm = false;
    Coverage* coverage = nullptr;  // when set, every step's kind is counted into it
    bool trail = false;            // hash every step's fingerprint (the determinism self-check)
    // Fingerprint the final state of every run (else only recorded, trailed or failing ones).
    bool fingerprint_end = true;
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
    pmodel::FaultBudget faults;   // the run's own budget (swarm draws it)
    Scheduler scheduler = Scheduler::uniform;
    // Where the first violation happened: the kind of the step after which it was seen, or
    // none when it was judged on the final state.
    std::optional<std::size_t> violating_step_kind;
    std::uint64_t trail_hash = 0;  // with SimOptions::trail
};

// "terminal" or the violating step's kind name: where a violation happened.
[[nodiscard]] std::string violation_signature(const RunResult& run);

// Runs one seed after another, keeping its buffers between runs (a campaign job keeps one).
class Simulator {
  public:
    Simulator();
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;
    [[nodiscard]] RunResult run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                const pcore::Variants& variants,
                                const SimOptions& options);
    struct Buffers;

  private:
    std::unique_ptr<Buffers> buffers_;
};

// One run with buffers of its own.
[[nodiscard]] RunResult simulate_run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                     const pcore::Variants& variants,
                                     const SimOptions& options);

}  // namespace psim
