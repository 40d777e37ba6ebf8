// What the test suites share: the bundled scenarios by name, and the design variants that break
// a property (contract section 8) with the scenario that shows it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "pmodel/scenario.hpp"
#include "pscenario/loader.hpp"

namespace ptest {

inline std::string scenario_path(const std::string& name) {
    return std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

inline std::shared_ptr<const pmodel::Scenario> bundled(const std::string& name) {
    return pscenario::load_scenario_file(scenario_path(name));
}

// A design variant, the property it is named for (README, contract §8), and a bundled scenario
// on which it breaks that property.
struct Broken {
    const char* scenario;
    const char* variant;
    const char* property;
    friend void PrintTo(const Broken& broken, std::ostream* out) {
        *out << broken.scenario << " " << broken.variant << " " << broken.property;
    }
};

// One per non-default value of contract section 8 (timeouts=on breaks nothing: it is a
// liveness aid, see Timeouts.TurnTheApplicationDeadlockIntoFailures).
inline const std::vector<Broken>& broken_variants() {
    static const std::vector<Broken> all{
        {"close-port-overtakes-solution", "close_port_info=in_sync_flag", "SY-3"},
        {"chain", "close_port_info=none", "SY-3"},
        {"data-to-exiting-component", "data_message_failed=off", "LC-2"},
        {"chain-leader-crash", "leader_holds_refs=off", "LC-1"},
        {"transfer-overtaking", "transfer_blocks_peer=off", "PT-1"},
        {"rayfed-cross-silo-normal-task-error", "error_relay=none", "DF-1"},
        {"rayfed-exit-on-sending-failure", "shutdown_guard=lock", "DF-1"},
        {"rayfed-exit-on-sending-failure", "shutdown_guard=none", "NM-5"},
        {"tractor-cancel-masks-remote-error", "cancel_precedence=cancel_overrides", "NM-2"},
        {"transfer-overtaking", "network=fifo_channel", "PT-1"},
        {"transfer-overtaking", "network=unordered", "PT-1"},
        {"round-cancel-after-vote", "round_cancel_after_vote=immediate", "SY-1"},
        {"out-of-order-after-hand-off", "ordering=none", "SY-5"},
    };
    return all;
}

}  // namespace ptest
