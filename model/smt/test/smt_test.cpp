// The SMT encodings: the logic's evaluator, the proofs under the default design, the CTIs each
// non-default variant must produce, and conformance of the encodings to the core on the
// bundled scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "pmodel/variant_names.hpp"
#include "pscenario/loader.hpp"
#include "psmt/conformance.hpp"
#include "psmt/prover.hpp"

namespace {

using namespace psmt;

std::string scenario_path(const std::string& name) {
    return std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

pcore::Variants variants_of(const std::string& assignment) {
    pcore::Variants variants;
    if (!assignment.empty()) {
        const auto problem = pmodel::set_variant(variants, assignment);
        EXPECT_FALSE(problem.has_value()) << *problem;
    }
    return variants;
}

// ---- The logic -------------------------------------------------------------------------

TEST(SmtLogic, EvaluatesQuantifiersChoicesAndRigidSymbols) {
    Vocabulary v;
    const SortId node = v.uninterpreted("node");
    const SortId level = v.enumerated("level", {"low", "mid", "high"});
    const SymbolId at = v.function("at", {node}, level, "");
    const SymbolId up = v.rigid(
        "up", {level}, level, [](const auto& a) { return a[0] == 2 ? 2U : a[0] + 1; }, "");
    VarPool pool;
    const Var n = pool.fresh(node, "n");
    Structure s(v, {3, 0});
    s.set(at, {0}, 0);
    s.set(at, {1}, 1);
    s.set(at, {2}, 2);
    const Expr some_high = exists({n}, eq(apply(v, at, {ref(n)}), value(level, 2)));
    const Expr all_high = forall({n}, eq(apply(v, at, {ref(n)}), value(level, 2)));
    EXPECT_TRUE(s.holds(some_high));
    EXPECT_FALSE(s.holds(all_high));
    // up(at(n)) is high exactly for the nodes at mid or high.
    const Expr raised = eq(apply(v, up, {apply(v, at, {ref(n)})}), value(level, 2));
    EXPECT_TRUE(s.holds(raised, {{n, 1}}));
    EXPECT_FALSE(s.holds(raised, {{n, 0}}));
    const Expr chosen =
        eq(ite(eq(ref(n), ref(n)), value(level, 1), value(level, 0)), value(level, 1));
    EXPECT_TRUE(s.holds(chosen, {{n, 0}}));
    EXPECT_FALSE(s.stutters());  // the next state is still all zero
    s.copy_now_to_next();
    EXPECT_TRUE(s.stutters());
    s.set(at, {2}, 0, Time::next);
    EXPECT_FALSE(s.stutters());
    EXPECT_FALSE(s.holds(primed(all_high)));
    EXPECT_EQ(to_text(v, all_high), "forall n:node. at(n) = high");
}

// ---- Proofs ----------------------------------------------------------------------------

const PropertyResult& find(const std::vector<PropertyResult>& results, const std::string& id) {
    const auto found = std::find_if(results.begin(), results.end(),
                                    [&](const PropertyResult& r) { return r.id == id; });
    if (found == results.end()) throw std::runtime_error("no result for " + id);
    return *found;
}

TEST(SmtProof, EveryEncodedPropertyHoldsUnderTheDefaultDesign) {
    const auto encoded = encodings(pcore::Variants{});
    const auto results = prove(encoded, {});
    ASSERT_GE(results.size(), 7U);
    for (const PropertyResult& result : results) {
        EXPECT_EQ(result.verdict, Verdict::holds) << result.id;
        std::size_t enabled = 0;
        for (const QueryResult& query : result.queries) {
            // Init has states, and the proof is not about actions that never happen.
            if (query.kind == "initiation") {
                EXPECT_FALSE(query.vacuous) << result.id;
            }
            if (query.kind == "consecution" && !query.vacuous) ++enabled;
            EXPECT_EQ(query.verdict, Verdict::holds)
                << result.id << " " << query.kind << " " << query.action << "\n"
                << query.detail << "\n"
                << query.cti;
        }
        EXPECT_GT(enabled, 0U) << result.id << ": every action is vacuous";
    }
}

// The vacuity check itself: an Init nothing satisfies proves nothing, and is said so.
TEST(SmtProof, AnUnsatisfiableInitIsVacuousNotProved) {
    auto encoded = encodings(pcore::Variants{});
    encoded.resize(1);
    encoded.front().init = land({encoded.front().init, falsity()});
    const auto results = prove(encoded, {});
    ASSERT_FALSE(results.empty());
    for (const PropertyResult& result : results) {
        EXPECT_EQ(result.verdict, Verdict::unknown) << result.id;
        EXPECT_TRUE(result.queries.front().vacuous) << result.id;
    }
}

struct BrokenDesign {
    const char* variant;
    const char* property;
};

void PrintTo(const BrokenDesign& design, std::ostream* out) {
    *out << design.property << " under " << design.variant;
}

class SmtVariantBreaks : public ::testing::TestWithParam<BrokenDesign> {};

TEST_P(SmtVariantBreaks, TheContractsPropertyGetsACounterexampleToInduction) {
    const BrokenDesign design = GetParam();
    const auto results = prove(encodings(variants_of(design.variant)), {{design.property}, 60000});
    // An id may have a result per encoding (DF-1, NM-1): the one that fails, if any.
    const auto broken = std::find_if(results.begin(), results.end(), [&](const PropertyResult& r) {
        return r.id == design.property && r.verdict == Verdict::fails;
    });
    const PropertyResult& result =
        broken != results.end() ? *broken : find(results, design.property);
    EXPECT_EQ(result.verdict, Verdict::fails);
    const auto failing =
        std::find_if(result.queries.begin(), result.queries.end(),
                     [](const QueryResult& q) { return q.verdict == Verdict::fails; });
    ASSERT_NE(failing, result.queries.end());
    EXPECT_NE(failing->cti.find("c0:"), std::string::npos) << failing->cti;
    EXPECT_FALSE(failing->detail.empty());
}

INSTANTIATE_TEST_SUITE_P(
    BreakingVariants,
    SmtVariantBreaks,
    ::testing::Values(BrokenDesign{"cancel_precedence=cancel_overrides", "NM-2"},
                      BrokenDesign{"cancel_precedence=cancel_overrides", "NM-3"},
                      BrokenDesign{"shutdown_guard=none", "NM-5"},
                      BrokenDesign{"shutdown_guard=lock", "DF-1"},
                      BrokenDesign{"data_message_failed=off", "LC-2"},
                      BrokenDesign{"leader_holds_refs=off", "LC-1"},
                      BrokenDesign{"transfer_blocks_peer=off", "LC-1"},
                      BrokenDesign{"network=unordered", "LC-1"},
                      BrokenDesign{"error_relay=none", "LC-1"},
                      BrokenDesign{"close_port_info=in_sync_flag", "SY-3"},
                      BrokenDesign{"close_port_info=none", "SY-4"},
                      BrokenDesign{"round_cancel_after_vote=immediate", "SY-1"},
                      BrokenDesign{"ordering=none", "SY-5"},
                      BrokenDesign{"network=unordered", "SY-5"},
                      BrokenDesign{"transfer_blocks_peer=off", "PT-1"},
                      BrokenDesign{"network=fifo_channel", "PT-1"},
                      BrokenDesign{"error_relay=none", "DF-1"},
                      BrokenDesign{"error_relay=none", "DF-2"},
                      BrokenDesign{"network=unordered", "DF-2"},
                      BrokenDesign{"shutdown_guard=none", "DF-2"}),
    [](const auto& design) {
        std::string name(design.param.property);
        name.append("_").append(design.param.variant);
        for (char& c : name) {
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        }
        return name;
    });

// ---- Conformance -----------------------------------------------------------------------

struct ConformanceCase {
    const char* scenario;
    const char* variant;
    std::uint32_t crashes;
};

ConformanceReport conform(const ConformanceCase& c,
                          bool invariants,
                          std::uint64_t max_states = 4000) {
    const auto scenario = pscenario::load_scenario_file(scenario_path(c.scenario));
    pmodel::FaultBudget faults;
    faults.crash = c.crashes;
    const pcore::Variants variants = variants_of(c.variant);
    const pmodel::World world(scenario, variants, faults);
    ConformanceOptions options;
    options.max_states = max_states;
    return check_conformance(world, encodings(variants), options, invariants);
}

std::string failures_text(const ConformanceReport& report) {
    std::string out;
    for (const auto& failure : report.failures) {
        out += failure.protocol + " " + failure.kind + " " + failure.what + ": " + failure.detail +
               "\n";
    }
    return out;
}

TEST(SmtConformance, TheEncodingsTakeEveryStepOfEveryBundledScenario) {
    std::vector<std::string> names;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
        if (entry.path().extension() != ".json") continue;  // scenarios/findings: not a scenario
        const std::string stem = entry.path().stem().string();
        if (stem.rfind("ring-", 0) == 0 || stem.rfind("bench-", 0) == 0) continue;
        names.push_back(stem);
    }
    std::sort(names.begin(), names.end());
    ASSERT_GT(names.size(), 40U);
    std::uint64_t transitions = 0;
    // Per encoding: the transitions that changed its state (each matched to an action).
    std::vector<std::uint64_t> moved(encodings(pcore::Variants{}).size(), 0);
    for (const std::string& name : names) {
        for (std::uint32_t crashes : {0U, 1U}) {
            const ConformanceReport report = conform({name.c_str(), "", crashes}, true);
            transitions += report.transitions;
            for (std::size_t index = 0; index < moved.size(); ++index) {
                moved[index] += report.steps[index];
            }
            EXPECT_EQ(report.failure_count, 0U) << name << " crash:" << crashes << "\n"
                                                << failures_text(report);
        }
    }
    std::printf("conformance: %llu transitions\n", static_cast<unsigned long long>(transitions));
    EXPECT_GT(transitions, 10000U);
    for (std::size_t index = 0; index < moved.size(); ++index) {
        std::printf("  steps of encoding %zu: %llu\n", index,
                    static_cast<unsigned long long>(moved[index]));
        EXPECT_GT(moved[index], 1000U) << "encoding " << index << " is hardly exercised";
    }
}

// The variants that change a handler change its action: the steps of the broken designs are
// still the encoding's steps (their reached states break the invariants: that is the bug).
class SmtConformanceUnder : public ::testing::TestWithParam<std::string> {};

TEST_P(SmtConformanceUnder, TheVariantsStepsAreTheEncodingsSteps) {
    std::uint64_t moved = 0;
    for (const char* name :
         {"rayfed-signal-during-failure", "tractor-cancel-masks-remote-error", "tractor-multierror",
          "chain-leader-crash", "tractor-sigint-subactor", "round-cancel-after-vote",
          "error-in-sync-before-first", "data-to-exiting-component", "data-to-exiting-component"}) {
        for (std::uint32_t crashes : {0U, 1U}) {
            const ConformanceReport report =
                conform({name, GetParam().c_str(), crashes}, false, 1500);
            moved += report.steps.front();
            EXPECT_EQ(report.failure_count, 0U)
                << name << " " << GetParam() << " crash:" << crashes << "\n"
                << failures_text(report);
        }
    }
    EXPECT_GT(moved, 100U);
}

// Every design of contract §8 that is not the default.
INSTANTIATE_TEST_SUITE_P(EveryDesign,
                         SmtConformanceUnder,
                         ::testing::ValuesIn([] {
                             std::vector<std::string> designs = pmodel::every_design();
                             designs.erase(designs.begin());  // the default: the test above
                             return designs;
                         }()),
                         [](const auto& design) {
                             std::string name = design.param;
                             for (char& c : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             }
                             return name;
                         });

}  // namespace
