// Text names of the design variants (contract §8): parsing `--variant K=V`, listing them, and
// recording them in traces and reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pcore/variants.hpp"

namespace pmodel {

struct VariantInfo {
    std::string_view key;
    std::vector<std::string_view> values;  // the first is the default
    std::string_view alternative_shows;
    std::string_view breaks;  // the property ids the alternative is expected to break
};

[[nodiscard]] const std::vector<VariantInfo>& variant_catalogue();

// The designs a sweep covers: "" (every default), then "K=V" for each value that is not its
// key's default, in catalogue order.
[[nodiscard]] std::vector<std::string> every_design();

// Applies "K=V"; on a bad key or value returns a message naming the allowed ones.
[[nodiscard]] std::optional<std::string> set_variant(pcore::Variants& variants,
                                                     std::string_view assignment);
// The value of `key` in `variants`, as text.
[[nodiscard]] std::string_view variant_value(const pcore::Variants& variants, std::string_view key);

}  // namespace pmodel
