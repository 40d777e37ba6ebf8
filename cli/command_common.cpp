#include "command_common.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "pmodel/variant_names.hpp"
#include "pscenario/loader.hpp"

namespace pcli {

CLI::Validator whole_number(std::uint64_t low, std::uint64_t high) {
    const std::string range = std::to_string(low) + ".." + std::to_string(high);
    return CLI::Validator(
        [low, high, range](std::string& text) -> std::string {
            std::uint64_t value = 0;
            const char* end = text.data() + text.size();
            const auto [at, error] = std::from_chars(text.data(), end, value);
            const bool digits =
                !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || error != std::errc() || at != end || value < low || value > high) {
                return "expected a whole number in " + range + ", found \"" + text + "\"";
            }
            return "";
        },
        "INT in " + range);
}

std::optional<std::string> parse_faults(const std::string& spec, pmodel::FaultBudget& budget) {
    if (spec.empty() || spec == "none") return std::nullopt;
    std::stringstream items(spec);
    std::string item;
    while (std::getline(items, item, ',')) {
        const auto colon = item.find(':');
        const std::string kind = item.substr(0, colon);
        std::uint32_t* slot = nullptr;
        for (pcore::FaultKind known : pmodel::fault_kinds) {
            if (kind == pmodel::fault_name(known)) slot = &budget.of(known);
        }
        if (slot == nullptr || colon == std::string::npos) {
            return "--faults: expected crash:K,cancel:K,signal:K (any of them, K a count), found "
                   "\"" +
                   item + "\"";
        }
        const std::string count = item.substr(colon + 1);
        if (count.empty() || count.size() > 6 ||
            count.find_first_not_of("0123456789") != std::string::npos) {
            return "--faults: the count of " + kind +
                   " must be a whole number from 0 to 999999, found \"" + count + "\"";
        }
        *slot = static_cast<std::uint32_t>(std::stoul(count));
    }
    return std::nullopt;
}

bool load_inputs(const std::string& path,
                 const std::vector<std::string>& assignments,
                 const std::string& fault_spec,
                 std::shared_ptr<const pmodel::Scenario>& scenario,
                 pcore::Variants& variants,
                 pmodel::FaultBudget& faults,
                 std::ostream& err) {
    try {
        scenario = pscenario::load_scenario_file(path);
    } catch (const pscenario::InputError& error) {
        err << "protocheck: " << error.what() << '\n';
        return false;
    }
    for (const std::string& assignment : assignments) {
        if (auto problem = pmodel::set_variant(variants, assignment)) {
            err << "protocheck: --variant: " << *problem << '\n';
            return false;
        }
    }
    if (auto problem = parse_faults(fault_spec, faults)) {
        err << "protocheck: " << *problem << '\n';
        return false;
    }
    return true;
}

CLI::Validator seconds_in(double low, double high) {
    return CLI::Validator(
        [low, high](std::string& text) -> std::string {
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) ||
                value < low || value > high) {
                return "expected a number of seconds from " + std::to_string(low) + " to " +
                       std::to_string(high) + ", found \"" + text + "\"";
            }
            return "";
        },
        "SECONDS");
}

std::string file_safe_name(const std::string& name) {
    std::string safe = name.empty() ? "scenario" : name;
    for (char& c : safe) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
            c = '_';
        }
    }
    return safe;
}

std::string beside_json(const std::string& path, const std::string& suffix) {
    const std::string json_suffix = ".json";
    if (path.size() > json_suffix.size() &&
        path.compare(path.size() - json_suffix.size(), json_suffix.size(), json_suffix) == 0) {
        return path.substr(0, path.size() - json_suffix.size()) + suffix;
    }
    return path + suffix;
}

}  // namespace pcli
