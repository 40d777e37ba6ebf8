// The state graph export: the graph `check` searches (same states and transitions, through
// GraphML and Boost's reader), marked where it must be, byte-identical, cut when bounded, and
// projected onto one component.
#include "pviz/state_graph.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bundled.hpp"
#include "cli_run.hpp"
#include "pcheck/checker.hpp"
#include "pmodel/variant_names.hpp"
#include "pviz/boost_graph_io.hpp"

namespace {

using nlohmann::json;

struct Loaded {
    boost::adjacency_list<boost::vecS,
                          boost::vecS,
                          boost::directedS,
                          boost::property<boost::vertex_name_t, std::string>,
                          boost::property<boost::edge_name_t, std::string>>
        graph;
    std::string complete;
};

// GraphML read back by Boost's own reader: only the attributes the test looks at are kept.
Loaded read_back(const std::string& graphml) {
    Loaded loaded;
    boost::dynamic_properties properties(boost::ignore_other_properties);
    properties.property("kind", boost::get(boost::vertex_name, loaded.graph));
    properties.property("label", boost::get(boost::edge_name, loaded.graph));
    properties.property(
        "complete", boost::ref_property_map<decltype(loaded.graph)*, std::string>(loaded.complete));
    std::istringstream in(graphml);
    boost::read_graphml(in, loaded.graph, properties);
    return loaded;
}

pviz::GraphResult graph_of(const std::string& scenario, pviz::GraphOptions options = {}) {
    return pviz::build_state_graph(ptest::bundled(scenario), options);
}

// Every bundled scenario of up to 12,000 states, and two with a fault budget: the GraphML
// export loads back with the states and transitions `check` counts.
TEST(StateGraph, GraphMlLoadsBackWithTheCountsCheckReports) {
    std::size_t compared = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
        if (entry.path().extension() != ".json") continue;  // scenarios/findings: not a scenario
        const std::string name = entry.path().stem().string();
        if (name.rfind("ring-", 0) == 0 || name.rfind("bench-", 0) == 0) continue;
        for (const bool faults : {false, true}) {
            if (faults && name != "chain" && name != "tractor-peer-canceller") continue;
            SCOPED_TRACE(name + (faults ? " with crash:1" : ""));
            pcheck::CheckOptions check;
            check.max_states = 12000;
            check.dead_fields = false;  // the graph has every state the world tells apart
            pviz::GraphOptions options;
            options.max_states = check.max_states;
            if (faults) check.faults.crash = options.faults.crash = 1;
            const pcheck::CheckResult checked = pcheck::check(ptest::bundled(name), check);
            if (checked.verdict != pcheck::Verdict::pass) continue;
            const pviz::GraphResult result = graph_of(name, options);
            ASSERT_TRUE(result.complete);
            const Loaded loaded = read_back(pviz::graph_graphml(result));
            EXPECT_EQ(boost::num_vertices(loaded.graph), checked.states);
            EXPECT_EQ(boost::num_edges(loaded.graph), checked.transitions);
            EXPECT_EQ(loaded.complete, "true");
            ++compared;
        }
    }
    EXPECT_GE(compared, 40u) << "most bundled scenarios are small enough to compare";
}

TEST(StateGraph, ViolatingStatesAreMarkedWithTheirProperty) {
    pviz::GraphOptions options;
    ASSERT_FALSE(pmodel::set_variant(options.variants, "data_message_failed=off"));
    const pviz::GraphResult result = graph_of("data-to-exiting-component", options);
    EXPECT_GT(result.violating_states, 0u);
    bool lc2 = false;
    for (auto [vertex, end] = boost::vertices(result.graph); vertex != end; ++vertex) {
        const pviz::StateNode& node = result.graph[*vertex];
        if (node.kind == "violation") {
            lc2 |= node.property == "LC-2";
            EXPECT_FALSE(node.detail.empty());
            // A violating state is not expanded: the checker stops there.
            EXPECT_EQ(boost::out_degree(*vertex, result.graph), 0u);
        }
    }
    EXPECT_TRUE(lc2);
    const auto cli =
        ptest::run_protocheck({"export", ptest::scenario_path("data-to-exiting-component"),
                               "--variant", "data_message_failed=off", "--format", "json"});
    EXPECT_EQ(cli.code, 1) << cli.err;
    EXPECT_NE(cli.out.find("\"property\": \"LC-2\""), std::string::npos);
}

std::map<std::string, int> kinds_of(const pviz::GraphResult& result) {
    std::map<std::string, int> kinds;
    for (auto [vertex, end] = boost::vertices(result.graph); vertex != end; ++vertex) {
        ++kinds[result.graph[*vertex].kind];
        kinds["initial"] += result.graph[*vertex].initial;
        kinds["cut"] += result.graph[*vertex].cut;
    }
    return kinds;
}

