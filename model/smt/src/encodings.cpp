// The encoded protocols, in the order `prove` reports them.
#include "psmt/encoding.hpp"

namespace psmt {

std::vector<Encoding> encodings(const pcore::Variants& variants) {
    std::vector<Encoding> all;
    all.push_back(error_propagation_encoding(variants));
    all.push_back(error_provenance_encoding(variants));
    all.push_back(spawn_handoff_encoding(variants));
    return all;
}

}  // namespace psmt
