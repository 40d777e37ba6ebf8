// The reachable state graph (`protocheck export`), built breadth-first through the one
// transition system (World::enabled_actions and World::apply) and held in a Boost.Graph
// adjacency list; written as DOT and GraphML by Boost's writers, and as JSON.
//
// The graph is the one `check` searches: a node per distinct state fingerprint, an edge per
// (state, enabled action), multi-edges and self-loops kept, so that a complete export of a
// scenario without violations has exactly the states and transitions `check` reports. A
// violating state is a node marked with its property and is not expanded (as the checker
// stops there); a state where only faults are enabled is terminal and judged by the terminal
// checks (violation, or application deadlock), its fault edges still taken.
//
// `collapse`: the same search, projected onto one component's local states
// (pviz::local_state_line): a node per local state with the number of global states that
// project onto it, an edge per distinct (local state, label, local state) that changes it with
// the number of global transitions it stands for. It shows where the space grows: a local
// state that many global states share is one the rest of the system multiplies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pmodel/world.hpp"
#include "pviz/boost_graph.hpp"

namespace pviz {

struct StateNode {
    std::string id;           // "s0", "s1", ... in the order found (collapsed: "l0", ...)
    std::string fingerprint;  // "0x..." (collapsed: empty)
    std::string label;        // the state, short (world_view.hpp)
    std::uint32_t depth = 0;  // steps from the initial state, on a shortest path
    // "state", "terminal" (only faults enabled), "deadlock" (a terminal application deadlock)
    // or "violation"
    std::string kind = "state";
    bool initial = false;
    bool cut = false;          // not (or not fully) expanded: the --max-states bound
    std::string property;      // violation: the property
    std::string detail;        // violation: what the monitor said; deadlock: the cycle
    std::uint64_t states = 1;  // collapsed: global states projected onto this node
};

struct StateEdge {
    std::string label;              // World::describe of the action
    std::string action;             // run, deliver, fault or timeout
    std::uint64_t transitions = 1;  // collapsed: global transitions it stands for
};

using StateGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, StateNode, StateEdge>;

// Every edge, by source vertex then insertion (boost::edges' order, without its edge iterator,
// which GCC 12 warns about as maybe uninitialised).
template <class Visit>
void visit_edges(const StateGraph& graph, Visit&& visit) {
    for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
        for (auto [edge, last] = boost::out_edges(*vertex, graph); edge != last; ++edge) {
            visit(*edge);
        }
    }
}

struct GraphOptions {
    pcore::Variants variants;
    pmodel::FaultBudget faults;
    std::uint64_t max_states = 10000;
    std::string collapse;  // a component's name; empty: the global graph
};

struct GraphResult {
    StateGraph graph;
    bool complete = true;
    std::string stop_reason;        // when cut
    std::uint64_t states = 0;       // global states found
    std::uint64_t transitions = 0;  // global transitions taken
    std::uint64_t violating_states = 0;
};

// Throws std::invalid_argument when `collapse` names no component of the scenario.
[[nodiscard]] GraphResult build_state_graph(std::shared_ptr<const pmodel::Scenario> scenario,
                                            const GraphOptions& options);

// The writers. The output depends only on the graph: the same scenario and options give the
// same bytes.
[[nodiscard]] std::string graph_dot(const GraphResult& result, const std::string& title);
[[nodiscard]] std::string graph_graphml(const GraphResult& result);
[[nodiscard]] std::string graph_json(const GraphResult& result, const std::string& title);

}  // namespace pviz
