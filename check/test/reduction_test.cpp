// The reductions. Partial-order (check --por): on every bundled scenario and every design
// variant, with and without faults, the same verdict, the same violated property, the same
// terminal states, never more states; counterexamples that replay; fewer states where components
// do not interact. The persistence of the subsets themselves is a RapidCheck property
// (property-tests/world_properties.cpp). Symmetry (check --symmetry): the same verdicts and
// property, counterexamples as short, never more states; mirrored states share a fingerprint.
// Dead fields (the default, pcheck/dead_fields.hpp), alone and with --por as the command line
// runs it: the same verdicts and property against the plain search, never more states, terminal
// and deadlock states merged but present exactly when the plain search has them.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "bundled.hpp"
#include "pcheck/checker.hpp"
#include "pcheck/symmetry.hpp"
#include "pmodel/variant_names.hpp"
#include "pscenario/loader.hpp"

namespace {

using ptest::bundled;

// The bundled scenarios small enough to check under every variant here.
std::vector<std::string> small_scenarios() {
    std::set<std::string> names;  // sorted: the same test names on every machine
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
        if (entry.path().extension() != ".json") continue;  // scenarios/findings: not a scenario
        const std::string name = entry.path().stem().string();
        if (name.rfind("ring-", 0) == 0 || name.rfind("bench-", 0) == 0) continue;
        if (name == "independent-pipelines") continue;  // 1.2 M states unreduced: its own test
        // 90 k and 160 k states per design, twice per reduction: half a minute each in a
        // release build, too long for the debug suite; `check.*` and the replay sweep cover
        // them (issue 13).
        if (name == "both-ends-sent-in-messages" || name == "failure-decision-relay") continue;
        names.insert(name);
    }
    return {names.begin(), names.end()};
}

const std::vector<std::string> designs = pmodel::every_design();

// partial_order_dead_fields: --por as the command line runs it, with dead fields merged.
enum class Reduction { none, partial_order, symmetry, dead_fields, partial_order_dead_fields };

pcheck::CheckOptions options_for(const std::string& design,
                                 Reduction reduction,
                                 pmodel::FaultBudget faults = {}) {
    pcheck::CheckOptions options;
    if (!design.empty()) {
        EXPECT_FALSE(pmodel::set_variant(options.variants, design).has_value());
    }
    options.faults = faults;
    options.partial_order =
        reduction == Reduction::partial_order || reduction == Reduction::partial_order_dead_fields;
    options.symmetry = reduction == Reduction::symmetry;
    // The plain search keeps every field; so does --por here, whose test compares terminal
    // states one for one (dead fields merge some of them).
    options.dead_fields =
        reduction == Reduction::dead_fields || reduction == Reduction::partial_order_dead_fields;
    options.max_states = 400000;  // a runaway variant stops; both searches are then skipped
    return options;
}

// A search with no bound on the states (the sweeps stop runaway variants).
pcheck::CheckResult check_whole(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                Reduction reduction) {
    pcheck::CheckOptions options = options_for("", reduction);
    options.max_states = 0;
    return pcheck::check(scenario, options);
}

