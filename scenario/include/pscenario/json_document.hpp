// Reading a JSON document protocheck did not write: a scenario or a trace.
//
// The file is read whole but bounded (pscenario::limits::file_bytes), and must be a file, not
// a directory. Before the text becomes a tree, one streaming pass refuses what nlohmann/json
// would accept silently or what would cost us later: a key twice in one object (the last would
// win), nesting deeper than limits::json_depth (recursive consumers of the tree), and more
// values than the tree may hold (about a hundred bytes each). Every
// refusal is an InputError naming the file and the JSON path, or the line and column of a
// syntax error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pscenario/limits.hpp"

namespace pscenario {

// Reads a whole file; throws InputError when it cannot, when it is a directory, or when it is
// larger than the limit.
[[nodiscard]] std::string read_file(const std::string& path);

// Parses `text` with the checks above; `origin` names it in messages, `path_prefix` is the
// JSON path of its root ("$", or "$.scenario" for a scenario embedded in a trace);
// `max_values` bounds the tree (limits::scenario_json_values or limits::trace_json_values).
[[nodiscard]] nlohmann::json parse_document(
    const std::string& text,
    const std::string& origin,
    const std::string& path_prefix = "$",
    std::uint64_t max_values = limits::scenario_json_values);

// "line L, column C" for a byte offset in text (JSON syntax errors).
[[nodiscard]] std::string line_and_column(const std::string& text, std::size_t offset);

// Refuses (InputError naming `origin` and the key's path) the first key of `object` that is
// not in `allowed`: scenarios and traces alike take no key they do not know.
void check_known_keys(const nlohmann::json& object,
                      const std::string& origin,
                      const std::string& path,
                      std::initializer_list<const char*> allowed);

// A JSON path short enough for one line of a message: its start and its end.
[[nodiscard]] std::string shortened_path(const std::string& path);

}  // namespace pscenario
