// The exhaustive checker: breadth-first exploration of the world's transition system.
//
// Every enabled action of every reached state is taken (runs, deliveries, timeouts and, within
// the fault budget, every fault choice), every state is checked by the world's monitors as it
// is generated, and every state where nothing but faults is enabled is judged by the terminal
// checks. States are identified by the world's 64-bit fingerprint; the visited set keeps only
// fingerprints (check/src/fingerprint_set.hpp). Because states are checked when generated and
// generated layer by layer, the first violation found lies at the smallest depth: its path is a
// shortest counterexample. Paths are rebuilt from a parent log (state -> parent, action index)
// kept in a temporary file, as TLC does, so that memory per state stays at the visited set.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

namespace pcheck {

// What the search has covered so far, after a layer (TLC's progress lines).
struct Progress {
    std::uint32_t depth = 0;
    std::uint64_t states = 0;
    std::uint64_t transitions = 0;
    std::uint64_t next_layer = 0;  // states waiting to be expanded
    double seconds = 0;
    std::uint64_t resident_bytes = 0;
};

struct CheckOptions {
    pcore::Variants variants;
    pmodel::FaultBudget faults;
    unsigned threads = 1;
    std::uint64_t max_states = 0;  // 0: no bound
    std::uint32_t max_depth = 0;   // explore paths of at most this many steps; 0: no bound
    std::uint64_t max_memory = 0;  // bytes of resident memory; 0: no bound
    bool strict = false;           // application deadlocks are violations
    // Partial-order reduction (pcheck/reduction.hpp): same verdicts, fewer states; the
    // counterexample is a real path but no longer guaranteed shortest. Not with `symmetry` or
    // `max_depth` (the search then stops at once as incomplete, saying why).
    bool partial_order = false;
    // Symmetry reduction (pcheck/symmetry.hpp): states equal up to a renaming of
    // interchangeable components count once. Ignored where the scenario does not allow it.
    bool symmetry = false;
    // Dead fields (pcheck/dead_fields.hpp): states equal but for bookkeeping no future step
    // reads count once. Same verdicts and shortest counterexamples; on by default, not with
    // `symmetry` (whose canonical key is used instead).
    bool dead_fields = true;
    std::string scratch_dir;  // where the parent log goes (default: the temp directory)
    // Polled while the search runs (a signal handler sets it). Without checkpoints the search
    // stops at once, as for --max-states; with them it first finishes the layer and writes a
    // checkpoint. Either way the verdict is incomplete, "interrupted".
    const std::atomic<bool>* interrupt = nullptr;
    // Checkpoints (pcheck/checkpoint.hpp): after a layer, at most every checkpoint_seconds and
    // when interrupted, the search state is written into checkpoint_dir with
    // checkpoint_header (the command's JSON text: what it takes to resume) beside it.
    std::string checkpoint_dir;
    double checkpoint_seconds = 600;
    std::string checkpoint_header = "{}";
    // Goes on from the checkpoint in checkpoint_dir instead of the initial state; the scenario
    // and every option that shapes the search must be the ones it was written with. Throws
    // CheckpointError when the checkpoint cannot be read or does not belong to them.
    bool resume = false;
    // Called after a layer, at most once every progress_seconds (and never when empty).
    std::function<void(const Progress&)> progress;
    double progress_seconds = 10;
};

enum class Verdict { pass, violation, incomplete };

struct CheckResult {
    Verdict verdict = Verdict::pass;
    std::string stop_reason;  // incomplete: which bound was hit
    std::uint64_t states = 0;
    std::uint64_t transitions = 0;
    std::uint64_t terminal_states = 0;
    // The deepest layer explored; when incomplete, every path up to this many steps was taken
    // and judged.
    std::uint32_t depth = 0;
    std::uint64_t deadlock_states = 0;
    std::optional<pmodel::AppDeadlock> first_deadlock;
    double seconds = 0;               // search time, before a resume included
    std::uint64_t checkpoints = 0;    // checkpoints written by this run
    std::uint64_t visited_bytes = 0;  // the fingerprint table
    std::uint64_t peak_frontier = 0;  // states waiting in one layer, at most
    // The most bytes a layer's states took (packed, with their nodes), and that layer's
    // states; since the start of this run (a resumed run counts from the resume).
    std::uint64_t peak_frontier_bytes = 0;
    std::uint64_t peak_frontier_bytes_states = 0;
    std::uint64_t peak_resident_bytes = 0;  // the process's most resident memory (VmHWM)
    std::uint64_t distinct_slots = 0;       // distinct component states met (collapse compression)
    std::uint64_t reduced_states = 0;  // --por: states expanded with a proper persistent subset
    // --por: states that had one (the cycle proviso expands some of them in full after all)
    std::uint64_t persistent_subsets = 0;
    std::uint64_t memoised_steps = 0;  // distinct (component state, input) steps computed
    double collision_probability = 0;  // that two distinct states shared a fingerprint
    std::optional<pmodel::Violation> violation;
    std::vector<pmodel::Action> counterexample;  // from the initial state
    std::vector<pmodel::AppDeadlock> counterexample_deadlocks;
};

[[nodiscard]] CheckResult check(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                const CheckOptions& options);

// Replays `path` from the initial state, for a trace: the world after every step.
[[nodiscard]] pmodel::World replay_path(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                        const CheckOptions& options,
                                        const std::vector<pmodel::Action>& path);

}  // namespace pcheck
