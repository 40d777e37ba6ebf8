// Exhaustive checker throughput: distinct states per second, generated states per second (TLC's
// "states generated": one per transition, the kind of rate the peers publish) and bytes per
// visited state, on one and two threads. The targets: at least 2,000,000 states/s on one
// core (met as generated states/s on the whole benchmark, not as distinct states/s), at most 16
// bytes per visited state, at least 1.7x on 2 threads. bench-chain-5 has over ten million
// reachable states (no reductions); the benchmark explores a bounded prefix of it so that a
// repetition takes seconds, and chain-leader-crash completely. The reductions (reduction 1:
// --por, 2: --symmetry) on independent-pipelines and on the bench-chain-5 prefix.
// Run: build/release/protocheck_bench --benchmark_filter=Check
#include <benchmark/benchmark.h>

#include "pcheck/checker.hpp"
#include "pscenario/loader.hpp"

namespace {

enum class Reduction { none, partial_order, symmetry, dead_fields };

void run_check(benchmark::State& state,
               const std::string& scenario_path,
               std::uint64_t max_states,
               Reduction reduction,
               unsigned threads) {
    const auto scenario = pscenario::load_scenario_file(
        scenario_path.find('/') == std::string::npos
            ? std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + scenario_path + ".json"
            : scenario_path);
    pcheck::CheckOptions options;
    options.partial_order = reduction == Reduction::partial_order;
    options.symmetry = reduction == Reduction::symmetry;
    options.dead_fields = reduction == Reduction::dead_fields;
    options.threads = threads;
    options.max_states = max_states;
    std::uint64_t states = 0;
    std::uint64_t transitions = 0;
    double bytes_per_state = 0;
    for (auto _ : state) {
        const pcheck::CheckResult result = pcheck::check(scenario, options);
        if (result.verdict == pcheck::Verdict::violation) {
            state.SkipWithError("the benchmark scenario has a violation");
            return;
        }
        states += result.states;
        transitions += result.transitions;
        bytes_per_state =
            static_cast<double>(result.visited_bytes) / static_cast<double>(result.states);
    }
    state.counters["states_per_second"] =
        benchmark::Counter(static_cast<double>(states), benchmark::Counter::kIsRate);
    state.counters["generated_states_per_second"] =
        benchmark::Counter(static_cast<double>(transitions), benchmark::Counter::kIsRate);
    state.counters["bytes_per_state"] = bytes_per_state;
    state.counters["states"] =
        static_cast<double>(states) / static_cast<double>(state.iterations());
}

void BM_CheckChainLeaderCrash(benchmark::State& state) {
    run_check(state, "chain-leader-crash", 0, Reduction::dead_fields,
              static_cast<unsigned>(state.range(0)));
}
void BM_CheckBenchChain5Prefix(benchmark::State& state) {
    run_check(state, "bench-chain-5", 500000, Reduction::dead_fields,
              static_cast<unsigned>(state.range(0)));
}

// The reductions on the scenario made for them (1,204,739 states unreduced) and on the
// benchmark prefix, where they find little: their cost per state shows there.
void BM_CheckIndependentPipelines(benchmark::State& state) {
    run_check(state, "independent-pipelines", 0, static_cast<Reduction>(state.range(1)),
              static_cast<unsigned>(state.range(0)));
}
void BM_CheckBenchChain5PrefixReduced(benchmark::State& state) {
    run_check(state, "bench-chain-5", 300000, static_cast<Reduction>(state.range(1)),
              static_cast<unsigned>(state.range(0)));
}

// The ring of ../shared/bench/spin-ring (bench/scenarios/spin-ring-N.json, the same protocol as
// its ring.pml for SPIN), plain (reduction 0) and with dead fields (3, the default).
void BM_CheckSpinRing(benchmark::State& state) {
    run_check(state,
              std::string(PROTOCHECK_SOURCE_DIR) + "/bench/scenarios/spin-ring-" +
                  std::to_string(state.range(0)) + ".json",
              0, static_cast<Reduction>(state.range(1)), 1);
}

BENCHMARK(BM_CheckSpinRing)
    ->ArgsProduct({{3, 4}, {0, 3}})
    ->ArgNames({"n", "reduction"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same rings with the scenario option host_priority (bench/scenarios/spin-ring-N-host-
// priority.json): the host sets the ring up before it runs, as ring.pml's processes start
// wired. Dead fields on (the default).
void BM_CheckSpinRingHostPriority(benchmark::State& state) {
    run_check(state,
              std::string(PROTOCHECK_SOURCE_DIR) + "/bench/scenarios/spin-ring-" +
                  std::to_string(state.range(0)) + "-host-priority.json",
              0, Reduction::dead_fields, 1);
}

BENCHMARK(BM_CheckSpinRingHostPriority)
    ->Arg(3)
    ->Arg(4)
    ->ArgName("n")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CheckIndependentPipelines)
    ->ArgsProduct({{1}, {0, 1, 2}})
    ->ArgNames({"threads", "reduction"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CheckBenchChain5PrefixReduced)
    ->ArgsProduct({{1}, {0, 1, 2}})
    ->ArgNames({"threads", "reduction"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CheckChainLeaderCrash)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckBenchChain5Prefix)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
