#include "output_paths.hpp"

#include <unistd.h>

#include <filesystem>

namespace pcli {

namespace {

namespace fs = std::filesystem;

// The directory a new entry named `path` would go into.
fs::path containing_directory(const std::string& path) {
    const fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

std::optional<std::string> writable_directory(const std::string& flag,
                                              const fs::path& directory,
                                              const std::string& path) {
    std::error_code error;
    if (!fs::is_directory(directory, error)) {
        return flag + ": " + path + ": " + directory.string() +
               (fs::exists(directory, error) ? " is not a directory" : " does not exist");
    }
    if (access(directory.c_str(), W_OK | X_OK) != 0) {
        return flag + ": " + path + ": the directory " + directory.string() + " is not writable";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> unwritable_file(const std::string& flag, const std::string& path) {
    if (path.empty()) return flag + ": expected a file name, found an empty one";
    std::error_code error;
    if (fs::is_directory(path, error)) {
        return flag + ": " + path + " is a directory; expected a file name";
    }
    if (fs::exists(path, error) && access(path.c_str(), W_OK) != 0) {
        return flag + ": " + path + " exists and is not writable";
    }
    return writable_directory(flag, containing_directory(path), path);
}

std::optional<std::string> unwritable_directory(const std::string& flag, const std::string& path) {
    if (path.empty()) return flag + ": expected a directory name, found an empty one";
    std::error_code error;
    if (fs::exists(path, error)) {
        if (!fs::is_directory(path, error)) {
            return flag + ": " + path + " exists and is not a directory";
        }
        return writable_directory(flag, path, path);
    }
    // Created with its missing parents: the nearest one that exists must take it.
    fs::path ancestor = containing_directory(path);
    while (!fs::exists(ancestor, error) && ancestor.has_parent_path() &&
           ancestor.parent_path() != ancestor) {
        ancestor = ancestor.parent_path();
    }
    if (!fs::exists(ancestor, error)) ancestor = ".";
    return writable_directory(flag, ancestor, path);
}

}  // namespace pcli
