#include "show_command.hpp"

#include "command_common.hpp"
#include "commands.hpp"
#include "output_paths.hpp"
#include "pscenario/json_document.hpp"
#include "pscenario/loader.hpp"
#include "pviz/pictures.hpp"

namespace pcli {

namespace {

std::string picture(const pviz::TraceView& view, const std::string& format) {
    if (format == "mermaid") return pviz::mermaid_chart(view);
    if (format == "svg") return pviz::svg_chart(view);
    if (format == "html") return pviz::viewer_html(view);
    if (format == "itf") return pviz::itf_trace(view).dump(1) + "\n";
    return pviz::text_chart(view);
}

pviz::TraceView view_of(const std::string& path) {
    return pviz::build_trace_view(ptrace::load_trace(pscenario::read_file(path), path));
}

}  // namespace

std::string write_viewer_beside(const std::string& trace_path) {
    const std::string path = beside_json(trace_path, ".html");
    ptrace::write_text_atomic(path, pviz::viewer_html(view_of(trace_path)));
    return path;
}

int show(const ShowOptions& options, std::ostream& out, std::ostream& err) {
    if (!options.out.empty()) {
        if (auto problem = unwritable_file("--out", options.out)) {
            err << "protocheck: " << *problem << '\n';
            return exit_bad_input;
        }
    }
    try {
        const std::string text = picture(view_of(options.trace), options.format);
        if (options.out.empty()) {
            out << text;
        } else {
            ptrace::write_text_atomic(options.out, text);
            out << options.format << " of " << options.trace << " written: " << options.out << '\n';
        }
    } catch (const pscenario::InputError& error) {
        err << "protocheck: " << error.what() << '\n';
        return exit_bad_input;
    }
    return exit_ok;
}

CLI::App* add_show_command(CLI::App& app, ShowOptions& options) {
    CLI::App* command = app.add_subcommand(
        "show", "a trace as text, a message sequence chart, an HTML viewer or an ITF trace");
    command->add_option("TRACE", options.trace, "trace file (JSON)")->required();
    command->add_option("--format", options.format, "what to draw")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "mermaid", "svg", "html", "itf"}));
    command->add_option("--out", options.out, "write it to this file (default: standard output)");
    command->footer(
        "The trace is replayed first (every fingerprint compared): a trace that does not "
        "replay is refused. text: a line per step and per event. mermaid: a Mermaid "
        "sequenceDiagram. svg: a message sequence chart (each message an arrow from the step "
        "that sent it to the step that delivered it). html: a self-contained viewer; step "
        "with the arrow keys or by clicking the chart. itf: the Informal Trace Format "
        "(Apalache). Exit codes: 0 written; 2 bad usage, a malformed trace, or one that does "
        "not replay.\n\nExample: protocheck show traces/violations/"
        "violation-close_port_info-none-chain-seed-9.json --format html --out chain.html");
    return command;
}

}  // namespace pcli
