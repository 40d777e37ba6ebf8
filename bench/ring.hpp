// A ring of N components passing tokens for R rounds (the benchmark scenario). Even nodes put
// to their right neighbour then get from their left one; odd nodes do the opposite, so every
// round is one neighbouring pair and all pairs run at once.
#pragma once

#include <string>

inline std::string ring_scenario_json(int nodes, int rounds) {
    std::string main;
    for (int index = 0; index < nodes; ++index) {
        main += "{\"channel\":[\"p" + std::to_string(index) + "\",\"g" + std::to_string(index) +
                "\"]},";
    }
    for (int index = 0; index < nodes; ++index) {
        const int left = (index + nodes - 1) % nodes;
        main += std::string("{\"spawn\":\"") + (index % 2 == 0 ? "even" : "odd") +
                "\",\"args\":[\"g" + std::to_string(left) + "\",\"p" + std::to_string(index) +
                "\"],\"as\":\"n" + std::to_string(index) + "\"}";
        if (index + 1 < nodes) main += ",";
    }
    const std::string r = std::to_string(rounds);
    return std::string("{\"format\":\"protocheck-scenario/1\",\"name\":\"ring-") +
           std::to_string(nodes) + "\",\"description\":\"A ring of " + std::to_string(nodes) +
           " components passing tokens for " + r +
           " rounds: even nodes put right then get left, odd nodes the reverse.\","
           "\"definitions\":{"
           "\"even\":{\"params\":[\"in\",\"out\"],\"program\":[{\"repeat\":" +
           r +
           ",\"body\":[{\"sync\":[{\"put\":\"out\",\"value\":1}]},{\"sync\":[{\"get\":\"in\","
           "\"expect\":1}]}]}]},"
           "\"odd\":{\"params\":[\"in\",\"out\"],\"program\":[{\"repeat\":" +
           r +
           ",\"body\":[{\"sync\":[{\"get\":\"in\",\"expect\":1}]},{\"sync\":[{\"put\":\"out\","
           "\"value\":1}]}]}]}},"
           "\"main\":[" +
           main + "]}";
}
