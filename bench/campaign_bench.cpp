// Campaign throughput (issue 15): runs per second of a whole campaign (threads, tallies,
// coverage, grouping) on the smallest bundled scenario, with one job and with two. Targets: at
// least 1.9x from one job to two, at least 150,000 runs/s with two jobs. Peak memory against
// the number of runs is a whole-process figure: tools/campaign-memory.sh.
// Run: build/release/protocheck_bench --benchmark_filter=Campaign
#include <benchmark/benchmark.h>

#include <filesystem>

#include "pscenario/loader.hpp"
#include "psim/campaign.hpp"

namespace {

void BM_Campaign(benchmark::State& state) {
    const auto scenario = pscenario::load_scenario_file(std::string(PROTOCHECK_SOURCE_DIR) +
                                                        "/scenarios/error-before-sync.json");
    psim::CampaignOptions options;
    options.runs = 200'000;
    options.jobs = static_cast<unsigned>(state.range(0));
    options.trace_dir = std::filesystem::temp_directory_path().string();
    options.trace_prefix = "campaign-bench";
    std::uint64_t runs = 0;
    for (auto _ : state) {
        const psim::CampaignReport report = psim::run_campaign(scenario, options);
        if (report.runs_violating != 0 || report.runs_finished != options.runs) {
            state.SkipWithError("the campaign did not pass whole");
            return;
        }
        runs += report.runs_finished;
        options.seed += options.runs;  // fresh seeds each iteration
    }
    state.counters["runs_per_second"] =
        benchmark::Counter(static_cast<double>(runs), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Campaign)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
