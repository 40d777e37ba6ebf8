// Shrinking (issue 15): a shrunk trace is never longer, replays, and violates the same
// property; a clean trace is refused.
#include "ptrace/shrink.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "bundled.hpp"
#include "pmodel/variant_names.hpp"
#include "pscenario/json_document.hpp"
#include "psim/simulator.hpp"

namespace {

namespace fs = std::filesystem;

ptrace::LoadedTrace load(const std::string& path) {
    return ptrace::load_trace(pscenario::read_file(path), path);
}

void expect_shrunk_replays(const ptrace::ShrinkResult& result, const std::string& property) {
    ASSERT_TRUE(result.violating);
    EXPECT_EQ(result.property, property);
    EXPECT_LE(result.steps_after, result.steps_before);
    EXPECT_EQ(result.trace.at("steps").size(), result.steps_after);
    const ptrace::ReplayResult replayed = ptrace::replay_text(result.trace.dump(), "shrunk");
    EXPECT_EQ(replayed.exit_code, 0) << replayed.message;
    EXPECT_NE(replayed.message.find("violation of " + property), std::string::npos)
        << replayed.message;
}

TEST(Shrink, EverySavedViolationShrinksToAReplayingTraceOfTheSameProperty) {
    std::size_t traces = 0;
    for (const auto& entry :
         fs::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/traces/violations")) {
        const ptrace::LoadedTrace trace = load(entry.path().string());
        const ptrace::ShrinkResult result = ptrace::shrink_trace(trace, {});
        SCOPED_TRACE(entry.path().string());
        expect_shrunk_replays(result, trace.recorded_property);
        ++traces;
    }
    EXPECT_GE(traces, 13u);
}

// A run with injected faults that break a variant late: the noise before the violation goes.
TEST(Shrink, RemovesTheStepsAndFaultsAViolationDoesNotNeed) {
    const auto scenario = ptest::bundled("chain");
    pcore::Variants variants;
    ASSERT_FALSE(pmodel::set_variant(variants, "close_port_info=none"));
    std::size_t shrunk = 0;
    for (std::uint64_t seed = 1; seed < 400 && shrunk < 3; ++seed) {
        psim::SimOptions options;
        options.seed = seed;
        options.record = true;
        options.faults = {1, 1, 1};
        const psim::RunResult run = psim::simulate_run(scenario, variants, options);
        if (run.violations.empty()) continue;
        const nlohmann::json trace =
            ptrace::make_trace(*scenario, variants, run.faults, seed, "simulate", run, "test");
        const ptrace::LoadedTrace loaded = ptrace::load_trace_json(trace, "run");
        const ptrace::ShrinkResult result = ptrace::shrink_trace(loaded, {});
        SCOPED_TRACE("seed " + std::to_string(seed));
        expect_shrunk_replays(result, run.violations.front().property);
        // The fault budget is cut to the faults the shrunk steps still inject.
        std::uint32_t faults = 0;
        for (const auto& step : result.trace.at("steps"))
            faults += step.at("action").contains("fault");
        const auto& budget = result.trace.at("faults");
        EXPECT_EQ(budget.at("crash").get<std::uint32_t>() +
                      budget.at("cancel").get<std::uint32_t>() +
                      budget.at("signal").get<std::uint32_t>(),
                  faults);
        ++shrunk;
    }
    EXPECT_EQ(shrunk, 3u);
}

TEST(Shrink, ACleanTraceIsNotShrunk) {
    const ptrace::LoadedTrace trace =
        load(std::string(PROTOCHECK_SOURCE_DIR) + "/traces/corpus/chain-seed-1.json");
    const ptrace::ShrinkResult result = ptrace::shrink_trace(trace, {});
    EXPECT_FALSE(result.violating);
}

TEST(Shrink, ABudgetOfTestsStopsItWithTheBestSoFar) {
    const ptrace::LoadedTrace trace = load(std::string(PROTOCHECK_SOURCE_DIR) +
                                           "/traces/violations/"
                                           "violation-close_port_info-none-chain-seed-9.json");
    ptrace::ShrinkOptions options;
    options.tests_max = 5;
    const ptrace::ShrinkResult result = ptrace::shrink_trace(trace, options);
    EXPECT_TRUE(result.stopped_early);
    expect_shrunk_replays(result, "SY-3");
}

}  // namespace
