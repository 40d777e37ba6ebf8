#include "shrink_command.hpp"

#include "command_common.hpp"
#include "commands.hpp"
#include "interrupt.hpp"
#include "output_paths.hpp"
#include "pscenario/json_document.hpp"
#include "pscenario/loader.hpp"
#include "ptrace/shrink.hpp"

namespace pcli {

int shrink(const ShrinkOptions& options, std::ostream& out, std::ostream& err) {
    const std::string target =
        options.out.empty() ? beside_json(options.trace, ".shrunk.json") : options.out;
    if (auto problem = unwritable_file("--out", target)) {
        err << "protocheck: " << *problem << '\n';
        return exit_bad_input;
    }
    ptrace::ShrinkResult result;
    try {
        const ptrace::LoadedTrace trace =
            ptrace::load_trace(pscenario::read_file(options.trace), options.trace);
        if (trace.recorded_property.empty()) {
            err << "protocheck: " << options.trace
                << ": $.violation: the trace records no violation; shrink keeps a violated "
                   "property, so it needs a failing trace\n";
            return exit_bad_input;
        }
        ptrace::ShrinkOptions shrink;
        shrink.tests_max = options.tests_max;
        shrink.seconds_max = options.seconds_max;
        shrink.tool_version = tool_version;
        const InterruptWatch interrupts;
        shrink.interrupt = &InterruptWatch::requested();
        result = ptrace::shrink_trace(trace, shrink);
        if (!result.violating) {
            err << "protocheck: " << options.trace << ": the trace's steps do not violate "
                << trace.recorded_property << " when run again (replay it to see where it "
                << "diverges)\n";
            return exit_bad_input;
        }
        ptrace::write_json_atomic(target, result.trace);
    } catch (const pscenario::InputError& error) {
        err << "protocheck: " << error.what() << '\n';
        return exit_bad_input;
    }
    out << "shrunk " << options.trace << ": " << result.property << " still violated; "
        << result.steps_before << " steps -> " << result.steps_after << " steps (" << result.tests
        << " runs tried" << (result.stopped_early ? ", stopped early: the best so far is kept" : "")
        << ")\n"
        << "trace written: " << target << '\n';
    return result.stopped_early ? exit_incomplete : exit_ok;
}

CLI::App* add_shrink_command(CLI::App& app, ShrinkOptions& options) {
    CLI::App* command = app.add_subcommand(
        "shrink", "minimise a failing trace while it keeps violating the same property");
    command->add_option("TRACE", options.trace, "failing trace file (JSON)")->required();
    command->add_option("--out", options.out,
                        "where to write the shrunk trace (default: TRACE as NAME.shrunk.json)");
    command->add_option("--tests-max", options.tests_max, "at most this many candidate runs")
        ->capture_default_str()
        ->check(whole_number(1, any_count));
    command->add_option("--seconds-max", options.seconds_max, "at most this many seconds")
        ->capture_default_str()
        ->check(seconds_in(0.001, 1e9));
    command->footer(
        "Removes steps and faults (delta debugging, then moves of steps a few places earlier) "
        "while the "
        "run's first violation stays the same property; the result replays. Exit codes: 0 "
        "shrunk; 2 bad input (a trace without a violation, or one whose steps no longer "
        "violate it); 3 a bound or a signal stopped the search first (the best trace so far is "
        "written).\n\nExample: protocheck shrink traces/violations/"
        "violation-close_port_info-none-chain-seed-9.json --out small.json");
    return command;
}

}  // namespace pcli
