// `protocheck show TRACE --format text|mermaid|svg|html|itf [--out FILE]`: a trace as a
// picture (viz/include/pviz/pictures.hpp), replayed first so that it cannot show what the
// model does not do.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace pcli {

struct ShowOptions {
    std::string trace;
    std::string format = "text";
    std::string out;  // empty: standard output
};

CLI::App* add_show_command(CLI::App& app, ShowOptions& options);
[[nodiscard]] int show(const ShowOptions& options, std::ostream& out, std::ostream& err);

// The viewer of a trace already written (check's and simulate's --html): TRACE.html beside
// TRACE.json; returns its path. Throws pscenario::InputError when it cannot be read or written.
std::string write_viewer_beside(const std::string& trace_path);

}  // namespace pcli
