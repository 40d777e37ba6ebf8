// `protocheck prove [--property ID]... [--variant K=V]... [--timeout SECONDS] [--report FILE]`:
// Z3 checks that each property's encoded invariant is inductive (model/smt/include/psmt/
// prover.hpp) and prints a counterexample to induction when it is not.
//
// `protocheck prove --conformance SCENARIO [--faults SPEC] [--variant K=V]... [--max-states N]`:
// every step the core takes from the scenario (breadth-first, up to N states) must be a step
// of the encodings, and every reached state must satisfy their invariants
// (model/smt/include/psmt/conformance.hpp): exit 1 names the first steps that are not.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace pcli {

struct ProveOptions {
    std::vector<std::string> properties;
    std::vector<std::string> variants;
    double timeout = 60;  // seconds per query
    std::string report;
    std::string conformance;  // a scenario: check the encodings against the core on it
    std::string faults;
    std::uint64_t max_states = 20000;
};

CLI::App* add_prove_command(CLI::App& app, ProveOptions& options);
[[nodiscard]] int prove(const ProveOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pcli
