// Building the state graph: breadth-first, as the checker searches (pviz/state_graph.hpp).
#include "pviz/state_graph.hpp"

#include <deque>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "ptrace/trace.hpp"
#include "pviz/world_view.hpp"

namespace pviz {

namespace {

using Vertex = StateGraph::vertex_descriptor;

// The projection of `export --collapse NAME`: local states and their edges, keyed by text
// (ordered maps: the ids follow the order found, whatever the hashing).
class Projection {
  public:
    explicit Projection(std::string component) : component_(std::move(component)) {}

    [[nodiscard]] bool active() const { return !component_.empty(); }

    std::string local(const pmodel::World& world) {
        const pcore::CompId comp = world.find_by_name(component_);
        if (!comp.valid()) return "not yet spawned";
        met_component_ = true;
        return local_state_line(world, comp);
    }

    [[nodiscard]] bool met_component() const { return met_component_; }

    Vertex node(StateGraph& graph, const std::string& local, const StateNode& global) {
        auto [at, inserted] = nodes_.try_emplace(local, 0);
        if (inserted) {
            StateNode node;
            node.id = std::string("l").append(std::to_string(boost::num_vertices(graph)));
            node.label = local;
            node.depth = global.depth;
            node.states = 0;
            at->second = boost::add_vertex(node, graph);
        }
        StateNode& node = graph[at->second];
        ++node.states;
        node.initial |= global.initial;
        // The most telling kind wins: a violation over a deadlock over a terminal state.
        if (rank(global.kind) > rank(node.kind)) {
            node.kind = global.kind;
            node.property = global.property;
            node.detail = global.detail;
        }
        return at->second;
    }

    void edge(StateGraph& graph, Vertex from, Vertex to, const StateEdge& global) {
        if (from == to) return;
        auto [at, inserted] = edges_.try_emplace(std::make_tuple(from, to, global.label));
        if (inserted) {
            StateEdge edge = global;
            edge.transitions = 0;
            boost::add_edge(from, to, edge, graph);
        }
        ++at->second;
    }

    // Edge counts are kept aside (an edge cannot be found by its label) and put on at the end.
    void finish(StateGraph& graph) const {
        visit_edges(graph, [&](const StateGraph::edge_descriptor& edge) {
            const auto key = std::make_tuple(boost::source(edge, graph), boost::target(edge, graph),
                                             graph[edge].label);
            graph[edge].transitions = edges_.at(key);
        });
    }

  private:
    static int rank(const std::string& kind) {
        return kind == "violation" ? 3 : kind == "deadlock" ? 2 : kind == "terminal" ? 1 : 0;
    }

    std::string component_;
    bool met_component_ = false;
    std::map<std::string, Vertex> nodes_;
    std::map<std::tuple<Vertex, Vertex, std::string>, std::uint64_t> edges_;
};

const char* action_kind(pmodel::ActionKind kind) {
    switch (kind) {
        case pmodel::ActionKind::run:
            return "run";
        case pmodel::ActionKind::deliver:
            return "deliver";
        case pmodel::ActionKind::fault:
            return "fault";
        case pmodel::ActionKind::timeout:
            return "timeout";
    }
    return "run";
}

class GraphBuilder {
  public:
    GraphBuilder(std::shared_ptr<const pmodel::Scenario> scenario, const GraphOptions& options)
        : scenario_(std::move(scenario)), options_(options), projection_(options.collapse) {}

    GraphResult build() {
        pmodel::World initial(scenario_, options_.variants, options_.faults);
        StateNode node = describe(initial, 0);
        node.initial = true;
        (void)add_state(std::move(initial), std::move(node));
        while (!frontier_.empty() && result_.complete) expand();
        for (const Queued& queued : frontier_) result_.graph[queued.vertex].cut = true;
        if (projection_.active()) {
            // Names of spawned components depend on the order of spawns: a name is known only
            // once some state has it.
            if (!projection_.met_component()) {
                throw std::invalid_argument("no component named \"" + options_.collapse +
                                            "\" in any state reached");
            }
            projection_.finish(result_.graph);
        }
        return std::move(result_);
    }

