#include "scenario_generator.hpp"

#include <rapidcheck.h>

#include <algorithm>

namespace pgen {

namespace {

using nlohmann::json;

// Picks that shrink towards 0: an interleaving, a spawn order.
std::vector<int> draw_picks(int count) {
    std::vector<int> picks;
    for (int index = 0; index < count; ++index) picks.push_back(*rc::gen::inRange(0, 6));
    return picks;
}

// Ends are numbered 0..components, the last being the host (-1), so that draws shrink to
// components. The getter is drawn among the ends other than the putter (no retry loop: while
// RapidCheck shrinks, a draw may repeat its value forever).
int end_of(int number, int components) {
    return number == components ? -1 : number;
}

// `ends`: the components, and the host when it takes part.
Channel draw_channel(int ends, int components, int rounds) {
    Channel channel;
    const int putter = *rc::gen::inRange(0, ends);
    const int offset = *rc::gen::inRange(1, ends);
    channel.putter = end_of(putter, components);
    channel.getter = end_of((putter + offset) % ends, components);
    for (int round = 0; round < rounds; ++round) {
        channel.per_round.push_back(*rc::gen::inRange(0, 3));
    }
    return channel;
}

Trouble draw_trouble(int rounds) {
    Trouble trouble;
    const int kind = *rc::gen::inRange(0, 10);
    if (kind < 4) return trouble;
    trouble.kind = kind < 9 ? Trouble::fail : Trouble::quit;
    trouble.round = *rc::gen::inRange(0, rounds + 1);
    trouble.position = *rc::gen::inRange(0, 4);
    trouble.outside = *rc::gen::arbitrary<bool>();
    return trouble;
}

}  // namespace

Network draw_network() {
    // Swarm testing for the generator (Groce et al.): each network first draws which kinds of
    // trouble it may have at all, so that every combination of them, none included, is common
    // (a bug that needs a cancel and no failure is not drowned by failures); shrinking turns
    // them off.
    const bool failures = *rc::gen::arbitrary<bool>();
    const bool cancels = *rc::gen::arbitrary<bool>();
    const bool host_takes_part = *rc::gen::arbitrary<bool>();
    const bool faults = *rc::gen::inRange(0, 4) == 3;
    Network network;
    network.components = *rc::gen::inRange(2, 4);
    network.rounds = *rc::gen::inRange(1, 3);
    const int channels = *rc::gen::inRange(1, 4);
    const int ends = host_takes_part ? network.components + 1 : network.components;
    for (int index = 0; index < channels; ++index) {
        network.channels.push_back(draw_channel(ends, network.components, network.rounds));
        network.expects.push_back(*rc::gen::arbitrary<bool>());
        network.selects.push_back(*rc::gen::inRange(0, 5) == 4);
    }
    for (int comp = 0; comp < network.components; ++comp) {
        network.troubles.push_back(failures ? draw_trouble(network.rounds) : Trouble{});
    }
    for (int comp = 0; comp <= network.components; ++comp) {
        network.interleavings.push_back(draw_picks(4 * channels));
    }
    network.spawn_order = draw_picks(network.components);
    if (cancels) {
        network.cancel = Cancel{*rc::gen::inRange(0, network.components), *rc::gen::inRange(0, 3)};
    }
    for (pcore::FaultKind kind : pmodel::fault_kinds) {
        network.faults.of(kind) = faults && *rc::gen::arbitrary<bool>() ? 1 : 0;
    }
    return network;
}

namespace {

// "p3", "c0": appended, not "p" + std::to_string(n) (GCC 12's false -Wrestrict).
std::string named(const char* prefix, long number) {
    std::string name(prefix);
    name.append(std::to_string(number));
    return name;
}
std::string putter_port(std::size_t channel) {
    return named("p", static_cast<long>(channel));
}
std::string getter_port(std::size_t channel) {
    return named("g", static_cast<long>(channel));
}
std::string comp_name(int comp) {
    return named("c", comp);
}

// The ports an end owns: its putter ends, then its getter ends, by channel.
std::vector<std::string> ports_of(const Network& network, int end) {
    std::vector<std::string> ports;
    for (std::size_t index = 0; index < network.channels.size(); ++index) {
        if (network.channels[index].putter == end) ports.push_back(putter_port(index));
    }
    for (std::size_t index = 0; index < network.channels.size(); ++index) {
        if (network.channels[index].getter == end) ports.push_back(getter_port(index));
    }
    return ports;
}

// One end's statements of one round, interleaved across its channels by `picks`; each
// channel's own values stay in order.
json round_ops(const Network& network, int end, int round, const std::vector<int>& picks) {
    std::vector<std::vector<json>> pending;
    for (std::size_t index = 0; index < network.channels.size(); ++index) {
        const Channel& channel = network.channels[index];
        std::vector<json> ops;
        for (int value = 1; value <= channel.per_round[static_cast<std::size_t>(round)]; ++value) {
            const int payload = 10 * round + value;
            if (channel.putter == end) {
                ops.push_back({{"put", putter_port(index)}, {"value", payload}});
            } else if (channel.getter == end && network.selects[index]) {
                ops.push_back({{"select", json::array({{{"get", getter_port(index)},
                                                        {"then", json::array()}}})}});
            } else if (channel.getter == end) {
                json get = {{"get", getter_port(index)}};
                if (network.expects[index]) get["expect"] = payload;
                ops.push_back(get);
            }
        }
        std::reverse(ops.begin(), ops.end());  // taken from the back
        if (!ops.empty()) pending.push_back(std::move(ops));
    }
    json ops = json::array();
    std::size_t pick = 0;
    while (!pending.empty()) {
        const std::size_t choice =
            static_cast<std::size_t>(pick < picks.size() ? picks[pick] : 0) % pending.size();
        ++pick;
        ops.push_back(pending[choice].back());
        pending[choice].pop_back();
        if (pending[choice].empty()) pending.erase(pending.begin() + static_cast<long>(choice));
    }
    return ops;
}

json program_of(const Network& network, int end) {
    const Trouble trouble = end >= 0 ? network.troubles[static_cast<std::size_t>(end)] : Trouble{};
    if (trouble.kind == Trouble::quit) return json::array({{{"exit", json::object()}}});
    const json fail = {{"fail", named("E", end)}};
    const auto& picks =
        network.interleavings[static_cast<std::size_t>(end >= 0 ? end : network.components)];
    json program = json::array();
    for (int round = 0; round < network.rounds; ++round) {
        json ops = round_ops(network, end, round, picks);
        const bool fails_here = trouble.kind == Trouble::fail && trouble.round == round;
        if (fails_here && trouble.outside) program.push_back(fail);
        if (fails_here && !trouble.outside) {
            const auto at =
                std::min<std::size_t>(static_cast<std::size_t>(trouble.position), ops.size());
            ops.insert(ops.begin() + static_cast<long>(at), fail);
        }
        if (!ops.empty()) program.push_back({{"sync", ops}});
    }
    if (trouble.kind == Trouble::fail && trouble.round == network.rounds) program.push_back(fail);
    return program;
}

}  // namespace

json scenario_json(const Network& network, const std::string& name) {
    json definitions = json::object();
    for (int comp = 0; comp < network.components; ++comp) {
        definitions[named("d", comp)] = {{"params", ports_of(network, comp)},
                                         {"program", program_of(network, comp)}};
    }
    json main = json::array();
    for (std::size_t index = 0; index < network.channels.size(); ++index) {
        main.push_back({{"channel", {putter_port(index), getter_port(index)}}});
    }
    std::vector<int> unspawned;
    for (int comp = 0; comp < network.components; ++comp) unspawned.push_back(comp);
    for (int pick : network.spawn_order) {
        const auto at = static_cast<std::size_t>(pick) % unspawned.size();
        const int comp = unspawned[at];
        unspawned.erase(unspawned.begin() + static_cast<long>(at));
        main.push_back({{"spawn", named("d", comp)},
                        {"args", ports_of(network, comp)},
                        {"as", comp_name(comp)}});
    }
    for (const json& statement : program_of(network, -1)) main.push_back(statement);
    if (network.cancel) {
        static constexpr const char* layers[] = {"os", "component", "round"};
        main.push_back({{"cancel", comp_name(network.cancel->target)},
                        {"layer", layers[network.cancel->layer]}});
    }
    return {{"format", "protocheck-scenario/1"},
            {"name", name},
            {"description", "generated by property-tests/scenario_generator.cpp"},
            {"definitions", definitions},
            {"main", main}};
}

}  // namespace pgen
