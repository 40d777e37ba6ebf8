// The encoded protocols, in the order `prove` reports them.
#include "psmt/encoding.hpp"

namespace psmt {

std::uint32_t ElementNames::of(SortId sort, std::vector<std::uint32_t> key) {
    auto [at, fresh] = names_.try_emplace({sort, std::move(key)}, 0);
    if (fresh) at->second = next_[sort]++;
    return at->second;
}

std::vector<std::pair<std::vector<std::uint32_t>, std::uint32_t>> ElementNames::named(
    SortId sort) const {
    std::vector<std::pair<std::vector<std::uint32_t>, std::uint32_t>> all;
    for (const auto& [key, element] : names_) {
        if (key.first == sort) all.emplace_back(key.second, element);
    }
    return all;
}

std::vector<Encoding> encodings(const pcore::Variants& variants) {
    std::vector<Encoding> all;
    all.push_back(error_propagation_encoding(variants));
    all.push_back(error_provenance_encoding(variants));
    all.push_back(spawn_handoff_encoding(variants));
    all.push_back(conservation_encoding(variants));
    all.push_back(reference_count_encoding(variants));
    all.push_back(relay_path_encoding(variants));
    all.push_back(sync_round_encoding(variants));
    all.push_back(channel_order_encoding(variants));
    all.push_back(port_wait_encoding(variants));
    all.push_back(ack_wait_encoding(variants));
    all.push_back(decision_wait_encoding(variants));
    return all;
}

const std::vector<PartlyEncoded>& partly_encoded() {
    static const std::vector<PartlyEncoded> parts{
        {"DF-1",
         "the failure handler (error propagation), port waits (a peer that ended fails the wait "
         "with its ClosePort), Ack waits (a hand-off's Blocks, a creator's Schedule, Unblocks) "
         "and decision waits (a voted participant's wait for its leader's decision, a leader's "
         "waits for parts and accepts)",
         "waits behind a cycle of puts of ports that carry each other's destinations: the Ack "
         "waits proof leaves them (an application deadlock the observers report), and the design "
         "neither rejects nor breaks them (an open question of the seed)"},
        {"DF-2",
         "the free part (an exited component is held by something that can still act) and the "
         "Ack part (with nothing in flight an exit waits only on a cycle of puts of ports)",
         "exits stalled behind such a cycle: the design neither rejects nor breaks it, and the "
         "observers report it (an application deadlock, and DF-2 for an exit behind it)"}};
    return parts;
}

}  // namespace psmt
