// The protocheck command line, run in-process by the tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace ptest {

struct CliOutcome {
    int code = 0;
    std::string out;
    std::string err;
};

// `args` without the program name.
inline CliOutcome run_protocheck(std::vector<std::string> args) {
    args.insert(args.begin(), "protocheck");
    std::ostringstream out;
    std::ostringstream err;
    const int code = pcli::run_cli(args, out, err);
    return {code, out.str(), err.str()};
}

}  // namespace ptest
