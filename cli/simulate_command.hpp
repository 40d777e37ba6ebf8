// `protocheck simulate`: a campaign of seeded runs (psim/campaign.hpp), its flags, its summary
// and its JSON report.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace pcli {

struct SimulateOptions {
    std::string scenario;
    std::uint64_t seed = 1;
    std::uint64_t runs = 1;
    unsigned jobs = 1;
    std::uint64_t steps_max = 10'000'000;
    std::string faults;
    std::vector<std::string> variants;
    std::string trace_out = "protocheck-traces";
    std::string report;
    std::string keep_traces = "failing";
    std::string scheduler;  // empty: uniform, or drawn per run with --swarm
    bool swarm = false;
    bool stop_on_first = false;
    double time_max = 0;
    bool check_determinism = false;
    bool no_shrink = false;
    bool html = false;     // the viewer beside every failing trace
    double progress = -1;  // seconds; < 0: every second when stderr is a terminal
    bool timing = false;
    bool strict = false;
};

CLI::App* add_simulate_command(CLI::App& app, SimulateOptions& options);
[[nodiscard]] int simulate(const SimulateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pcli
