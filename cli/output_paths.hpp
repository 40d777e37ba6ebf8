// Outputs named on the command line, checked before the work starts (issue 14): a search of
// hours must not end in "cannot write the report", which would also hide its verdict.
#pragma once

#include <optional>
#include <string>

namespace pcli {

// Why `path` cannot become a file written by the command, or nothing when it can: its
// directory exists and is writable, and the path is not a directory itself.
[[nodiscard]] std::optional<std::string> unwritable_file(const std::string& flag,
                                                         const std::string& path);

// Why `path` cannot be (or be created as) a directory the command writes files into.
[[nodiscard]] std::optional<std::string> unwritable_directory(const std::string& flag,
                                                              const std::string& path);

}  // namespace pcli
