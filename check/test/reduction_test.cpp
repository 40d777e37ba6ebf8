// Partial-order reduction (check --por): on every bundled scenario and every design variant,
// with and without faults, the same verdict, the same violated property, the same terminal
// states, never more states; counterexamples that replay; fewer states where components do not
// interact. The persistence of the subsets themselves is a RapidCheck property
// (property-tests/world_properties.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "pcheck/checker.hpp"
#include "pmodel/variant_names.hpp"
#include "pscenario/loader.hpp"

namespace {

std::shared_ptr<const pmodel::Scenario> bundled(const std::string& name) {
    return pscenario::load_scenario_file(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name +
                                         ".json");
}

// The bundled scenarios small enough to check under every variant here.
std::vector<std::string> small_scenarios() {
    std::set<std::string> names;  // sorted: the same test names on every machine
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
        const std::string name = entry.path().stem().string();
        if (name.rfind("ring-", 0) == 0 || name.rfind("bench-", 0) == 0) continue;
        if (name == "independent-pipelines") continue;  // 1.2 M states unreduced: its own test
        names.insert(name);
    }
    return {names.begin(), names.end()};
}

const std::vector<std::string> designs = {"",
                                          "close_port_info=in_sync_flag",
                                          "close_port_info=none",
                                          "data_message_failed=off",
                                          "leader_holds_refs=off",
                                          "transfer_blocks_peer=off",
                                          "error_relay=none",
                                          "shutdown_guard=lock",
                                          "shutdown_guard=none",
                                          "cancel_precedence=cancel_overrides",
                                          "network=fifo_channel",
                                          "network=unordered",
                                          "timeouts=on"};

pcheck::CheckOptions options_for(const std::string& design,
                                 bool partial_order,
                                 pmodel::FaultBudget faults = {}) {
    pcheck::CheckOptions options;
    if (!design.empty()) {
        EXPECT_FALSE(pmodel::set_variant(options.variants, design).has_value());
    }
    options.faults = faults;
    options.partial_order = partial_order;
    options.max_states = 400000;  // a runaway variant stops; both searches are then skipped
    return options;
}

void expect_same_verdict(const std::shared_ptr<const pmodel::Scenario>& scenario,
                         const pcheck::CheckOptions& full_options,
                         const pcheck::CheckOptions& reduced_options,
                         const std::string& label) {
    const pcheck::CheckResult full = pcheck::check(scenario, full_options);
    const pcheck::CheckResult reduced = pcheck::check(scenario, reduced_options);
    if (full.verdict == pcheck::Verdict::incomplete) return;
    ASSERT_EQ(reduced.verdict, full.verdict) << label;
    if (full.verdict == pcheck::Verdict::pass) {
        // (A violation ends each search at its own depth, and the reduced search may meet its
        // first violation a layer later: state counts compare only for complete searches.)
        EXPECT_LE(reduced.states, full.states) << label;
        // Persistent sets keep every terminal state (Godefroid): the terminal checks see all.
        EXPECT_EQ(reduced.terminal_states, full.terminal_states) << label;
        EXPECT_EQ(reduced.deadlock_states, full.deadlock_states) << label;
        return;
    }
    ASSERT_TRUE(full.violation && reduced.violation) << label;
    EXPECT_EQ(reduced.violation->property, full.violation->property) << label;
    pmodel::World world = pcheck::replay_path(scenario, reduced_options, reduced.counterexample);
    if (world.violations().empty()) (void)world.check_terminal();
    ASSERT_FALSE(world.violations().empty()) << label;
    EXPECT_EQ(world.violations().front().property, reduced.violation->property) << label;
}

class EveryScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryScenario, PartialOrderKeepsEveryVerdict) {
    const auto scenario = bundled(GetParam());
    for (const std::string& design : designs) {
        expect_same_verdict(scenario, options_for(design, false), options_for(design, true),
                            GetParam() + " [" + design + "]");
    }
    // Faults: states where a fault can be injected are expanded in full, the others reduced.
    const pmodel::FaultBudget faults{1, 1, 1};
    expect_same_verdict(scenario, options_for("", false, faults), options_for("", true, faults),
                        GetParam() + " [faults crash:1,cancel:1,signal:1]");
}

INSTANTIATE_TEST_SUITE_P(Bundled,
                         EveryScenario,
                         ::testing::ValuesIn(small_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                             std::string name = param_info.param;
                             for (char& c : name) c = c == '-' ? '_' : c;
                             return name;
                         });

// Two pipelines that never interact: the unreduced graph interleaves them in every order, the
// reduced one runs one pipeline's steps while the other waits.
TEST(PartialOrder, IndependentComponentsAreNotInterleaved) {
    const auto scenario = bundled("independent-pipelines");
    pcheck::CheckOptions full_options = options_for("", false);
    full_options.max_states = 0;
    const pcheck::CheckResult full = pcheck::check(scenario, full_options);
    const pcheck::CheckResult reduced = pcheck::check(scenario, options_for("", true));
    ASSERT_EQ(full.verdict, pcheck::Verdict::pass);
    ASSERT_EQ(reduced.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(full.states, 1204739u);
    EXPECT_EQ(reduced.states, 16231u);
    EXPECT_EQ(reduced.terminal_states, full.terminal_states);
}

// Where components do interact, the reduction is smaller but not nil: pinned, so that a change
// to the independence relation shows.
TEST(PartialOrder, InteractingComponentsAreReducedLess) {
    const pcheck::CheckResult chain = pcheck::check(bundled("chain"), options_for("", true));
    EXPECT_EQ(chain.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(chain.states, 6944u);  // 9,054 unreduced
    const pcheck::CheckResult overtakes =
        pcheck::check(bundled("close-port-overtakes-solution"), options_for("", true));
    EXPECT_EQ(overtakes.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(overtakes.states, 1250u);  // 1,521 unreduced
}

// The proviso looks only at earlier layers, which threads do not change: the reduced graph is
// the same for any thread count.
TEST(PartialOrder, ThreadsChangeNothingButTime) {
    for (const char* name : {"chain", "independent-pipelines", "tractor-peer-canceller"}) {
        pcheck::CheckOptions one = options_for("", true);
        pcheck::CheckOptions two = options_for("", true);
        two.threads = 2;
        const pcheck::CheckResult a = pcheck::check(bundled(name), one);
        const pcheck::CheckResult b = pcheck::check(bundled(name), two);
        EXPECT_EQ(a.verdict, b.verdict) << name;
        EXPECT_EQ(a.states, b.states) << name;
        EXPECT_EQ(a.transitions, b.transitions) << name;
        EXPECT_EQ(a.reduced_states, b.reduced_states) << name;
    }
}

}  // namespace
