// Simulator throughput: delivered messages per second on the token ring, from 10 to 10,000
// components. The targets: at least 1,000,000 messages/s on one core, and a cost per
// message that stays within 2x across sizes. Run: build/release/protocheck_bench
#include <benchmark/benchmark.h>

#include "pscenario/loader.hpp"
#include "psim/simulator.hpp"
#include "ring.hpp"

namespace {

void BM_SimulateRing(benchmark::State& state) {
    const int nodes = static_cast<int>(state.range(0));
    // About the same number of messages at every size.
    const int rounds = std::max(2, 200000 / (nodes * 4));
    const auto scenario = pscenario::load_scenario_text(ring_scenario_json(nodes, rounds), "ring");
    std::uint64_t delivered = 0;
    std::uint64_t seed = 1;
    for (auto _ : state) {
        psim::SimOptions options;
        options.seed = seed++;
        const psim::RunResult result = psim::simulate_run(scenario, pcore::Variants{}, options);
        if (!result.violations.empty() || result.end != psim::RunEnd::terminal) {
            state.SkipWithError("the ring run did not end cleanly");
            return;
        }
        delivered += result.delivered;
        benchmark::DoNotOptimize(result.final_fingerprint);
    }
    state.counters["messages_per_second"] =
        benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
    state.counters["ns_per_message"] = benchmark::Counter(
        static_cast<double>(delivered), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["messages_per_run"] =
        static_cast<double>(delivered) / static_cast<double>(state.iterations());
}

BENCHMARK(BM_SimulateRing)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
