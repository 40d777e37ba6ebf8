// The property catalogue (contract §7): ids, statements, and which ones this build checks.
//
// A property is either a state/transition monitor (run on every effect a step produces, in
// World::apply_effects) or a terminal check (World::check_terminal). A property that this
// build does not check yet is reported as "not_checked", never as holding.
#pragma once

#include <string_view>
#include <vector>

namespace pmodel {

enum class PropertyKind { monitor, terminal };

struct PropertyInfo {
    std::string_view id;
    std::string_view statement;
    bool checked;  // implemented by this build
    PropertyKind kind;
};

[[nodiscard]] const std::vector<PropertyInfo>& property_catalogue();
[[nodiscard]] const PropertyInfo* find_property(std::string_view id);

}  // namespace pmodel
