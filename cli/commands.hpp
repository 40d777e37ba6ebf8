// The protocheck command line (contract §3). A library, so tests run it in-process.
//
// Exit codes, for every command: 0 all checked properties hold; 1 a property is violated (a
// trace was written); 2 bad usage or bad input; 3 a bound was hit, or a signal came, first.
// replay: 0 the trace reproduces as recorded (a recorded violation included), 1 it diverged.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pcli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_violation = 1;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_incomplete = 3;

// args[0] is the program name.
[[nodiscard]] int run_cli(const std::vector<std::string>& args,
                          std::ostream& out,
                          std::ostream& err);

}  // namespace pcli
