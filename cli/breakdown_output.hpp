// check --breakdown: where the states come from (pcheck/breakdown.hpp), printed and as JSON
// for the report.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "pcheck/breakdown.hpp"

namespace pcli {

// Prints the breakdown's summary (layers, action kinds, the fields with the largest counts)
// and returns all of it for the report.
nlohmann::json print_breakdown(const pcheck::Breakdown& breakdown, std::ostream& out);

}  // namespace pcli