  private:
    StateNode describe(const pmodel::World& world, std::uint32_t depth) const {
        StateNode node;
        node.id = std::string("s").append(std::to_string(result_.states));
        node.fingerprint = ptrace::hex64(world.fingerprint());
        node.label = state_line(world);
        node.depth = depth;
        if (!world.violations().empty()) {
            node.kind = "violation";
            node.property = world.violations().front().property;
            node.detail = world.violations().front().detail;
        }
        return node;
    }

    // Judges a new state as the checker does, adds it, and queues it when it is expanded. A
    // state a monitor found violating is kept apart from the others: the fingerprint does not
    // hold the monitors' verdicts, and the checker never counts such a state as visited.
    Vertex add_state(pmodel::World world, StateNode node) {
        ++result_.states;
        std::vector<pmodel::Action> actions;
        world.enabled_actions(actions);
        const bool monitored = node.kind == "violation";
        if (!monitored && !pmodel::any_live(actions)) judge_terminal(world, node);
        if (node.kind == "violation") ++result_.violating_states;
        const bool expand = node.kind != "violation" && !actions.empty();
        const Vertex vertex = global_vertex(world, node);
        (monitored ? seen_violating_ : seen_).emplace(world.fingerprint(), vertex);
        if (expand) frontier_.push_back({std::move(world), vertex, node.depth});
        return vertex;
    }

    void judge_terminal(const pmodel::World& world, StateNode& node) const {
        pmodel::World judged = world;
        const std::vector<pmodel::AppDeadlock> deadlocks = judged.check_terminal();
        node.kind = "terminal";
        if (!deadlocks.empty()) {
            node.kind = "deadlock";
            node.detail = deadlocks.front().detail;
        }
        if (!judged.violations().empty()) {
            node.kind = "violation";
            node.property = judged.violations().front().property;
            node.detail = judged.violations().front().detail;
        }
    }

    // The vertex a global state is drawn as: its own, or its projection's.
    Vertex global_vertex(const pmodel::World& world, const StateNode& node) {
        if (!projection_.active()) return boost::add_vertex(node, result_.graph);
        return projection_.node(result_.graph, projection_.local(world), node);
    }

    void expand() {
        const Queued queued = std::move(frontier_.front());
        frontier_.pop_front();
        const pmodel::World& world = queued.world;
        std::vector<pmodel::Action> actions;
        world.enabled_actions(actions);
        for (const pmodel::Action& action : actions) {
            pmodel::World child = world;
            child.apply(action);
            const StateEdge edge{world.describe(action), action_kind(action.kind), 1};
            const auto& seen = child.violations().empty() ? seen_ : seen_violating_;
            const auto known = seen.find(child.fingerprint());
            if (known == seen.end() && result_.states >= options_.max_states) {
                result_.complete = false;
                result_.stop_reason =
                    std::string("--max-states ").append(std::to_string(options_.max_states)) +
                    " reached";
                result_.graph[queued.vertex].cut = true;
                return;
            }
            ++result_.transitions;
            if (known != seen.end()) {
                connect(queued.vertex, known->second, edge);
                continue;
            }
            StateNode node = describe(child, queued.depth + 1);
            connect(queued.vertex, add_state(std::move(child), std::move(node)), edge);
        }
    }

    void connect(Vertex from, Vertex to, const StateEdge& edge) {
        if (projection_.active()) {
            projection_.edge(result_.graph, from, to, edge);
        } else {
            boost::add_edge(from, to, edge, result_.graph);
        }
    }

    std::shared_ptr<const pmodel::Scenario> scenario_;
    const GraphOptions& options_;
    Projection projection_;
    GraphResult result_;
    struct Queued {
        pmodel::World world;
        Vertex vertex;
        std::uint32_t depth;
    };
    std::deque<Queued> frontier_;
    // Lookups only, never iterated: states by fingerprint, and apart from them the states a
    // monitor found violating.
    std::unordered_map<std::uint64_t, Vertex> seen_;
    std::unordered_map<std::uint64_t, Vertex> seen_violating_;
};

}  // namespace

GraphResult build_state_graph(std::shared_ptr<const pmodel::Scenario> scenario,
                              const GraphOptions& options) {
    return GraphBuilder(std::move(scenario), options).build();
}

}  // namespace pviz
