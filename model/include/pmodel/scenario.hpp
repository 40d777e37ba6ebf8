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
    // "host_priority": true (a scheduling assumption, off by default): while the host can take
    // a step, or a message from or to the host can be delivered, no other component steps
    // (faults may still strike, and timeouts need quiescence as ever). A host
    // that sets the application up before it runs (SPIN's active processes, Promela's atomic
    // init); verdicts then say nothing of the interleavings it removes (docs/protocols.md).
    bool host_priority = false;
    std::string source_text;  // the JSON as loaded, embedded in traces
    std::string path;
};

}  // namespace pmodel
