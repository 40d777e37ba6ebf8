#include "breakdown_output.hpp"

#include <algorithm>

namespace pcli {

namespace {

constexpr const char* action_kinds[] = {"run", "deliver", "fault", "timeout"};
constexpr std::size_t fields_printed = 8;

}  // namespace

nlohmann::json print_breakdown(const pcheck::Breakdown& breakdown, std::ostream& out) {
    out << "breakdown of " << breakdown.states << " state(s)"
        << (breakdown.complete ? " (every reachable state)" : " (the first ones, breadth first)")
        << ":\n  new states per layer:";
    for (const std::uint64_t count : breakdown.states_by_depth) out << ' ' << count;
    out << "\n  first reached by:";
    nlohmann::json by_action = nlohmann::json::object();
    for (std::size_t kind = 0; kind < breakdown.states_by_action.size(); ++kind) {
        out << ' ' << action_kinds[kind] << ' ' << breakdown.states_by_action[kind];
        by_action[action_kinds[kind]] = breakdown.states_by_action[kind];
    }
    out << "\n  states that differ from another only in one field of a component:";
    if (breakdown.fields.empty()) out << " none";
    out << '\n';
    nlohmann::json fields = nlohmann::json::array();
    for (std::size_t index = 0; index < breakdown.fields.size(); ++index) {
        const pcheck::FieldCount& field = breakdown.fields[index];
        fields.push_back({{"field", field.field}, {"states", field.states}});
        if (index >= fields_printed) continue;
        out << "    " << field.field << ": " << field.states << " ("
            << 100.0 * static_cast<double>(field.states) /
                   static_cast<double>(std::max<std::uint64_t>(1, breakdown.states))
            << " %)\n";
    }
    return {{"states", breakdown.states},
            {"complete", breakdown.complete},
            {"states_by_depth", breakdown.states_by_depth},
            {"states_by_action", by_action},
            {"fields", fields}};
}

}  // namespace pcli
