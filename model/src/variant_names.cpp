#include "pmodel/variant_names.hpp"

namespace pmodel {

const std::vector<VariantInfo>& variant_catalogue() {
    static const std::vector<VariantInfo> catalogue = {
        {"close_port_info",
         {"round_number", "in_sync_flag", "none"},
         "the ClosePort-overtakes-Solution race",
         "SY-3, SY-4"},
        {"data_message_failed",
         {"on", "off"},
         "silent loss of data in flight to an exiting component",
         "LC-2"},
        {"leader_holds_refs",
         {"on", "off"},
         "the leader sending a decision to a freed component",
         "LC-1"},
        {"transfer_blocks_peer",
         {"on", "off"},
         "messages overtaking each other across a port transfer",
         "PT-1"},
        {"error_relay",
         {"forward", "none"},
         "RayFed before its proposal: the peer waits forever for data from a failed party",
         "DF-1, NM-4"},
        {"shutdown_guard",
         {"atomic_flag", "lock", "none"},
         "RayFed's failure handler: the signal-handler deadlock or a handler run twice",
         "DF-1, NM-5"},
        {"cancel_precedence",
         {"error_first", "cancel_overrides"},
         "tractor's masking bug: a cancel acknowledgement hides the real error",
         "NM-2, NM-3"},
        {"network",
         {"fifo_pair", "fifo_channel", "unordered"},
         "what breaks when the in-order assumption is weakened",
         "PT-1, LC-2"},
        {"timeouts",
         {"off", "on"},
         "application deadlocks turned into failures with error Timeout",
         "none (a liveness aid: no run ends blocked, so DF-3 is judged on every run)"},
        {"round_cancel_after_vote",
         {"at_decision", "immediate"},
         "a round cancel that ends a participant after its vote, while its peers commit",
         "SY-1"},
        {"ordering",
         {"on_arrival", "none"},
         "seed 004's option 2 (channels independent): a receiver takes a sender's puts out of "
         "order and the round still commits",
         "SY-5"},
    };
    return catalogue;
}

namespace {

template <class Enum>
void assign(Enum& field, std::size_t index) {
    field = static_cast<Enum>(index);
}

template <class Enum>
std::size_t index_of(Enum value) {
    return static_cast<std::size_t>(value);
}

}  // namespace

std::vector<std::string> every_design() {
    std::vector<std::string> out = {""};
    for (const VariantInfo& info : variant_catalogue()) {
        for (std::size_t index = 1; index < info.values.size(); ++index) {
            out.push_back(std::string(info.key) + "=" + std::string(info.values[index]));
        }
    }
    return out;
}

std::optional<std::string> set_variant(pcore::Variants& variants, std::string_view assignment) {
    const auto equals = assignment.find('=');
    std::string keys;
    for (const VariantInfo& info : variant_catalogue()) {
        keys += (keys.empty() ? "" : ", ") + std::string(info.key);
    }
    if (equals == std::string_view::npos) {
        return "expected KEY=VALUE, found \"" + std::string(assignment) + "\" (keys: " + keys + ")";
    }
    const std::string_view key = assignment.substr(0, equals);
    const std::string_view value = assignment.substr(equals + 1);
    for (const VariantInfo& info : variant_catalogue()) {
        if (info.key != key) continue;
        for (std::size_t index = 0; index < info.values.size(); ++index) {
            if (info.values[index] != value) continue;
            if (key == "close_port_info")
                assign(variants.close_port_info, index);
            else if (key == "data_message_failed")
                assign(variants.data_message_failed, index);
            else if (key == "leader_holds_refs")
                assign(variants.leader_holds_refs, index);
            else if (key == "transfer_blocks_peer")
                assign(variants.transfer_blocks_peer, index);
            else if (key == "error_relay")
                assign(variants.error_relay, index);
            else if (key == "shutdown_guard")
                assign(variants.shutdown_guard, index);
            else if (key == "cancel_precedence")
                assign(variants.cancel_precedence, index);
            else if (key == "network")
                assign(variants.network, index);
            else if (key == "timeouts")
                assign(variants.timeouts, index);
            else if (key == "round_cancel_after_vote")
                assign(variants.round_cancel_after_vote, index);
            else if (key == "ordering")
                assign(variants.ordering, index);
            return std::nullopt;
        }
        std::string allowed;
        for (std::string_view option : info.values) {
            allowed += (allowed.empty() ? "" : ", ") + std::string(option);
        }
        return "variant " + std::string(key) + " has no value \"" + std::string(value) +
               "\" (allowed: " + allowed + ")";
    }
    return "unknown variant \"" + std::string(key) + "\" (keys: " + keys + ")";
}

std::string_view variant_value(const pcore::Variants& variants, std::string_view key) {
    std::size_t index = 0;
    if (key == "close_port_info")
        index = index_of(variants.close_port_info);
    else if (key == "data_message_failed")
        index = index_of(variants.data_message_failed);
    else if (key == "leader_holds_refs")
        index = index_of(variants.leader_holds_refs);
    else if (key == "transfer_blocks_peer")
        index = index_of(variants.transfer_blocks_peer);
    else if (key == "error_relay")
        index = index_of(variants.error_relay);
    else if (key == "shutdown_guard")
        index = index_of(variants.shutdown_guard);
    else if (key == "cancel_precedence")
        index = index_of(variants.cancel_precedence);
    else if (key == "network")
        index = index_of(variants.network);
    else if (key == "timeouts")
        index = index_of(variants.timeouts);
    else if (key == "round_cancel_after_vote")
        index = index_of(variants.round_cancel_after_vote);
    else if (key == "ordering")
        index = index_of(variants.ordering);
    for (const VariantInfo& info : variant_catalogue()) {
        if (info.key == key) return info.values[index];
    }
    return "?";
}

}  // namespace pmodel
