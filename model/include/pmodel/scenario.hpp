// A loaded scenario: the compiled programs plus what the run must end with.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcore/component.hpp"
#include "pcore/program.hpp"

namespace pmodel {

// One `expect` entry of the scenario (contract §4): the outcome that must hold in every run.
struct Expectation {
    std::string name;  // instance name
    bool any = false;
    pcore::OutcomeKind outcome = pcore::OutcomeKind::completed;
    std::optional<std::string> error;
    std::optional<std::string> origin;
    std::optional<std::vector<std::string>> relay;
    std::optional<std::string> canceller;
    std::optional<std::string> layer;
};

struct Scenario {
    std::shared_ptr<const pcore::CompiledScenario> compiled;
    std::vector<Expectation> expect;
    std::string source_text;  // the JSON as loaded, embedded in traces
    std::string path;
};

}  // namespace pmodel
