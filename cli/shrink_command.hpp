// `protocheck shrink TRACE [--out FILE]`: a failing trace minimised while it keeps violating
// the same property (ptrace/shrink.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

namespace pcli {

struct ShrinkOptions {
    std::string trace;
    std::string out;  // default: TRACE with ".shrunk.json" for ".json"
    std::uint64_t tests_max = 50'000;
    double seconds_max = 300;
};

CLI::App* add_shrink_command(CLI::App& app, ShrinkOptions& options);
[[nodiscard]] int shrink(const ShrinkOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pcli
