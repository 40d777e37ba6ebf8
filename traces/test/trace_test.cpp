// Traces: record, replay bit-exactly, refuse edited or malformed files.
#include "ptrace/trace.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>

#include "pscenario/loader.hpp"

namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("protocheck-test-" + name)).string();
}

nlohmann::json recorded_trace(const std::string& scenario_name,
                              std::uint64_t seed,
                              pcore::Variants variants = {}) {
    const auto scenario = pscenario::load_scenario_file(std::string(PROTOCHECK_SOURCE_DIR) +
                                                        "/scenarios/" + scenario_name + ".json");
    psim::SimOptions options;
    options.seed = seed;
    options.record = true;
    const auto run = psim::simulate_run(scenario, variants, options);
    return ptrace::make_trace(*scenario, variants, {}, seed, "simulate", run, "test");
}

TEST(Trace, RecordedRunReplaysWithEveryFingerprint) {
    const std::string path = temp_path("ok.json");
    ptrace::write_json_atomic(path, recorded_trace("transfer-in-flight", 3));
    const auto result = ptrace::replay_file(path);
    EXPECT_EQ(result.exit_code, 0) << result.message;
    EXPECT_FALSE(result.diverged);
}

TEST(Trace, EditedStepIsRefusedWithItsNumber) {
    nlohmann::json trace = recorded_trace("chain", 5);
    ASSERT_GT(trace["steps"].size(), 10u);
    trace["steps"][6]["fingerprint"] = "0x0000000000000001";
    const std::string path = temp_path("edited.json");
    ptrace::write_json_atomic(path, trace);
    const auto result = ptrace::replay_file(path);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(result.diverged);
    EXPECT_EQ(result.divergent_step, 7u);
    EXPECT_NE(result.message.find("step 7"), std::string::npos) << result.message;
}

TEST(Trace, SwappedActionIsRefused) {
    nlohmann::json trace = recorded_trace("chain", 5);
    trace["steps"][0]["action"] = {{"run", "c"}};
    const std::string path = temp_path("swapped.json");
    ptrace::write_json_atomic(path, trace);
    const auto result = ptrace::replay_file(path);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.divergent_step, 1u);
}

TEST(Trace, ViolationReplaysToTheSameProperty) {
    pcore::Variants variants;
    variants.leader_holds_refs = pcore::OnOff::off;
    for (std::uint64_t seed = 1; seed < 400; ++seed) {
        nlohmann::json trace = recorded_trace("chain-leader-crash", seed, variants);
        if (trace["violation"].is_null()) continue;
        const std::string path = temp_path("violation.json");
        ptrace::write_json_atomic(path, trace);
        const auto result = ptrace::replay_file(path);
        EXPECT_EQ(result.exit_code, 0) << "reproduced as recorded";
        EXPECT_FALSE(result.diverged);
        EXPECT_NE(result.message.find("reproduced violation of LC-1"), std::string::npos)
            << result.message;
        return;
    }
    FAIL() << "no LC-1 violation found to replay";
}

struct Malformed {
    const char* name;
    std::string text;
    std::string path;
    // ctest lists the parameter: its name and the path expected, not the struct's bytes.
    friend void PrintTo(const Malformed& malformed, std::ostream* out) {
        *out << malformed.name << " at " << malformed.path;
    }
};

class TraceMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(TraceMalformed, IsAnInputErrorWithItsPath) {
    const std::string file = temp_path(std::string(GetParam().name) + ".json");
    std::ofstream(file) << GetParam().text;
    try {
        (void)ptrace::replay_file(file);
        FAIL() << "accepted";
    } catch (const pscenario::InputError& error) {
        EXPECT_EQ(error.path(), GetParam().path) << error.what();
    }
}

const std::string good = recorded_trace("both-ends-exit", 2).dump();

std::string edit(const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json trace = nlohmann::json::parse(good);
    change(trace);
    return trace.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Cases,
    TraceMalformed,
    ::testing::Values(Malformed{"truncated", good.substr(0, good.size() / 2),
                                "line 1, column " + std::to_string(good.size() / 2 + 1)},
                      Malformed{"newer_format",
                                edit([](auto& trace) { trace["format"] = "protocheck-trace/2"; }),
                                "$.format"},
                      Malformed{"bad_fingerprint",
                                edit([](auto& trace) { trace["steps"][0]["fingerprint"] = "xyz"; }),
                                "$.steps[0].fingerprint"},
                      Malformed{"bad_action", edit([](auto& trace) {
                                    trace["steps"][1]["action"] = {{"jump", 1}};
                                }),
                                "$.steps[1].action.jump"},
                      Malformed{"bad_variant",
                                edit([](auto& trace) { trace["variants"]["network"] = "carrier"; }),
                                "$.variants.network"},
                      Malformed{"bad_scenario",
                                edit([](auto& trace) { trace["scenario"]["main"] = 3; }),
                                "$.scenario.main"},
                      Malformed{"no_steps", edit([](auto& trace) { trace.erase("steps"); }), "$"}),
    [](const ::testing::TestParamInfo<Malformed>& param_info) { return param_info.param.name; });

}  // namespace