// Returns whether the reduced search visited fewer states.
bool expect_same_verdict(const std::shared_ptr<const pmodel::Scenario>& scenario,
                         const pcheck::CheckOptions& full_options,
                         const pcheck::CheckOptions& reduced_options,
                         const std::string& label) {
    const bool symmetry = reduced_options.symmetry;
    const bool merging =
        symmetry || (reduced_options.dead_fields && !reduced_options.partial_order);
    const pcheck::CheckResult full = pcheck::check(scenario, full_options);
    const pcheck::CheckResult reduced = pcheck::check(scenario, reduced_options);
    const bool fewer = reduced.states < full.states;
    if (full.verdict == pcheck::Verdict::incomplete) return fewer;
    EXPECT_EQ(reduced.verdict, full.verdict) << label;
    if (reduced.verdict != full.verdict) return fewer;
    if (full.verdict == pcheck::Verdict::pass) {
        // (A violation ends each search at its own depth, and the reduced search may meet its
        // first violation a layer later: state counts compare only for complete searches.)
        EXPECT_LE(reduced.states, full.states) << label;
        if (reduced_options.dead_fields) {
            // Terminal states equal but for dead fields count once: fewer, never none.
            EXPECT_LE(reduced.terminal_states, full.terminal_states) << label;
            EXPECT_EQ(reduced.terminal_states == 0, full.terminal_states == 0) << label;
            EXPECT_LE(reduced.deadlock_states, full.deadlock_states) << label;
            EXPECT_EQ(reduced.deadlock_states == 0, full.deadlock_states == 0) << label;
            // (--por may reach a state by a longer path: no bound on its depth.)
            if (!reduced_options.partial_order) {
                EXPECT_LE(reduced.depth, full.depth) << label;
            }
            return fewer;
        }
        // Persistent sets keep every terminal state (Godefroid): the terminal checks see all.
        EXPECT_EQ(reduced.terminal_states, full.terminal_states) << label;
        EXPECT_EQ(reduced.deadlock_states, full.deadlock_states) << label;
        return fewer;
    }
    EXPECT_TRUE(full.violation && reduced.violation) << label;
    if (!full.violation || !reduced.violation) return fewer;
    // Both searches stop at their first violation, and the reduced one may meet another
    // property's violation first (chain-leader-crash with leader_holds_refs=off: NM-1 plain,
    // LC-1 reduced, since the observers of issue 12): same verdict, and the reduced
    // counterexample replays to its own property (below).
    // An orbit, or a class of states equal but for dead fields, is met first at its smallest
    // depth: both keep counterexamples shortest.
    if (merging) {
        EXPECT_EQ(reduced.counterexample.size(), full.counterexample.size()) << label;
    }
    pmodel::World world = pcheck::replay_path(scenario, reduced_options, reduced.counterexample);
    if (world.violations().empty()) (void)world.check_terminal();
    EXPECT_FALSE(world.violations().empty()) << label;
    if (!world.violations().empty()) {
        EXPECT_EQ(world.violations().front().property, reduced.violation->property) << label;
    }
    return fewer;
}

class EveryScenario : public ::testing::TestWithParam<std::string> {};

// Scenarios whose search with every fault has millions of states more than chain's 4.7 M
// (issue 13's crossing hand-offs: 7.7 M, 16 M, and two that did not finish in 15 minutes), or
// whose 1.5 M (sync-across-hand-off) the debug suite's budget cannot take on top of chain's:
// their designs are compared here without faults; `check --faults` on them is run by hand
// (docs/protocols.md).
bool faults_too_big(const std::string& name) {
    static const std::set<std::string> too_big{"port-through-forwarding-creator",
                                               "both-ends-handed-off", "both-ends-sent-in-messages",
                                               "failure-decision-relay", "sync-across-hand-off"};
    return too_big.count(name) != 0;
}

void expect_same_verdicts(const std::string& name, Reduction reduction) {
    const auto scenario = bundled(name);
    const bool partial_order =
        reduction == Reduction::partial_order || reduction == Reduction::partial_order_dead_fields;
    if (partial_order && scenario->host_priority) {
        // The host's priority disables actions outside a persistent subset: refused.
        const pcheck::CheckResult refused = pcheck::check(scenario, options_for("", reduction));
        EXPECT_EQ(refused.verdict, pcheck::Verdict::incomplete) << name;
        EXPECT_NE(refused.stop_reason.find("host_priority"), std::string::npos) << name;
        return;
    }
    bool reduced_some = false;
    for (const std::string& design : designs) {
        reduced_some |=
            expect_same_verdict(scenario, options_for(design, Reduction::none),
                                options_for(design, reduction), name + " [" + design + "]");
    }
    if (faults_too_big(name)) return;
    // Symmetry that merged no state under any design met no two interchangeable groups there;
    // faults add no component, so the search with faults would almost surely compare two
    // identical searches (minutes of the debug suite on the larger scenarios). Skipped: a
    // sampling trade-off, not a proof (a fault could make two groups' states coincide).
    if (reduction == Reduction::symmetry && !reduced_some) return;
    // Faults: under --por, states where a fault can be injected are expanded in full.
    const pmodel::FaultBudget faults{1, 1, 1};
    expect_same_verdict(scenario, options_for("", Reduction::none, faults),
                        options_for("", reduction, faults),
                        name + " [faults crash:1,cancel:1,signal:1]");
}

