// A check's search state on disk, so that a search stopped by a signal, a kill or a reboot
// goes on where its last checkpoint left it (issue 14; `check --checkpoint DIR`, `--resume`).
//
// A checkpoint is taken between layers: every state of depth <= d is in the visited set, the
// states of depth d+1 are the frontier, and the parent log holds one record per state. It is a
// directory:
//   checkpoint.json  the commit point, replaced atomically (written last): the command's own
//                    header (opaque here: the CLI's scenario, variants, faults and flags), the
//                    counters, and the names of the two files below
//   visited-G.bin    the visited set's fingerprints, generation G
//   frontier-G.bin   the frontier: (state index, fingerprint) per state
//   parents.log      the parent log, appended to as the search runs; records past the count in
//                    checkpoint.json are cut off on resume
// Frontier states are not stored: on resume they are rebuilt by walking the parent tree from
// the initial state, and each is checked against its recorded fingerprint. A kill at any
// moment leaves the previous checkpoint whole.
#pragma once

#include <stdexcept>
#include <string>

namespace pcheck {

// An unreadable, truncated or foreign checkpoint: bad input (exit 2), naming the file.
class CheckpointError : public std::runtime_error {
  public:
    CheckpointError(const std::string& file, const std::string& message)
        : std::runtime_error(file + ": " + message) {}
};

// The header the command wrote with the checkpoint in `dir`, as JSON text.
[[nodiscard]] std::string read_checkpoint_header(const std::string& dir);

}  // namespace pcheck
