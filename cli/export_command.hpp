// `protocheck export SCENARIO --format dot|graphml|json [--max-states N] [--collapse NAME]
// [--variant K=V]... [--faults SPEC] [--out FILE]`: the reachable state graph
// (viz/include/pviz/state_graph.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace pcli {

struct ExportOptions {
    std::string scenario;
    std::string format = "dot";
    std::uint64_t max_states = 10000;
    std::string collapse;
    std::vector<std::string> variants;
    std::string faults;
    std::string out;  // empty: standard output
};

CLI::App* add_export_command(CLI::App& app, ExportOptions& options);
[[nodiscard]] int export_graph(const ExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pcli
