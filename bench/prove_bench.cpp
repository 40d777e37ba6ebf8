// Time to a proof and speed of conformance (issue 17): every encoded property's queries under
// the default design (the bound: each property under 60 s, aim 10 s), and conformance
// of the encodings to the core on chain.json (transitions checked per second).
// Run: build/release/protocheck_bench --benchmark_filter='Prove|Conformance'
#include <benchmark/benchmark.h>

#include "pscenario/loader.hpp"
#include "psmt/conformance.hpp"
#include "psmt/prover.hpp"

namespace {

void BM_ProveEveryEncodedProperty(benchmark::State& state) {
    const std::vector<psmt::Encoding> encoded = psmt::encodings(pcore::Variants{});
    std::size_t properties = 0;
    for (auto _ : state) {
        const auto results = psmt::prove(encoded, {});
        for (const psmt::PropertyResult& result : results) {
            if (result.verdict != psmt::Verdict::holds) {
                state.SkipWithError("a property is not proved under the default design");
                return;
            }
        }
        properties = results.size();
    }
    state.counters["properties"] = static_cast<double>(properties);
}
BENCHMARK(BM_ProveEveryEncodedProperty)->Unit(benchmark::kMillisecond);

void BM_ConformanceChain(benchmark::State& state) {
    const auto scenario =
        pscenario::load_scenario_file(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/chain.json");
    const std::vector<psmt::Encoding> encoded = psmt::encodings(pcore::Variants{});
    const pmodel::World initial(scenario, pcore::Variants{}, {});
    std::uint64_t transitions = 0;
    for (auto _ : state) {
        const psmt::ConformanceReport report = psmt::check_conformance(initial, encoded, {});
        if (report.failure_count > 0) {
            state.SkipWithError("conformance failed on chain.json");
            return;
        }
        transitions += report.transitions;
    }
    state.counters["transitions_per_second"] =
        benchmark::Counter(static_cast<double>(transitions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ConformanceChain)->Unit(benchmark::kMillisecond);

}  // namespace