TEST(StateGraph, InitialTerminalAndDeadlockedStatesAreMarked) {
    std::map<std::string, int> kinds = kinds_of(graph_of("application-deadlock"));
    EXPECT_EQ(kinds["initial"], 1);
    EXPECT_GT(kinds["deadlock"], 0);
    kinds = kinds_of(graph_of("tractor-remote-error"));
    EXPECT_EQ(kinds["initial"], 1);
    EXPECT_GT(kinds["terminal"], 0);
    EXPECT_EQ(kinds["deadlock"], 0);
    EXPECT_EQ(kinds["violation"], 0);
    EXPECT_TRUE(graph_of("chain").graph[0].initial);
}

TEST(StateGraph, MaxStatesCutsAndMarksTheCut) {
    pviz::GraphOptions options;
    options.max_states = 40;
    const pviz::GraphResult result = graph_of("chain", options);
    EXPECT_FALSE(result.complete);
    EXPECT_EQ(result.states, 40u);
    EXPECT_EQ(boost::num_vertices(result.graph), 40u);
    EXPECT_GT(kinds_of(result)["cut"], 0);
    std::size_t edges = 0;
    pviz::visit_edges(result.graph, [&](const pviz::StateGraph::edge_descriptor&) { ++edges; });
    EXPECT_EQ(edges, result.transitions) << "only the transitions taken are counted";
    // One state: the initial one, cut, still marked initial.
    options.max_states = 1;
    const pviz::GraphResult one = graph_of("chain", options);
    ASSERT_EQ(boost::num_vertices(one.graph), 1u);
    EXPECT_TRUE(one.graph[0].initial);
    EXPECT_TRUE(one.graph[0].cut);
    EXPECT_NE(pviz::graph_dot(result, "chain").find("CUT: --max-states 40 reached"),
              std::string::npos);
    EXPECT_EQ(read_back(pviz::graph_graphml(result)).complete, "false");
    const auto cli = ptest::run_protocheck(
        {"export", ptest::scenario_path("chain"), "--max-states", "40", "--format", "json"});
    EXPECT_EQ(cli.code, 3) << cli.err;
    EXPECT_EQ(json::parse(cli.out)["complete"], false);
    EXPECT_NE(cli.err.find("INCOMPLETE"), std::string::npos);
}

TEST(StateGraph, OutputIsByteIdenticalForTheSameInput) {
    for (const char* format : {"dot", "graphml", "json"}) {
        const auto first = ptest::run_protocheck(
            {"export", ptest::scenario_path("transfer-overtaking"), "--format", format});
        const auto second = ptest::run_protocheck(
            {"export", ptest::scenario_path("transfer-overtaking"), "--format", format});
        EXPECT_EQ(first.code, 0) << first.err;
        EXPECT_EQ(first.out, second.out) << format;
        EXPECT_GT(first.out.size(), 1000u);
    }
}

TEST(StateGraph, CollapseProjectsOntoOneComponent) {
    pviz::GraphOptions options;
    options.collapse = "c";
    const pviz::GraphResult global = graph_of("transfer-overtaking");
    const pviz::GraphResult local = graph_of("transfer-overtaking", options);
    EXPECT_EQ(local.states, global.states);
    EXPECT_LT(boost::num_vertices(local.graph), boost::num_vertices(global.graph) / 4);
    std::uint64_t projected = 0;
    for (auto [vertex, end] = boost::vertices(local.graph); vertex != end; ++vertex) {
        projected += local.graph[*vertex].states;
        EXPECT_EQ(local.graph[*vertex].id.front(), 'l');
    }
    EXPECT_EQ(projected, global.states) << "every global state projects onto one local state";
    std::uint64_t changing = 0;
    pviz::visit_edges(local.graph, [&](const pviz::StateGraph::edge_descriptor& edge) {
        changing += local.graph[edge].transitions;
        EXPECT_NE(boost::source(edge, local.graph), boost::target(edge, local.graph));
    });
    EXPECT_GT(changing, 0u);
    EXPECT_LT(changing, global.transitions);
    // A spawned component's name (the second of two with one spawn name) works too.
    options.collapse = "source#2";
    const pviz::GraphResult spawned = graph_of("independent-pipelines", [&] {
        pviz::GraphOptions bounded = options;
        bounded.max_states = 3000;
        return bounded;
    }());
    EXPECT_GT(boost::num_vertices(spawned.graph), 2u);
    const auto unknown = ptest::run_protocheck(
        {"export", ptest::scenario_path("transfer-overtaking"), "--collapse", "nobody"});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_NE(unknown.err.find("--collapse"), std::string::npos) << unknown.err;
}

}  // namespace
