#include "export_command.hpp"

#include <stdexcept>

#include "command_common.hpp"
#include "commands.hpp"
#include "output_paths.hpp"
#include "pscenario/loader.hpp"
#include "ptrace/trace.hpp"
#include "pviz/state_graph.hpp"

namespace pcli {

namespace {

std::string written(const pviz::GraphResult& result,
                    const std::string& format,
                    const std::string& title) {
    if (format == "graphml") return pviz::graph_graphml(result);
    if (format == "json") return pviz::graph_json(result, title);
    return pviz::graph_dot(result, title);
}

void summary(const pviz::GraphResult& result, const ExportOptions& options, std::ostream& to) {
    to << "state graph of " << options.scenario << ": " << result.states << " states, "
       << result.transitions << " transitions";
    if (!options.collapse.empty()) {
        to << ", drawn as " << boost::num_vertices(result.graph) << " local states of "
           << options.collapse;
    }
    if (result.violating_states > 0) to << ", " << result.violating_states << " violating";
    if (!result.complete) to << "; INCOMPLETE: " << result.stop_reason << " (the cut is marked)";
    to << '\n';
}

}  // namespace

int export_graph(const ExportOptions& options, std::ostream& out, std::ostream& err) {
    if (!options.out.empty()) {
        if (auto problem = unwritable_file("--out", options.out)) {
            err << "protocheck: " << *problem << '\n';
            return exit_bad_input;
        }
    }
    std::shared_ptr<const pmodel::Scenario> scenario;
    pviz::GraphOptions graph;
    graph.max_states = options.max_states;
    graph.collapse = options.collapse;
    if (!load_inputs(options.scenario, options.variants, options.faults, scenario, graph.variants,
                     graph.faults, err)) {
        return exit_bad_input;
    }
    pviz::GraphResult result;
    try {
        result = pviz::build_state_graph(scenario, graph);
        const std::string text = written(result, options.format, options.scenario);
        if (options.out.empty()) {
            out << text;
        } else {
            ptrace::write_text_atomic(options.out, text);
        }
    } catch (const std::invalid_argument& error) {
        err << "protocheck: --collapse: " << error.what() << " in " << options.scenario << '\n';
        return exit_bad_input;
    } catch (const pscenario::InputError& error) {
        err << "protocheck: " << error.what() << '\n';
        return exit_bad_input;
    }
    summary(result, options, options.out.empty() ? err : out);
    if (result.violating_states > 0) return exit_violation;
    return result.complete ? exit_ok : exit_incomplete;
}

CLI::App* add_export_command(CLI::App& app, ExportOptions& options) {
    CLI::App* command = app.add_subcommand("export", "the reachable state graph, for pictures");
    command->add_option("SCENARIO", options.scenario, "scenario file (JSON)")->required();
    command->add_option("--format", options.format, "the file format")
        ->capture_default_str()
        ->check(CLI::IsMember({"dot", "graphml", "json"}));
    command->add_option("--max-states", options.max_states, "stop after this many states")
        ->capture_default_str()
        ->check(whole_number(1, any_count));
    command
        ->add_option("--collapse", options.collapse,
                     "project the graph onto this component's local states")
        ->type_name("NAME");
    command->add_option("--variant", options.variants, "a design variant, KEY=VALUE")
        ->type_name("K=V");
    command->add_option("--faults", options.faults, "fault budget, e.g. crash:1,cancel:1")
        ->type_name("SPEC");
    command->add_option("--out", options.out, "write it to this file (default: standard output)");
    command->footer(
        "A node per distinct state (its fingerprint and a short state), an edge per enabled "
        "action: the graph `check` searches, so a complete export has the states and "
        "transitions check counts. Initial, terminal, deadlocked, violating and cut states "
        "are marked. Exit codes: 0 the whole graph, no violation; 1 a violating state is in "
        "it; 2 bad usage or bad input; 3 --max-states cut it (the cut is marked).\n\nExample: "
        "protocheck export scenarios/chain.json --format dot --out chain.dot && dot -Tsvg "
        "chain.dot -o chain.svg");
    return command;
}

}  // namespace pcli
