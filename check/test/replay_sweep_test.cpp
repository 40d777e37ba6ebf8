// Every counterexample replays (issue 12): `check` on every bundled scenario under every design
// of contract §8, and with one injected crash, host cancel and OS signal where the scenario is
// small, through the command line exactly as a user runs it; each violation's trace must make
// `replay` reproduce the same property. The sanitizer preset runs this sweep too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cli_run.hpp"
#include "pmodel/variant_names.hpp"

namespace {

struct CliRun {
    int code;
    std::string out;  // stdout and stderr
};

CliRun cli(std::vector<std::string> args) {
    const ptest::CliOutcome outcome = ptest::run_protocheck(std::move(args));
    return {outcome.code, outcome.out + outcome.err};
}

std::vector<std::string> sweep_scenarios() {
    std::vector<std::string> names;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
        if (entry.path().extension() != ".json") continue;  // scenarios/findings: not a scenario
        const std::string name = entry.path().stem().string();
        // The benchmarks are far too large for a sweep of every design.
        if (name.rfind("ring-", 0) == 0 || name.rfind("bench-", 0) == 0) continue;
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Searches bigger than this are cut (exit 3: nothing to replay); a small scenario is one whose
// fault-free search stays under `small_states`.
#ifdef NDEBUG
constexpr std::uint64_t default_max_states = 100000;
#else
// Debug and sanitizer builds (CI's suite) search five times less, to keep the suite's time.
constexpr std::uint64_t default_max_states = 20000;
#endif

// PROTOCHECK_SWEEP_MAX_STATES overrides the bound (tools/valgrind-sweep.sh runs the sweep under
// valgrind, some fifty times slower); the small scenarios stay those under a tenth of it.
std::uint64_t sweep_max_states() {
    const char* text = std::getenv("PROTOCHECK_SWEEP_MAX_STATES");
    if (text == nullptr || *text == '\0') return default_max_states;
    return std::stoull(text);
}
const std::string max_states = std::to_string(sweep_max_states());
const std::uint64_t small_states = sweep_max_states() / 10;

// The text after `marker` up to (not including) `end`, or "" (no std::regex: GCC 12 warns
// falsely about it at -O1 under the sanitizers).
std::string field_after(const std::string& out, const std::string& marker, char end) {
    const std::size_t at = out.find(marker);
    if (at == std::string::npos) return "";
    const std::size_t from = at + marker.size();
    return out.substr(from, out.find(end, from) - from);
}

std::uint64_t states_of(const std::string& out) {
    const std::string digits = field_after(out, "states: ", ',');
    return digits.empty() ? 0 : std::stoull(digits);
}

// Checks one design; on a violation, replays its trace. Returns the state count.
std::uint64_t check_and_replay(const std::string& name,
                               const std::string& design,
                               const std::string& faults) {
    const std::string scenario =
        std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name + ".json";
    const std::string trace =
        (std::filesystem::temp_directory_path() / ("protocheck-sweep-" + name + ".json")).string();
    std::vector<std::string> args = {"check",        scenario,   "--threads",   "2",
                                     "--max-states", max_states, "--trace-out", trace};
    if (!design.empty()) args.insert(args.end(), {"--variant", design});
    if (!faults.empty()) args.insert(args.end(), {"--faults", faults});
    const std::string label = name + " [" + design + "] faults " + faults;
    const CliRun checked = cli(args);
    EXPECT_TRUE(checked.code == 0 || checked.code == 1 || checked.code == 3) << label << "\n"
                                                                             << checked.out;
    if (checked.code == 1) {
        const std::string property = field_after(checked.out, "VIOLATION of ", ':');
        const bool named = !property.empty();
        EXPECT_TRUE(named) << label << "\n" << checked.out;
        const CliRun replayed = cli({"replay", trace});
        EXPECT_EQ(replayed.code, 0) << label << "\n" << replayed.out;
        if (named) {
            EXPECT_NE(replayed.out.find("reproduced violation of " + property), std::string::npos)
                << label << "\n"
                << replayed.out;
        }
    }
    std::filesystem::remove(trace);
    return states_of(checked.out);
}

class ReplaySweep : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplaySweep, EveryCounterexampleReplaysToItsProperty) {
    for (const std::string& design : pmodel::every_design()) {
        const std::uint64_t states = check_and_replay(GetParam(), design, "");
        if (states > 0 && states < small_states) {
            (void)check_and_replay(GetParam(), design, "crash:1,cancel:1,signal:1");
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Bundled,
                         ReplaySweep,
                         ::testing::ValuesIn(sweep_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                             std::string name = param_info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
