// Writing and reading the files of a checkpoint (pcheck/checkpoint.hpp describes the layout).
// The search decides what goes in; this file only knows formats, checksums and atomicity.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

namespace pcheck {

// The search's counters at the end of a layer.
struct SearchCounters {
    std::uint64_t initial_fingerprint = 0;  // the initial state's key: ties it to the scenario
    std::uint32_t depth = 0;                // layers done
    std::uint64_t states = 0;
    std::uint64_t transitions = 0;
    std::uint64_t terminal = 0;
    std::uint64_t deadlock_states = 0;
    std::uint64_t reduced = 0;
    std::uint64_t subsets = 0;
    std::uint64_t next_index = 0;      // state indices handed out (with gaps)
    std::uint64_t parent_records = 0;  // records in the parent log
    std::uint64_t peak_frontier = 0;
    double seconds = 0;  // search time before this run
    std::optional<pmodel::AppDeadlock> first_deadlock;
    std::uint64_t first_deadlock_fingerprint = 0;
};

struct FrontierEntry {
    std::uint32_t index = 0;
    std::uint64_t fingerprint = 0;
};

// What a checkpoint holds besides the visited set, which is streamed (it may not fit twice).
struct CheckpointContents {
    std::string header;  // the command's JSON text
    SearchCounters counters;
    std::vector<FrontierEntry> frontier;
};

// Writes a new generation and commits it by replacing checkpoint.json; the previous
// generation's files are removed afterwards. `each_visited` calls its argument on every
// fingerprint of the visited set.
void write_checkpoint(
    const std::string& dir,
    const CheckpointContents& contents,
    const std::function<void(const std::function<void(std::uint64_t)>&)>& each_visited);

// Reads checkpoint.json and the frontier, and streams the visited set into `visit`.
[[nodiscard]] CheckpointContents read_checkpoint(const std::string& dir,
                                                 const std::function<void(std::uint64_t)>& visit);

// The parent log's path in a checkpoint directory.
[[nodiscard]] std::string parent_log_path(const std::string& dir);

}  // namespace pcheck
