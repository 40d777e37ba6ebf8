// Conformance: the encodings against the executable core. Every transition the world takes
// from a scenario's initial state (breadth-first, every interleaving, every fault within the
// budget, up to a bound) is abstracted into each encoding's vocabulary, and must be one of the
// encoding's actions for some values of its parameters, or leave the vocabulary unchanged (a
// step of another protocol). Every reached state must satisfy every encoded invariant, and the
// initial state the encoding's Init. Without this a proof would be about a second model that
// may drift from the code; with it, the encoding over-approximates the core on every step
// seen, so what is proved of the encoding holds of those runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

struct ConformanceOptions {
    std::uint64_t max_states = 20000;  // a bound on the breadth-first search (reported)
    std::size_t max_failures = 5;      // failures kept in the report
};

struct ConformanceFailure {
    std::string protocol;
    std::string kind;  // init, transition, invariant
    std::string what;  // the action (world's words) or the invariant
    std::string detail;
};

struct ConformanceReport {
    std::uint64_t states = 0;
    std::uint64_t transitions = 0;
    // Per encoding (in the order given): the transitions that changed its state, each matched to
    // one of its actions; the others left its vocabulary unchanged.
    std::vector<std::uint64_t> steps;
    bool complete = true;  // false: max_states cut the search
    std::uint64_t failure_count = 0;
    std::vector<ConformanceFailure> failures;  // the first max_failures
};

// `invariants`: also judge every reached state by the encoded invariants (off for variants
// whose bug breaks them: there a violated invariant is the bug, not a drift).
[[nodiscard]] ConformanceReport check_conformance(const pmodel::World& initial,
                                                  const std::vector<Encoding>& encodings,
                                                  const ConformanceOptions& options,
                                                  bool invariants = true);

}  // namespace psmt
