// Loading and validating scenarios (contract §4): JSON in, compiled programs out.
//
// Every mistake is reported once, as an InputError naming the file, the JSON path and what was
// expected; the CLI turns it into exit code 2. What a scenario may ask for is bounded
// (pscenario/limits.hpp); reading the file is pscenario/json_document.hpp.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "pmodel/scenario.hpp"

namespace pscenario {

class InputError : public std::runtime_error {
  public:
    InputError(std::string file, std::string path, std::string message)
        : std::runtime_error(file + ": " + path + ": " + message),
          file_(std::move(file)),
          path_(std::move(path)),
          message_(std::move(message)) {}
    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] const std::string& message() const { return message_; }

  private:
    std::string file_;
    std::string path_;
    std::string message_;
};

// Reads and compiles a scenario file.
[[nodiscard]] std::shared_ptr<const pmodel::Scenario> load_scenario_file(const std::string& path);

// Compiles scenario text; `origin` names it in messages (a file, or "TRACE:$.scenario").
[[nodiscard]] std::shared_ptr<const pmodel::Scenario> load_scenario_text(
    const std::string& text, const std::string& origin, const std::string& path_prefix = "$");

}  // namespace pscenario
