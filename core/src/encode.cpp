// Canonical encoding of every state and message type. A field added to a struct must be added
// here too: the encode_test round-trips equality against the encoding to catch omissions.
#include "pcore/encode.hpp"

#include <bit>
#include <cstring>

namespace pcore {

namespace {

void encode(ByteWriter& out, CompId id) {
    out.comp(id);
}
void encode(ByteWriter& out, PortId id) {
    out.u32(id.value());
}
void encode(ByteWriter& out, ChannelId id) {
    out.recorded_comp(id.creator);
    out.u32(id.serial);
}

void encode(ByteWriter& out, const PortAnnotation& annotation);
void encode(ByteWriter& out, const TransferredPort& port);
void encode(ByteWriter& out, const Data& data);
void encode(ByteWriter& out, const ChannelEntry& entry);
void encode(ByteWriter& out, const SolutionPart& part);
void encode(ByteWriter& out, const Port& port);
void encode(ByteWriter& out, const PeerLink& link);
void encode(ByteWriter& out, const ControlEntry& entry);
void encode(ByteWriter& out, const PortPair& pair);
void encode(ByteWriter& out, const RoundPeer& peer);
void encode(ByteWriter& out, const BufferedNotification& entry);

template <class T>
void encode_list(ByteWriter& out, const std::vector<T>& items) {
    out.u32(static_cast<std::uint32_t>(items.size()));
    for (const T& item : items) encode(out, item);
}

void encode(ByteWriter& out, const PortRef& ref) {
    encode(out, ref.port);
    encode(out, ref.via);
}

void encode(ByteWriter& out, const SyncHeader& header) {
    encode(out, header.sender);
    encode(out, header.highest);
    out.u32(header.sender_round);
}

void encode(ByteWriter& out, const PortAnnotation& annotation) {
    encode(out, annotation.port);
    out.u32(annotation.mapping);
}

void encode(ByteWriter& out, const Data& data);

void encode(ByteWriter& out, const TransferredPort& port) {
    out.u8(static_cast<std::uint8_t>(port.kind));
    encode(out, port.old_id);
    encode(out, port.peer_comp);
    encode(out, port.peer_port);
    encode(out, port.channel);
    out.boolean(port.closed);
    out.boolean(port.peer_in_bundle);
    out.u32(port.peer_bundle_index);
    out.boolean(port.has_close_error);
    out.boolean(port.closer_failed_in_round);
    out.boolean(port.close_in_sync);
    out.u32(port.close_rounds);
    encode(out, port.close_error);
    out.u32(port.rounds_completed);
    out.boolean(port.used_in_round);
    out.boolean(port.blocked);
    encode_list(out, port.pending);
    out.u32(port.next_put_seq);
}

void encode(ByteWriter& out, const Data& data) {
    encode(out, data.header);
    encode(out, data.target);
    encode(out, data.sending_port);
    out.u32(data.mapping);
    encode_list(out, data.annotations);
    out.i64(data.value);
    encode_list(out, data.ports);
    encode(out, data.channel);
    out.u32(data.seq);
}

void encode(ByteWriter& out, const ChannelEntry& entry) {
    out.u8(static_cast<std::uint8_t>(entry.kind));
    encode(out, entry.comp);
    encode(out, entry.port);
    encode(out, entry.peer_comp);
    encode(out, entry.peer_port);
    out.u32(entry.mapping);
}

void encode(ByteWriter& out, const SolutionPart& part) {
    encode(out, part.submitter);
    out.u32(part.submitter_round);
    out.boolean(part.failed);
    encode(out, part.error);
    encode_list(out, part.entries);
    encode_list(out, part.peers);
    encode_list(out, part.failed_peers);
    encode_list(out, part.idle_getters);
    out.boolean(part.holds_ref);
    out.boolean(part.update);
}

struct MessageEncoder {
    ByteWriter& out;
    void operator()(const Data& m) const { encode(out, m); }
    void operator()(const PeerChangeBlockPort& m) const {
        encode(out, m.target);
        encode(out, m.requester);
        out.u32(m.control_id);
        out.boolean(m.answered);
    }
    void operator()(const Acknowledge& m) const { out.u32(m.control_id); }
    void operator()(const PeerChangeUnblockPort& m) const {
        encode(out, m.target);
        encode(out, m.new_comp);
        encode(out, m.new_port);
        out.boolean(m.holds_receiver_ref);
    }
    void operator()(const ClosePort& m) const {
        encode(out, m.target);
        encode(out, m.closer);
        encode(out, m.closer_port);
        out.u32(m.control_id);
        out.boolean(m.in_sync);
        out.u32(m.rounds_completed);
        out.boolean(m.has_error);
        encode(out, m.error);
    }
    void operator()(const DataMessageFailed& m) const {
        encode(out, m.putter_port);
        encode(out, m.channel);
        out.u32(m.seq);
        out.boolean(m.has_error);
        encode(out, m.error);
        out.boolean(m.holds_receiver_ref);
    }
    void operator()(const NotificationOfLeader& m) const {
        encode(out, m.header);
        out.boolean(m.receiver_round_known);
        out.u32(m.receiver_round);
    }
    void operator()(const Submission& m) const { encode_list(out, m.parts); }
    void operator()(const Decision& m) const {
        out.boolean(m.solution);
        encode(out, m.error);
        encode(out, m.leader);
        encode_list(out, m.submitters);
        out.boolean(m.holds_ref);
    }
    void operator()(const CancelRequest& m) const {
        encode(out, m.canceller);
        out.u8(static_cast<std::uint8_t>(m.layer));
    }
};

void encode(ByteWriter& out, const Port& port) {
    out.u8(static_cast<std::uint8_t>(port.kind));
    encode(out, port.peer_comp);
    encode(out, port.peer_port);
    encode(out, port.channel);
    std::uint8_t flags = 0;
    flags |= port.closed ? 1 : 0;
    flags |= port.blocked ? 2 : 0;
    flags |= port.transferring ? 4 : 0;
    flags |= port.moved ? 8 : 0;
    flags |= port.holds_ref ? 16 : 0;
    flags |= port.close_sent ? 32 : 0;
    flags |= port.has_close_error ? 64 : 0;
    flags |= port.used_in_round ? 128 : 0;
    out.u8(flags);
    out.boolean(port.close_deferred);
    out.boolean(port.closer_failed_in_round);
    out.boolean(port.close_in_sync);
    out.u32(port.close_rounds);
    out.u32(port.close_control_id);
    if (port.has_close_error) encode(out, port.close_error);
    out.u32(port.rounds_completed);
    out.u32(port.mapping);
    encode(out, port.accepted_peer_comp);
    encode(out, port.accepted_peer_port);
    encode_list(out, port.pending);
    encode(out, port.moved_to);
    encode(out, port.moved_to_port);
    encode(out, port.adopted_from);
    encode(out, port.adopted_port);
    encode(out, port.adopted_used_by);
    out.u32(port.next_put_seq);
    out.u32(static_cast<std::uint32_t>(port.deferred_blocks.size()));
    for (const PeerChangeBlockPort& block : port.deferred_blocks) {
        encode(out, block.target);
        encode(out, block.requester);
        out.u32(block.control_id);
        out.boolean(block.answered);
    }
}

void encode(ByteWriter& out, const PeerLink& link) {
    encode(out, link.comp);
    out.u32(link.ports);
}

void encode(ByteWriter& out, const ControlEntry& entry) {
    out.u32(entry.id);
    out.u8(static_cast<std::uint8_t>(entry.kind));
    encode(out, entry.port);
    encode(out, entry.awaited_from);
}

void encode(ByteWriter& out, const PortPair& pair) {
    encode(out, pair.ours);
    encode(out, pair.theirs);
}

void encode(ByteWriter& out, const RoundPeer& peer) {
    encode(out, peer.comp);
    out.boolean(peer.round_known);
    out.u32(peer.round);
}

void encode(ByteWriter& out, const BufferedNotification& entry) {
    encode(out, entry.from);
    MessageEncoder{out}(entry.message);
}

}  // namespace

void encode(ByteWriter& out, const ErrorInfo& error) {
    out.u16(error.type.value());
    encode(out, error.origin);
    encode_list(out, error.relay);
    out.u8(static_cast<std::uint8_t>(error.layer));
}

void encode(ByteWriter& out, const Message& message) {
    out.u8(static_cast<std::uint8_t>(message.index()));
    std::visit(MessageEncoder{out}, message);
}

void encode(ByteWriter& out, const ComponentState& state) {
    encode(out, state.self);
    out.recorded_comp(state.creator.value());  // not an address: see referenced_components
    out.u32(state.definition);
    out.u32(state.pc);
    out.u8(static_cast<std::uint8_t>(state.mode));
    out.boolean(state.in_sync);
    encode_list(out, state.slots);
    encode_list(out, state.ports);
    encode_list(out, state.peers);
    out.u32(state.channel_counter);
    out.u32(state.next_control_id);
    encode_list(out, state.control);
    const PendingTransfer& transfer = state.transfer;
    out.boolean(transfer.active);
    out.boolean(transfer.is_spawn);
    encode(out, transfer.new_comp);
    encode_list(out, transfer.moves);
    encode(out, transfer.put_port);
    encode_list(out, transfer.bundle);
    const RoundState& round = state.round;
    out.boolean(round.active);
    out.u32(round.completed);
    encode(out, round.highest);
    encode(out, round.leader_via);
    out.boolean(round.orphaned);
    out.boolean(round.last_failed);
    encode(out, round.last_error);
    out.u32(round.mapping_counter);
    encode_list(out, round.peers);
    out.boolean(round.submitted);
    encode(out, round.cancel_after_vote);
    encode_list(out, round.failed_peers);
    encode_list(out, round.combined);
    encode_list(out, round.buffered);
    encode_list(out, round.owed_notifications);
    out.u8(static_cast<std::uint8_t>(state.outcome.kind));
    encode(out, state.outcome.error);
    out.boolean(state.outcome.remote);
    out.boolean(state.outcome.in_sync);
    const ShutdownState& shutdown = state.shutdown;
    out.u8(static_cast<std::uint8_t>((shutdown.flag ? 1 : 0) | (shutdown.lock_held ? 2 : 0) |
                                     (shutdown.deadlocked ? 4 : 0)));
    out.u8(shutdown.handler_runs);
    out.u32(static_cast<std::uint32_t>(shutdown.queued.size()));
    for (const QueuedEnd& queued : shutdown.queued) {
        out.u8(static_cast<std::uint8_t>(queued.outcome.kind));
        encode(out, queued.outcome.error);
        out.boolean(queued.outcome.remote);
        out.boolean(queued.decided);
    }
}

namespace {

[[maybe_unused]] constexpr std::uint64_t byte_swap(std::uint64_t value) {
    std::uint64_t swapped = 0;
    for (int byte = 0; byte < 8; ++byte) {
        swapped = (swapped << 8) | (value & 0xFF);
        value >>= 8;
    }
    return swapped;
}

}  // namespace

namespace {

std::uint64_t load_word(const std::uint8_t* at) {
    // The little-endian word of 8 bytes, on any host (a plain load on little-endian ones).
    std::uint64_t word = 0;
    std::memcpy(&word, at, sizeof word);
    if constexpr (std::endian::native == std::endian::big) word = byte_swap(word);
    return word;
}

constexpr std::uint64_t mix_word(std::uint64_t word) {
    word *= 0x87C37B91114253D5ull;
    word ^= word >> 31;
    return word;
}

}  // namespace

std::uint64_t hash_bytes(const std::uint8_t* data, std::size_t size, std::uint64_t seed) {
    constexpr std::uint64_t multiplier = 0xFF51AFD7ED558CCDull;
    std::uint64_t hash = seed ^ (static_cast<std::uint64_t>(size) * 0xC4CEB9FE1A85EC53ull);
    std::size_t offset = 0;
    // Four independent lanes over blocks of 32 bytes: the multiplications of one block do not
    // wait for each other (the checker hashes every component state it creates).
    if (size >= 32) {
        std::uint64_t lanes[4] = {hash ^ 0x9E3779B97F4A7C15ull, hash ^ 0xC2B2AE3D27D4EB4Full,
                                  hash ^ 0x165667B19E3779F9ull, hash ^ 0x27D4EB2F165667C5ull};
        for (; offset + 32 <= size; offset += 32) {
            for (std::size_t lane = 0; lane < 4; ++lane) {
                lanes[lane] ^= mix_word(load_word(data + offset + 8 * lane));
                lanes[lane] *= multiplier;
                lanes[lane] ^= lanes[lane] >> 29;
            }
        }
        for (const std::uint64_t lane : lanes) {
            hash ^= mix_word(lane);
            hash *= multiplier;
            hash ^= hash >> 29;
        }
    }
    for (; offset + 8 <= size; offset += 8) {
        hash ^= mix_word(load_word(data + offset));
        hash *= multiplier;
        hash ^= hash >> 29;
    }
    std::uint64_t tail = 0;
    for (std::size_t index = size; index > offset; --index) tail = (tail << 8) | data[index - 1];
    hash ^= tail * 0x4CF5AD432745937Full;
    hash ^= hash >> 33;
    hash *= multiplier;
    hash ^= hash >> 33;
    hash *= 0xC4CEB9FE1A85EC53ull;
    hash ^= hash >> 33;
    return hash;
}

namespace {

template <class Value>
void collect_referenced(const Value& value,
                        ByteWriter& scratch,
                        std::vector<std::uint32_t>& out,
                        bool records) {
    scratch.clear();
    scratch.collect_components(&out, records);
    encode(scratch, value);
    scratch.collect_components(nullptr);
}

}  // namespace

void referenced_components(const ComponentState& state,
                           ByteWriter& scratch,
                           std::vector<std::uint32_t>& out,
                           bool records) {
    collect_referenced(state, scratch, out, records);
}

void referenced_components(const Message& message,
                           ByteWriter& scratch,
                           std::vector<std::uint32_t>& out,
                           bool records) {
    collect_referenced(message, scratch, out, records);
}

}  // namespace pcore
