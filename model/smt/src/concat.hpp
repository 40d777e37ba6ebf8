// Strings joined by appending: GCC 12 warns (-Wrestrict, a false alarm) on `"literal" + string`
// chains once they are inlined. Private to model/smt/src/.
#pragma once

#include <string>

namespace psmt {

template <class... Parts>
[[nodiscard]] std::string concat(const Parts&... parts) {
    std::string out;
    (out.append(parts), ...);
    return out;
}

}  // namespace psmt