TEST_P(EveryScenario, PartialOrderKeepsEveryVerdict) {
    expect_same_verdicts(GetParam(), Reduction::partial_order);
}

TEST_P(EveryScenario, SymmetryKeepsEveryVerdict) {
    expect_same_verdicts(GetParam(), Reduction::symmetry);
}

TEST_P(EveryScenario, DeadFieldsKeepEveryVerdict) {
    expect_same_verdicts(GetParam(), Reduction::dead_fields);
}

TEST_P(EveryScenario, PartialOrderWithDeadFieldsKeepsEveryVerdict) {
    expect_same_verdicts(GetParam(), Reduction::partial_order_dead_fields);
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
// Checks a passing scenario whole with and without --por: pinned state counts, and the
// same terminal states.
void expect_reduced_pass(const char* name,
                         std::uint64_t full_states,
                         std::uint64_t reduced_states) {
    const auto scenario = bundled(name);
    const pcheck::CheckResult full = check_whole(scenario, Reduction::none);
    const pcheck::CheckResult reduced = check_whole(scenario, Reduction::partial_order);
    ASSERT_EQ(full.verdict, pcheck::Verdict::pass) << name;
    ASSERT_EQ(reduced.verdict, pcheck::Verdict::pass) << name;
    EXPECT_EQ(full.states, full_states) << name;
    EXPECT_EQ(reduced.states, reduced_states) << name;
    EXPECT_EQ(reduced.terminal_states, full.terminal_states) << name;
}

TEST(PartialOrder, IndependentComponentsAreNotInterleaved) {
    expect_reduced_pass("independent-pipelines", 1204739, 16231);
}

// Where components do interact, the reduction is smaller but not nil: pinned, so that a change
// to the independence relation shows.
TEST(PartialOrder, InteractingComponentsAreReducedLess) {
    const pcheck::CheckResult chain =
        pcheck::check(bundled("chain"), options_for("", Reduction::partial_order));
    EXPECT_EQ(chain.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(chain.states, 6920u);  // 9,054 unreduced
    const pcheck::CheckResult overtakes = pcheck::check(bundled("close-port-overtakes-solution"),
                                                        options_for("", Reduction::partial_order));
    EXPECT_EQ(overtakes.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(overtakes.states, 2009u);  // 2,367 unreduced
}

// A cancel by name from a component that never addresses the spawner still races with the
// spawn that creates the name: before it, the cancel finds no one; after it, the worker is asked
// to cancel. Without the rule that keeps such actions out of one another's persistent subsets,
// the reduced search reaches 1 terminal state instead of 10 (and
// Properties.PersistentSubsetsCommuteWithEveryPathOutsideThem fails on this scenario).
TEST(PartialOrder, CancelByNameRacesTheSpawnOfTheName) {
    expect_reduced_pass("spawn-races-cancel-by-name", 464, 354);
    EXPECT_EQ(check_whole(bundled("spawn-races-cancel-by-name"), Reduction::none).terminal_states,
              12u);
}

// The proviso looks only at earlier layers, which threads do not change: the reduced graph is
// the same for any thread count.
TEST(PartialOrder, ThreadsChangeNothingButTime) {
    for (const char* name : {"chain", "independent-pipelines", "tractor-peer-canceller"}) {
        pcheck::CheckOptions one = options_for("", Reduction::partial_order);
        pcheck::CheckOptions two = options_for("", Reduction::partial_order);
        two.threads = 2;
        const pcheck::CheckResult a = pcheck::check(bundled(name), one);
        const pcheck::CheckResult b = pcheck::check(bundled(name), two);
        EXPECT_EQ(a.verdict, b.verdict) << name;
        EXPECT_EQ(a.states, b.states) << name;
        EXPECT_EQ(a.transitions, b.transitions) << name;
        EXPECT_EQ(a.reduced_states, b.reduced_states) << name;
    }
}

// Two pipelines of one definition that never interact: a state and its mirror image (the other
// pipeline did the same) count once, and so do states that differ only in which component got
// which id when the pipelines spawned in an interleaved order.
TEST(Symmetry, InterchangeablePipelinesCountOnce) {
    const auto scenario = bundled("independent-pipelines");
    const pcheck::CheckResult reduced =
        pcheck::check(scenario, options_for("", Reduction::symmetry));
    EXPECT_EQ(reduced.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(reduced.states,
              63001u);  // 1,204,739 without (IndependentComponentsAreNotInterleaved)
    EXPECT_EQ(reduced.terminal_states, 6u);  // 90 without
    pcheck::CheckOptions two = options_for("", Reduction::symmetry);
    two.threads = 2;
    EXPECT_EQ(pcheck::check(scenario, two).states, reduced.states);
}

pmodel::Action run_of(const pmodel::World& world, const std::string& name) {
    return pmodel::Action{pmodel::ActionKind::run, world.find_by_name(name), {}, {}, 0};
}

TEST(Symmetry, MirroredStatesShareAFingerprint) {
    const auto scenario = bundled("independent-pipelines");
    pmodel::World start(scenario, {});
    // The host spawns both pipelines; each pipeline creates its channel.
    for (int step = 0; step < 50 && start.runnable(start.find_by_name("main")); ++step) {
        start.apply(run_of(start, "main"));
    }
    std::vector<pmodel::Action> actions;
    start.enabled_actions(actions);
    ASSERT_TRUE(start.enabled(run_of(start, "left")));
    ASSERT_TRUE(start.enabled(run_of(start, "right")));
    pmodel::World left = start;
    left.apply(run_of(left, "left"));
    pmodel::World right = start;
    right.apply(run_of(right, "right"));
    EXPECT_NE(left.fingerprint(), right.fingerprint());
    pcheck::SymmetryScratch scratch;
    EXPECT_EQ(pcheck::canonical_fingerprint(left, scratch),
              pcheck::canonical_fingerprint(right, scratch));
    EXPECT_NE(pcheck::canonical_fingerprint(left, scratch),
              pcheck::canonical_fingerprint(start, scratch));
}

// Where expectations tell the copies apart, they are not merged: the verdict needs it.
TEST(Symmetry, ExpectationsTellCopiesApart) {
    nlohmann::json text = nlohmann::json::parse(bundled("independent-pipelines")->source_text);
    text["expect"]["right"] = {{"outcome", "failed"}};
    // Sources and sinks that only exit: the same symmetry between the pipelines, 94 k states
    // instead of 1.2 M (minutes of the debug suite).
    text["definitions"]["source"]["program"] = nlohmann::json::array();
    text["definitions"]["sink"]["program"] = nlohmann::json::array();
    const auto scenario = pscenario::load_scenario_text(text.dump(), "asymmetric.json");
    const pcheck::CheckResult full = check_whole(scenario, Reduction::none);
    const pcheck::CheckResult reduced = check_whole(scenario, Reduction::symmetry);
    ASSERT_EQ(full.verdict, pcheck::Verdict::violation);
    ASSERT_EQ(reduced.verdict, pcheck::Verdict::violation);
    EXPECT_EQ(reduced.violation->property, "EXPECT");
    EXPECT_EQ(reduced.counterexample.size(), full.counterexample.size());
}

// `cancel` addresses components by name, and names follow spawn order: no symmetry there.
TEST(Symmetry, CancelByNameTurnsItOff) {
    EXPECT_FALSE(pcheck::symmetry_allowed(*bundled("tractor-peer-canceller")));
    EXPECT_TRUE(pcheck::symmetry_allowed(*bundled("independent-pipelines")));
}

}  // namespace
