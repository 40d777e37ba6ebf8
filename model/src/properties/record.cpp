// Canonical encodings of the observers' record (pmodel/observed.hpp): part of the fingerprint.
#include "pmodel/observed.hpp"

namespace pmodel {

void encode(pcore::ByteWriter& out, const SlotGhost& facts) {
    out.u32(facts.rounds);
    out.u8(static_cast<std::uint8_t>(facts.last_round));
    out.boolean(facts.submitted);
    out.u32(facts.puts_in_round);
    out.u8(static_cast<std::uint8_t>(facts.trigger));
    out.boolean(facts.trigger_after_submit);
    out.comp(facts.trigger_from);
    out.u8(static_cast<std::uint8_t>(facts.has_cause ? 1 + static_cast<int>(facts.strongest) : 0));
    out.u8(facts.reports);
}

void encode(pcore::ByteWriter& out, const ChannelProgress& progress) {
    out.recorded_comp(progress.channel.creator);
    out.u32(progress.channel.serial);
    out.u32(progress.next_accept);
}

void encode(pcore::ByteWriter& out, const PutRecord& put) {
    out.recorded_comp(put.channel.creator);
    out.u32(put.channel.serial);
    out.u32(put.seq);
    out.comp(put.sender);
    out.u32(put.sender_round);
    out.i64(put.value);
    out.u8(static_cast<std::uint8_t>(put.status));
    out.u32(put.order);
    out.comp(put.acceptor);
    out.boolean(put.overtaken);
}

void encode(pcore::ByteWriter& out, const RoundLink& link) {
    out.comp(link.putter);
    out.u32(link.putter_round);
    out.comp(link.getter);
    out.u32(link.getter_round);
}

void encode(pcore::ByteWriter& out, const RootError& root) {
    out.comp(root.origin);
    out.u16(root.type.value());
}

void encode(pcore::ByteWriter& out, const ErrorArrival& arrival) {
    out.comp(arrival.comp);
    out.comp(arrival.author);
    pcore::encode(out, arrival.error);
}

void encode(pcore::ByteWriter& out, const Handoff& handoff) {
    out.comp(handoff.creator);
    out.comp(handoff.created);
    out.u32(static_cast<std::uint32_t>(handoff.awaiting.size()));
    for (const std::uint32_t id : handoff.awaiting) out.u32(id);
}

}  // namespace pmodel
