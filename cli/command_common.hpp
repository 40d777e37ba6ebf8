// What the commands share: flag validation, loading a scenario with its variants and faults,
// the exit-code help text and the tool's version.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

#ifndef PROTOCHECK_VERSION
#define PROTOCHECK_VERSION "0.0.0"
#endif

namespace pcli {

inline constexpr const char* tool_version = PROTOCHECK_VERSION;

inline constexpr std::uint64_t any_count = std::numeric_limits<std::uint64_t>::max();

inline constexpr const char* exit_codes_help =
    "Exit codes: 0 every checked property holds; 1 a property is violated (a trace was "
    "written); 2 bad usage or bad input (the message names the file and JSON path, or the "
    "flag); 3 incomplete: a bound was hit or the run was interrupted first.";

// A whole number in [low, high], checked on the flag's text before CLI11 converts it (which
// would wrap "-5" into a huge unsigned value): no sign, fraction or exponent (issue 14).
[[nodiscard]] CLI::Validator whole_number(std::uint64_t low, std::uint64_t high);

// A finite number of seconds in [low, high] (CLI::Range lets "nan" through).
[[nodiscard]] CLI::Validator seconds_in(double low, double high);

// "crash:K,cancel:K,signal:K" (any of them); the problem, when there is one.
[[nodiscard]] std::optional<std::string> parse_faults(const std::string& spec,
                                                      pmodel::FaultBudget& budget);

// The inputs every exploring command takes; one message on `err` and false on the first bad
// one.
[[nodiscard]] bool load_inputs(const std::string& path,
                               const std::vector<std::string>& assignments,
                               const std::string& fault_spec,
                               std::shared_ptr<const pmodel::Scenario>& scenario,
                               pcore::Variants& variants,
                               pmodel::FaultBudget& faults,
                               std::ostream& err);

// "dir/x.json" with ".json" replaced by `suffix` ("dir/x.shrunk.json", "dir/x.html"); a path
// without ".json" gets the suffix appended.
[[nodiscard]] std::string beside_json(const std::string& path, const std::string& suffix);

// A scenario's name made safe as part of a file name: letters, digits, '.', '-' and '_' only,
// so that "../x" or "/tmp/x" cannot write elsewhere.
[[nodiscard]] std::string file_safe_name(const std::string& name);

}  // namespace pcli
