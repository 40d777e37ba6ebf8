// Simulation campaigns (issue 15): many seeded runs of one scenario, spread over threads, in
// constant memory, with what a user wants in the morning: every distinct violation once, as
// the lowest seed that shows it and that run shrunk, plus coverage.
//
// Runs are handed out in chunks of consecutive indices; run i uses seed S+i and is itself
// single-threaded and deterministic. Each job keeps its own tallies (counts, lowest seeds), and
// they are merged at the end with sums and minimums, so a finished campaign's report is the
// same for any number of jobs. A violating run is run again with the recorder on and its trace
// written (atomically) at once, so an interrupted campaign keeps everything it found.
// Violations are grouped by property and by where they happened (the kind of the step after
// which the property failed, psim/coverage.hpp); each group keeps its lowest seed.
//
// Stopping: after the first violation (stop_on_first), after time_max seconds, or when
// *interrupt turns true (SIGINT/SIGTERM in the CLI). The runs finished are reported.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "psim/coverage.hpp"
#include "psim/simulator.hpp"

namespace psim {

enum class KeepTraces : std::uint8_t {
    failing,  // every failing run (contract §3)
    groups,   // one per violation group: its lowest seed
    all       // every run
};

struct CampaignProgress {
    std::uint64_t runs_done = 0;
    std::uint64_t runs_total = 0;
    double elapsed = 0;
    std::vector<std::pair<std::string, std::uint64_t>> violating_runs;  // by property id
};

struct CampaignOptions {
    std::uint64_t seed = 1;
    std::uint64_t runs = 1;
    unsigned jobs = 1;
    SimOptions run;  // steps_max, faults, scheduler, swarm; the rest is set per run
    pcore::Variants variants;
    bool strict = false;  // application deadlocks count as violations
    KeepTraces keep = KeepTraces::failing;
    std::string trace_dir;     // must exist and be writable
    std::string trace_prefix;  // file-name-safe: traces are PREFIX-seed-S.json
    bool stop_on_first = false;
    double time_max = 0;  // seconds; 0: none
    bool check_determinism = false;
    bool shrink = true;  // shrink each group's trace at the end (not when interrupted)
    const std::atomic<bool>* interrupt = nullptr;
    std::function<void(const CampaignProgress&)> on_progress;  // called from the calling thread
    // Called for every failing trace the campaign keeps: after it is written, from the job
    // that wrote it (any thread: it must not share state unguarded), or, for the traces known
    // only at the end (--keep-traces groups, shrunk traces), from the calling thread then.
    // simulate --html writes the viewer beside it. A pscenario::InputError it throws ends the
    // campaign as an error.
    std::function<void(const std::string& trace_path)> on_failing_trace;
    double progress_every = 1;  // seconds
    std::string tool_version = "0.0.0";
};

struct PropertyTally {
    std::uint64_t violating_runs = 0;
    std::uint64_t first_seed = 0;
};

struct ViolationGroup {
    std::string property;   // a contract §7 id, or "deadlock" (application deadlock, --strict)
    std::string signature;  // where: a step kind name, or "terminal"
    std::uint64_t runs = 0;
    std::uint64_t first_seed = 0;
    std::string trace;  // the first seed's trace (empty when it was not kept)
    std::uint64_t steps = 0;
    std::string shrunk_trace;  // empty when not shrunk
    std::uint64_t shrunk_steps = 0;
};

enum class CampaignStop : std::uint8_t { completed, first_violation, time_max, interrupted, error };

struct CampaignReport {
    std::uint64_t runs_finished = 0;
    std::uint64_t runs_violating = 0;
    std::uint64_t runs_incomplete = 0;
    std::uint64_t runs_with_deadlock = 0;
    std::uint64_t runs_with_faults = 0;
    std::uint64_t steps_total = 0;
    std::uint64_t delivered_total = 0;
    std::array<std::uint64_t, std::size(schedulers)> runs_by_scheduler{};
    std::map<std::string, PropertyTally> properties;  // violated ones only
    std::vector<ViolationGroup> groups;               // by (property, signature)
    Coverage coverage;
    // component name -> outcome text -> runs
    std::map<std::string, std::map<std::string, std::uint64_t>> outcomes;
    // The lowest seed run: its outcomes, in component order.
    std::uint64_t first_run_seed = 0;
    std::vector<std::pair<std::string, std::string>> first_run_outcomes;
    std::optional<std::pair<std::uint64_t, std::vector<std::string>>> first_deadlock;
    std::vector<std::string> traces;  // the lowest-seed traces written, at most traces_listed
    std::uint64_t traces_written = 0;
    std::vector<std::uint64_t> nondeterministic_seeds;  // must stay empty
    CampaignStop stop = CampaignStop::completed;
    std::string error;  // CampaignStop::error: a trace could not be written
    double elapsed = 0;
};

inline constexpr std::size_t traces_listed = 1000;

// One line per outcome: "failed IndexOutOfBounds (origin s, remote)", "cancelled by h (layer
// component)", "completed".
[[nodiscard]] std::string outcome_text(const pcore::CompiledScenario& compiled,
                                       const std::vector<std::string>& names,
                                       const pcore::Outcome& outcome);

[[nodiscard]] CampaignReport run_campaign(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                          const CampaignOptions& options);

}  // namespace psim
