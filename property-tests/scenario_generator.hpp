// Generated scenarios (issue 15): small networks of components in the shapes the seeds worry
// about, well formed by construction, drawn with RapidCheck so that a failure shrinks to a
// minimal scenario.
//
// A network: 2 to 3 components (and the host, which may take part) joined by 1 to 3 channels;
// 1 to 2 rounds; in each round each channel carries 0 to 2 values, put by one end and got by
// the other in the same round (so the programs agree), in an interleaving drawn per component.
// Then the troubles: a component fails somewhere (before, inside or after its rounds), or quits
// at once; a get may check its value, or be a one-armed select; the host may cancel a component
// at any layer; and a fault budget. Spawns hand the channel ends over (port transfer).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pmodel/world.hpp"

namespace pgen {

struct Channel {
    int putter = 0;  // component index; -1: the host
    int getter = 1;
    std::vector<int> per_round;  // values carried in each round
};

struct Trouble {
    enum Kind { none, fail, quit } kind = none;
    int round = 0;         // fail: in which round (rounds: after them all)
    int position = 0;      // fail: before the round's op at this index (past the end: after them)
    bool outside = false;  // fail: before the round's sync block rather than inside it
};

struct Cancel {
    int target = 0;
    int layer = 0;  // 0 os, 1 component, 2 round
};

struct Network {
    int components = 2;
    int rounds = 1;
    std::vector<Channel> channels;
    std::vector<Trouble> troubles;                // one per component
    std::vector<std::vector<int>> interleavings;  // per component (host last): channel picks
    std::vector<bool> expects;                    // per channel: gets check their values
    std::vector<bool> selects;                    // per channel: gets are one-armed selects
    std::vector<int> spawn_order;
    std::optional<Cancel> cancel;
    pmodel::FaultBudget faults;
};

// Draws a network (inside a RapidCheck property).
[[nodiscard]] Network draw_network();

// The scenario's JSON (contract §4).
[[nodiscard]] nlohmann::json scenario_json(const Network& network, const std::string& name);

}  // namespace pgen
