#include "pscenario/json_document.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "pscenario/limits.hpp"
#include "pscenario/loader.hpp"

namespace pscenario {

using nlohmann::json;

namespace {

// The streaming pass: a stack of open arrays and objects, each with the keys met so far (an
// object) or the index of the element being read (an array), so that a refusal can name the
// JSON path of what it refuses.
class GuardPass {
  public:
    GuardPass(std::string prefix, std::uint64_t max_values)
        : prefix_(std::move(prefix)), max_values_(max_values) {}

    bool null() { return value(); }
    bool boolean(bool) { return value(); }
    bool number_integer(json::number_integer_t) { return value(); }
    bool number_unsigned(json::number_unsigned_t) { return value(); }
    bool number_float(json::number_float_t, const json::string_t&) { return value(); }
    bool string(json::string_t&) { return value(); }
    bool binary(json::binary_t&) { return value(); }
    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t& name) {
        Frame& frame = stack_.back();
        frame.key = name;
        if (!frame.keys.insert(name).second) {
            refusal_path_ = path();
            refusal_ = "the key \"" + name +
                       "\" appears twice in one object (JSON leaves the meaning open; protocheck "
                       "refuses it rather than keep one of the two)";
            return false;
        }
        return true;
    }

    // Syntax errors, and numbers no double holds (1e400): nlohmann words them.
    bool parse_error(std::size_t position,
                     const std::string&,
                     const nlohmann::detail::exception& error) {
        syntax_error_at_ = position;
        syntax_error_ = error.what();
        return false;
    }

    [[nodiscard]] const std::string& refusal() const { return refusal_; }
    [[nodiscard]] const std::string& refusal_path() const { return refusal_path_; }
    [[nodiscard]] std::size_t syntax_error_at() const { return syntax_error_at_; }
    [[nodiscard]] const std::string& syntax_error() const { return syntax_error_; }

  private:
    struct Frame {
        bool object = false;
        std::set<std::string> keys;
        std::string key;
        std::size_t index = 0;
    };

    // The path of the value being read now.
    [[nodiscard]] std::string path() const {
        std::string text = prefix_;
        for (std::size_t at = 0; at < stack_.size(); ++at) {
            const Frame& frame = stack_[at];
            if (frame.object) {
                text.append(1, '.').append(frame.key);
            } else {
                text.append(1, '[').append(std::to_string(frame.index)).append(1, ']');
            }
        }
        return text;
    }

    bool open(bool object) {
        if (!count_value()) return false;
        if (stack_.size() >= limits::json_depth) {
            refusal_path_ = path();
            refusal_ = "arrays and objects nest deeper than " + std::to_string(limits::json_depth) +
                       " levels here (pscenario::limits::json_depth)";
            return false;
        }
        stack_.push_back(Frame{object, {}, {}, 0});
        return true;
    }

    bool close() {
        stack_.pop_back();
        next_element();
        return true;
    }

    bool value() {
        if (!count_value()) return false;
        next_element();
        return true;
    }

    void next_element() {
        if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
    }

    // The tree costs about a hundred bytes a value: bound it before building it.
    bool count_value() {
        if (++values_ <= max_values_) return true;
        refusal_path_ = path();
        refusal_ = "the document holds more than " + std::to_string(max_values_) +
                   " JSON values (pscenario::limits::" +
                   (max_values_ == limits::scenario_json_values ? "scenario" : "trace") +
                   "_json_values)";
        return false;
    }

    std::string prefix_;
    std::uint64_t max_values_ = 0;
    std::uint64_t values_ = 0;
    std::vector<Frame> stack_;
    std::string refusal_;
    std::string refusal_path_;
    std::size_t syntax_error_at_ = std::string::npos;
    std::string syntax_error_;
};

}  // namespace

void check_known_keys(const json& object,
                      const std::string& origin,
                      const std::string& path,
                      std::initializer_list<const char*> allowed) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (const char* key : allowed) known = known || it.key() == key;
        if (known) continue;
        std::string list;
        for (const char* key : allowed) list += (list.empty() ? "" : ", ") + std::string(key);
        throw InputError(origin, path + "." + it.key(),
                         "unknown key \"" + it.key() + "\" (allowed: " + list + ")");
    }
}

std::string shortened_path(const std::string& path) {
    constexpr std::size_t keep = 60;
    if (path.size() <= 2 * keep + 20) return path;
    return path.substr(0, keep) + " ... (" + std::to_string(path.size() - 2 * keep) +
           " characters) ... " + path.substr(path.size() - keep);
}

std::string line_and_column(const std::string& text, std::size_t offset) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t index = 0; index < offset && index < text.size(); ++index) {
        if (text[index] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string read_file(const std::string& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (std::filesystem::is_directory(status)) {
        throw InputError(path, "$", "is a directory; expected a JSON file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "$", "cannot open the file for reading");
    // Read at most one byte past the limit, so that a pipe or a device cannot fill memory.
    std::string text;
    char buffer[1 << 16];
    while (in && text.size() <= limits::file_bytes) {
        in.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw InputError(path, "$", "cannot read the file");
    if (text.size() > limits::file_bytes) {
        throw InputError(path, "$",
                         "the file is larger than " + std::to_string(limits::file_bytes >> 20) +
                             " MiB (pscenario::limits::file_bytes)");
    }
    return text;
}

json parse_document(const std::string& text,
                    const std::string& origin,
                    const std::string& path_prefix,
                    std::uint64_t max_values) {
    GuardPass guard(path_prefix, max_values);
    if (!json::sax_parse(text, &guard)) {
        if (guard.syntax_error_at() != std::string::npos) {
            const std::size_t at = guard.syntax_error_at();
            throw InputError(origin, line_and_column(text, at == 0 ? 0 : at - 1),
                             "not valid JSON: " + guard.syntax_error());
        }
        throw InputError(origin, shortened_path(guard.refusal_path()), guard.refusal());
    }
    return json::parse(text);
}

}  // namespace pscenario
