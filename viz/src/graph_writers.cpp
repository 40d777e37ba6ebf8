// Writing the state graph: DOT and GraphML through Boost.Graph's writers (the attributes as
// dynamic properties), JSON by our code with the same fields.
#include <nlohmann/json.hpp>
#include <sstream>

#include "pviz/boost_graph_io.hpp"
#include "pviz/state_graph.hpp"

namespace pviz {

namespace {

using Vertex = StateGraph::vertex_descriptor;
using Edge = StateGraph::edge_descriptor;

// The attributes every format carries, by name.
boost::dynamic_properties graph_properties(const StateGraph& graph) {
    // dynamic_properties holds the maps by value; the graph is only read.
    auto& g = const_cast<StateGraph&>(graph);
    boost::dynamic_properties properties;
    properties.property("id", boost::get(&StateNode::id, g));
    properties.property("label", boost::get(&StateNode::label, g));
    properties.property("fingerprint", boost::get(&StateNode::fingerprint, g));
    properties.property("depth", boost::get(&StateNode::depth, g));
    properties.property("kind", boost::get(&StateNode::kind, g));
    properties.property("initial", boost::get(&StateNode::initial, g));
    properties.property("cut", boost::get(&StateNode::cut, g));
    properties.property("property", boost::get(&StateNode::property, g));
    properties.property("detail", boost::get(&StateNode::detail, g));
    properties.property("states", boost::get(&StateNode::states, g));
    properties.property("label", boost::get(&StateEdge::label, g));
    properties.property("action", boost::get(&StateEdge::action, g));
    properties.property("transitions", boost::get(&StateEdge::transitions, g));
    return properties;
}

// How a state looks in Graphviz: the initial state bold, a cut one dashed, the judged ones
// filled (node_colour).
std::string node_style(const StateNode& node) {
    std::string style;
    if (node.initial) style = "bold";
    if (node.cut) style.append(style.empty() ? "" : ",").append("dashed");
    if (node.kind != "state") style.append(style.empty() ? "" : ",").append("filled");
    return style.empty() ? "solid" : style;
}

std::string node_colour(const StateNode& node) {
    if (node.kind == "violation") return "#ffc9c9";
    if (node.kind == "deadlock") return "#ffe3a3";
    if (node.kind == "terminal") return "#d3f9d8";
    return "black";
}

std::string dot_escape(const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        if (c == '"' || c == '\\') escaped.push_back('\\');
        escaped.push_back(c);
    }
    return escaped;
}

}  // namespace

std::string graph_dot(const GraphResult& result, const std::string& title) {
    const StateGraph& graph = result.graph;
    boost::dynamic_properties properties = graph_properties(graph);
    properties.property("shape",
                        boost::make_function_property_map<Vertex, std::string>([&graph](Vertex v) {
                            return graph[v].kind == "violation" ? "octagon" : "box";
                        }));
    properties.property("style", boost::make_function_property_map<Vertex, std::string>(
                                     [&graph](Vertex v) { return node_style(graph[v]); }));
    properties.property("fillcolor", boost::make_function_property_map<Vertex, std::string>(
                                         [&graph](Vertex v) { return node_colour(graph[v]); }));
    std::ostringstream body;
    boost::write_graphviz_dp(body, graph, properties, "id");
    std::string dot = body.str();
    std::string caption = title + ": " + std::to_string(result.states) + " states, " +
                          std::to_string(result.transitions) + " transitions";
    if (!result.complete) caption.append(", CUT: ").append(result.stop_reason);
    const std::string header = "label=\"" + dot_escape(caption) +
                               "\";\nlabelloc=t;\nnode [fontname=\"monospace\", fontsize=10];\n"
                               "edge [fontname=\"monospace\", fontsize=9];\n";
    dot.insert(dot.find('\n') + 1, header);
    return dot;
}

std::string graph_graphml(const GraphResult& result) {
    boost::dynamic_properties properties = graph_properties(result.graph);
    std::string complete = result.complete ? "true" : "false";
    std::string stop = result.stop_reason;
    auto states = result.states;
    auto transitions = result.transitions;
    properties.property("complete", boost::ref_property_map<StateGraph*, std::string>(complete));
    properties.property("stop_reason", boost::ref_property_map<StateGraph*, std::string>(stop));
    properties.property("global_states",
                        boost::ref_property_map<StateGraph*, std::uint64_t>(states));
    properties.property("global_transitions",
                        boost::ref_property_map<StateGraph*, std::uint64_t>(transitions));
    std::ostringstream out;
    boost::write_graphml(out, result.graph, boost::get(boost::vertex_index, result.graph),
                         properties, true);
    return out.str();
}

std::string graph_json(const GraphResult& result, const std::string& title) {
    using nlohmann::json;
    const StateGraph& graph = result.graph;
    json nodes = json::array();
    for (auto [vertex, end] = boost::vertices(graph); vertex != end; ++vertex) {
        const StateNode& node = graph[*vertex];
        nodes.push_back({{"id", node.id},
                         {"fingerprint", node.fingerprint},
                         {"label", node.label},
                         {"depth", node.depth},
                         {"kind", node.kind},
                         {"property", node.property},
                         {"detail", node.detail},
                         {"states", node.states}});
    }
    json edges = json::array();
    visit_edges(graph, [&](const StateGraph::edge_descriptor& edge) {
        const StateEdge& data = graph[edge];
        edges.push_back({{"source", graph[boost::source(edge, graph)].id},
                         {"target", graph[boost::target(edge, graph)].id},
                         {"label", data.label},
                         {"action", data.action},
                         {"transitions", data.transitions}});
    });
    json document = {{"format", "protocheck-state-graph/1"},
                     {"title", title},
                     {"complete", result.complete},
                     {"stop_reason", result.complete ? json() : json(result.stop_reason)},
                     {"states", result.states},
                     {"transitions", result.transitions},
                     {"violating_states", result.violating_states},
                     {"nodes", nodes},
                     {"edges", edges}};
    return document.dump(1) + "\n";
}

}  // namespace pviz
