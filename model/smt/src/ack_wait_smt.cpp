// Ack waits, symbolically (core: start_block and on_peer_change_block_port with its deferred
// Blocks, on_acknowledge, close_all_ports with its deferred ClosePorts, take_close_port's
// crossing ClosePorts, take_unblock, complete_transfer, try_finish_exit): the safety part of
// DF-1 for the Acks a hand-off or an exit awaits, and of DF-2 for an exit's Acks, for any
// number of components, channels and control operations.
//
//   requester r, entry q (a Block of a hand-off, a ClosePort of an exit)
//     request in flight to k ---k takes it---> Acknowledge in flight to r ---r takes it---> done
//                              \---k forwards it (the end moved on): request in flight again
//                              \---k holds a Block (the Unblock naming r is on its way to k)
//     a ClosePort whose port is blocked waits at r for that port's Unblock (deferred)
//     a crossing ClosePort in flight to r is r's Acknowledge
//   a blocked end waits for its Unblock: in flight, or its data travelling, or its mover
//   still awaits the Acks of its Blocks (never deferred: the chain ends there), or its mover
//   is a put of ports waiting for its own put port to unblock (a chain of puts)
//
// The words: a blocked component always has a message in flight, or a live peer that
// can still act, that will unblock or fail it. Here: with nothing in flight, no hand-off awaits
// the Ack of a Block, and every other wait (a blocked end, a deferred ClosePort, an exit or a
// put left waiting) hangs on a put of ports waiting for its own put port. A chain of those at a
// quiet state is a cycle: puts each carrying the peer end of the next one's put port, data
// addressed to an end that travels inside it. The design neither rejects nor breaks such a
// cycle; the observers report it as an application deadlock (docs/invariants.md).
//
// One action, a step of x (and of y, a receiver a forwarded message steps at once), bounded by
// local rules of the code, each checked by conformance on every step:
//   frame:    a component that does not step keeps its entries, waits, holds and mode, and
//             the messages on their way to it;
//   answered: an entry the step touched (its requester stepped, or a stepping component took
//             its request or held it) is answered after the step while it is open;
//   settled:  a hold or a blocked end whose settling message a stepping component took, or
//             whose mover or holder stepped, is settled after the step;
//   waiting:  a stepping component left transferring or in busy_exit has an open entry or a
//             blocked end.
// Where a rule does not hold in a design, conformance shows it, the encoding drops it, and the
// property gets a CTI (docs/invariants.md).
#include <algorithm>
#include <map>
#include <set>

#include "concat.hpp"
#include "message_target.hpp"
#include "pcore/component.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace ack_wait {

namespace {

struct Symbols {
    SymbolId inbound, waiting, exiting, open, block, req, echan, asked, acked, held, deferred,
        unblock_wait, settle, travels, moving, put_wait, creator_wait, spawns;
};

struct Sorts {
    SortId entry, chan;
};

using Key = std::vector<std::uint32_t>;

Key entry_key(pcore::CompId requester, std::uint32_t control_id) {
    return {requester.value(), control_id};
}
Key chan_key(pcore::ChannelId channel) {
    return {channel.creator, channel.serial};
}

void carried_channels(const pcore::Data& data, std::set<pcore::ChannelId>& out) {
    for (const pcore::TransferredPort& port : data.ports) {
        out.insert(port.channel);
        for (const pcore::Data& pending : port.pending) carried_channels(pending, out);
    }
}

// What the abstraction reads of a world, by key.
struct Census {
    std::set<std::uint32_t> inbound, waiting, exiting, creator_wait;
    std::set<std::pair<std::uint32_t, std::uint32_t>> spawns;  // creator, new component
    std::set<Key> open, block, acked, deferred;
    std::set<std::pair<Key, Key>> echan;                      // entry, channel
    std::set<std::pair<Key, std::uint32_t>> asked, held;      // entry, component
    std::set<std::pair<std::uint32_t, Key>> unblock_wait;     // component, channel
    std::set<std::pair<Key, std::uint32_t>> settle, travels;  // channel, component
    std::set<std::pair<Key, std::uint32_t>> moving;           // channel, component
    std::set<std::pair<std::uint32_t, Key>> put_wait;         // component, channel
    std::set<Key> entries, chans;                             // every key mentioned
};

void read_message(const pmodel::World& world,
                  const pmodel::Link& link,
                  const pcore::Message& message,
                  Census& census) {
    const std::uint32_t to = link.to.value();
    census.inbound.insert(to);
    if (const auto* close = std::get_if<pcore::ClosePort>(&message)) {
        census.asked.insert({entry_key(close->closer, close->control_id), to});
        if (const pcore::Port* port = port_at(world, link.to, close->target)) {
            census.settle.insert({chan_key(port->channel), to});
            // A crossing ClosePort is the Acknowledge of the receiver's own ClosePort.
            if (port->close_sent) census.acked.insert(entry_key(link.to, port->close_control_id));
        }
    } else if (const auto* block = std::get_if<pcore::PeerChangeBlockPort>(&message)) {
        if (!block->answered) {
            census.asked.insert({entry_key(block->requester, block->control_id), to});
        }
    } else if (const auto* ack = std::get_if<pcore::Acknowledge>(&message)) {
        census.acked.insert(entry_key(link.to, ack->control_id));
    } else if (const auto* unblock = std::get_if<pcore::PeerChangeUnblockPort>(&message)) {
        if (const pcore::Port* port = port_at(world, link.to, unblock->target)) {
            census.settle.insert({chan_key(port->channel), to});
        }
    } else if (const auto* data = std::get_if<pcore::Data>(&message)) {
        std::set<pcore::ChannelId> channels;
        carried_channels(*data, channels);
        for (pcore::ChannelId channel : channels) census.travels.insert({chan_key(channel), to});
    }
}

void read_component(std::uint32_t index, const pcore::ComponentState& state, Census& census) {
    const pcore::CompId self(index);
    if (state.mode == pcore::Mode::transferring || state.mode == pcore::Mode::busy_exit) {
        census.waiting.insert(index);
    }
    if (state.mode == pcore::Mode::busy_exit) census.exiting.insert(index);
    if (state.mode == pcore::Mode::waiting_for_creator) census.creator_wait.insert(index);
    if (state.transfer.active && state.transfer.is_spawn) {
        census.spawns.insert({index, state.transfer.new_comp.value()});
    }
    for (const pcore::ControlEntry& entry : state.control) {
        const Key key = entry_key(self, entry.id);
        census.open.insert(key);
        if (entry.kind == pcore::ControlKind::block_peer) census.block.insert(key);
        if (entry.port.value() < state.ports.size()) {
            census.echan.insert({key, chan_key(state.ports[entry.port.value()].channel)});
        }
    }
    // The ends an active hand-off moves (closed ones too: an own end blocked for one is
    // released when the hand-off completes or is abandoned): their peers wait for it.
    const pcore::PendingTransfer& transfer = state.transfer;
    if (transfer.active && !transfer.is_spawn && transfer.put_port.value() < state.ports.size()) {
        const pcore::Port& put_port = state.ports[transfer.put_port.value()];
        if (put_port.blocked && !put_port.closed) {
            census.put_wait.insert({index, chan_key(put_port.channel)});
        }
    }
    if (transfer.active) {
        std::vector<pcore::PortId> ends = transfer.bundle;
        for (const pcore::PortPair& move : transfer.moves) ends.push_back(move.ours);
        for (pcore::PortId end : ends) {
            if (end.value() < state.ports.size()) {
                census.moving.insert({chan_key(state.ports[end.value()].channel), index});
            }
        }
    }
    for (const pcore::Port& port : state.ports) {
        if (port.blocked && !port.moved)
            census.unblock_wait.insert({index, chan_key(port.channel)});
        if (port.close_sent && port.close_deferred) {
            census.deferred.insert(entry_key(self, port.close_control_id));
        }
        for (const pcore::PeerChangeBlockPort& block : port.deferred_blocks) {
            if (!block.answered) {
                census.held.insert({entry_key(block.requester, block.control_id), index});
            }
        }
    }
}

Census census_of(const pmodel::World& world) {
    Census census;
    const auto count = static_cast<std::uint32_t>(world.comps().size());
    for (std::uint32_t index = 0; index < count; ++index) {
        read_component(index, world.comps()[index].state, census);
    }
    for (const pmodel::Link& link : world.links()) {
        if (link.to.value() >= count) continue;
        for (const pcore::Message& message : link.queue) read_message(world, link, message, census);
    }
    for (const auto& key : census.open) census.entries.insert(key);
    for (const auto& key : census.acked) census.entries.insert(key);
    for (const auto& key : census.deferred) census.entries.insert(key);
    for (const auto& [key, comp] : census.asked) census.entries.insert(key);
    for (const auto& [key, comp] : census.held) census.entries.insert(key);
    for (const auto& [key, chan] : census.echan) census.chans.insert(chan);
    for (const auto& [comp, chan] : census.unblock_wait) census.chans.insert(chan);
    for (const auto& [chan, comp] : census.settle) census.chans.insert(chan);
    for (const auto& [chan, comp] : census.travels) census.chans.insert(chan);
    for (const auto& [chan, comp] : census.moving) census.chans.insert(chan);
    return census;
}

void count_elements(const Sorts& sorts,
                    const pmodel::World& world,
                    std::vector<std::uint32_t>& sizes) {
    const Census census = census_of(world);
    sizes[sorts.entry] += static_cast<std::uint32_t>(census.entries.size());
    sizes[sorts.chan] += static_cast<std::uint32_t>(census.chans.size());
}

void write_census(const Symbols& f,
                  const Sorts& sorts,
                  const Census& census,
                  ElementNames& names,
                  Structure& out,
                  Time time) {
    auto entry = [&](const Key& key) { return names.of(sorts.entry, key); };
    auto chan = [&](const Key& key) { return names.of(sorts.chan, key); };
    for (std::uint32_t comp : census.inbound) out.set(f.inbound, {comp}, 1, time);
    for (std::uint32_t comp : census.waiting) out.set(f.waiting, {comp}, 1, time);
    for (std::uint32_t comp : census.exiting) out.set(f.exiting, {comp}, 1, time);
    for (std::uint32_t comp : census.creator_wait) out.set(f.creator_wait, {comp}, 1, time);
    for (const auto& [creator, created] : census.spawns) {
        if (created < out.size(0)) out.set(f.spawns, {creator, created}, 1, time);
    }
    for (const Key& key : census.open) out.set(f.open, {entry(key)}, 1, time);
    for (const Key& key : census.block) out.set(f.block, {entry(key)}, 1, time);
    for (const Key& key : census.acked) out.set(f.acked, {entry(key)}, 1, time);
    for (const Key& key : census.deferred) out.set(f.deferred, {entry(key)}, 1, time);
    for (const auto& [key, ch] : census.echan) out.set(f.echan, {entry(key), chan(ch)}, 1, time);
    for (const auto& [key, comp] : census.asked) out.set(f.asked, {entry(key), comp}, 1, time);
    for (const auto& [key, comp] : census.held) out.set(f.held, {entry(key), comp}, 1, time);
    for (const auto& [comp, ch] : census.unblock_wait) {
        out.set(f.unblock_wait, {comp, chan(ch)}, 1, time);
    }
    for (const auto& [ch, comp] : census.settle) out.set(f.settle, {chan(ch), comp}, 1, time);
    for (const auto& [ch, comp] : census.travels) out.set(f.travels, {chan(ch), comp}, 1, time);
    for (const auto& [ch, comp] : census.moving) out.set(f.moving, {chan(ch), comp}, 1, time);
    for (const auto& [comp, ch] : census.put_wait) out.set(f.put_wait, {comp, chan(ch)}, 1, time);
    // Every entry named in this step, also one this world no longer mentions: its requester
    // follows from its name.
    for (const auto& [key, element] : names.named(sorts.entry)) {
        if (key[0] < out.size(0)) out.set(f.req, {element, key[0]}, 1, time);
    }
}

void abstract_world(const Symbols& f,
                    const Sorts& sorts,
                    const pmodel::World& world,
                    ElementNames& names,
                    Structure& out,
                    Time time) {
    out.clear(time);
    write_census(f, sorts, census_of(world), names, out, time);
}

// Which rules of the code hold in a design (conformance found each broken where it is off).
struct Rules {
    // answered: off where a hand-off does not block the peer or the network reorders
    // (transfer_blocks_peer=off, network!=fifo_pair): a ClosePort reaches an old owner of the
    // end, and the crossing ClosePort that should stand for its Acknowledge targets another
    // port; and where a failed component stops without a word (error_relay=none).
    bool answered = true;
    // settled: off there too, and where a failure waits for its handler
    // (shutdown_guard!=atomic_flag): a put of ports that fails on its closed put port leaves
    // the peers it blocked waiting for ClosePorts that the queued end sends only later; with
    // error_relay=none, never. The waiting rule goes with it: in those designs an ending
    // component stays in busy_exit for a hand-off it abandoned, with nothing left to await.
    bool settled = true;
};

Rules rules_of(const pcore::Variants& v) {
    const bool handoffs_hold =
        v.transfer_blocks_peer == pcore::OnOff::on && v.network == pcore::NetworkOrder::fifo_pair;
    const bool relayed = v.error_relay == pcore::ErrorRelay::forward;
    Rules rules;
    rules.answered = handoffs_hold && relayed;
    rules.settled = rules.answered && v.shutdown_guard == pcore::ShutdownGuard::atomic_flag;
    return rules;
}

struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    Sorts sorts;
    Var q, c, k, j, h, x, y;
    Expr Q, C, K, J, H, X, Y;

    [[nodiscard]] Expr stepping(const Expr& comp) const { return lor({eq(comp, X), eq(comp, Y)}); }
    [[nodiscard]] Expr quiet(Time time) const {
        return forall({k}, lnot(r.at(time, f.inbound, {K})));
    }
    // Entry q will be answered: its Acknowledge (or a crossing ClosePort) is on its way, its
    // request is in flight, a Block of it is held, or a ClosePort of it waits for its port.
    [[nodiscard]] Expr answered(Time time, const Expr& entry) const {
        return lor({r.at(time, f.acked, {entry}), exists({k}, r.at(time, f.asked, {entry, K})),
                    exists({k}, r.at(time, f.held, {entry, K})), r.at(time, f.deferred, {entry})});
    }
    // A hand-off in progress at mover that waits for something: the Acks of its Blocks, or
    // (a put of ports) its own put port's Unblock.
    [[nodiscard]] Expr mover_waits(Time time, const Expr& mover, bool puts) const {
        std::vector<Expr> waits{exists({q}, land({r.at(time, f.open, {Q}), r.at(time, f.block, {Q}),
                                                  r.at(time, f.req, {Q, mover})}))};
        if (puts) waits.push_back(exists({h}, r.at(time, f.put_wait, {mover, H})));
        return lor(std::move(waits));
    }
    // A component waiting for its creator will be scheduled: its creator's spawn hand-off still
    // awaits the Acks of its Blocks (the last one schedules it).
    [[nodiscard]] Expr scheduled(Time time, const Expr& created) const {
        return exists({j}, land({r.at(time, f.spawns, {J, created}), mover_waits(time, J, false)}));
    }
    // A blocked end of ch will be settled: an Unblock or ClosePort for ch in flight, the
    // other end travelling in data, or a hand-off moving an end of ch still waiting (for the
    // Acks of its Blocks, or for its own put port: a chain of puts, which at a quiet state
    // can only be a cycle, an application deadlock).
    [[nodiscard]] Expr settled(Time time, const Expr& channel) const {
        return lor(
            {exists({j}, r.at(time, f.settle, {channel, J})),
             exists({j}, r.at(time, f.travels, {channel, J})),
             exists({j}, land({r.at(time, f.moving, {channel, J}), mover_waits(time, J, true)}))});
    }
    // A held Block: its holder's end of the entry's channel is blocked, and an Unblock or
    // ClosePort for that channel is on its way.
    [[nodiscard]] Expr hold_settled(Time time, const Expr& entry, const Expr& holder) const {
        return forall({h}, implies(r.at(time, f.echan, {entry, H}),
                                   land({r.at(time, f.unblock_wait, {holder, H}),
                                         exists({j}, r.at(time, f.settle, {H, J}))})));
    }
    // What the relations are: messages in flight are inbound; entries' channels, kinds,
    // holds and deferrals are of open entries; a deferred ClosePort waits on a blocked end.
    [[nodiscard]] Expr definitions(Time time) const {
        const Expr messages = forall(
            {q, c}, land({implies(r.at(time, f.asked, {Q, C}), r.at(time, f.inbound, {C})),
                          implies(land({r.at(time, f.acked, {Q}), r.at(time, f.req, {Q, C})}),
                                  r.at(time, f.inbound, {C}))}));
        const Expr channels = forall(
            {h, c}, land({implies(r.at(time, f.settle, {H, C}), r.at(time, f.inbound, {C})),
                          implies(r.at(time, f.travels, {H, C}), r.at(time, f.inbound, {C}))}));
        const Expr entries = forall(
            {q},
            land(
                {implies(r.at(time, f.block, {Q}), r.at(time, f.open, {Q})),
                 implies(exists({h}, r.at(time, f.echan, {Q, H})), r.at(time, f.open, {Q})),
                 implies(
                     exists({k}, r.at(time, f.held, {Q, K})),
                     land({r.at(time, f.block, {Q}), exists({h}, r.at(time, f.echan, {Q, H}))})),
                 implies(r.at(time, f.deferred, {Q}),
                         land({r.at(time, f.open, {Q}), lnot(r.at(time, f.block, {Q})),
                               exists({c, h},
                                      land({r.at(time, f.req, {Q, C}), r.at(time, f.echan, {Q, H}),
                                            r.at(time, f.unblock_wait, {C, H})}))})),
                 // One requester per entry.
                 implies(lor({r.at(time, f.open, {Q}), r.at(time, f.acked, {Q}),
                              r.at(time, f.deferred, {Q}), exists({k}, r.at(time, f.asked, {Q, K})),
                              exists({k}, r.at(time, f.held, {Q, K}))}),
                         exists({c}, r.at(time, f.req, {Q, C}))),
                 forall({c, k},
                        implies(land({r.at(time, f.req, {Q, C}), r.at(time, f.req, {Q, K})}),
                                eq(C, K)))}));
        const Expr modes =
            forall({c}, land({implies(r.at(time, f.exiting, {C}), r.at(time, f.waiting, {C})),
                              forall({h}, implies(r.at(time, f.put_wait, {C, H}),
                                                  land({r.at(time, f.unblock_wait, {C, H}),
                                                        r.at(time, f.waiting, {C})})))}));
        return land({messages, channels, entries, modes});
    }
};

Builder declare(Encoding& e) {
    Vocabulary& voc = e.vocabulary;
    const SortId comp = voc.uninterpreted("comp");
    const SortId entry = voc.uninterpreted("entry");
    const SortId chan = voc.uninterpreted("chan");
    e.comp = comp;
    const Symbols f{
        voc.relation("inbound", {comp}, "a message is in flight to it"),
        voc.relation("waiting", {comp}, "mode transferring or busy_exit: it awaits Acks"),
        voc.relation("exiting", {comp}, "mode busy_exit: it ended and its exit is not done"),
        voc.relation("open", {entry},
                     "the control entry is in its requester's list (an Ack is "
                     "awaited)"),
        voc.relation("block", {entry}, "the entry is a Block of a hand-off (else a ClosePort)"),
        voc.relation("req", {entry, comp}, "the entry's requester"),
        voc.relation("echan", {entry, chan}, "the channel of the entry's port"),
        voc.relation("asked", {entry, comp}, "the entry's request is in flight to the component"),
        voc.relation("acked", {entry},
                     "its Acknowledge, or a crossing ClosePort, is in flight to its requester"),
        voc.relation("held", {entry, comp}, "the component holds the entry's Block, deferred"),
        voc.relation("deferred", {entry},
                     "the entry's ClosePort waits at its requester for the port to unblock"),
        voc.relation("unblock_wait", {comp, chan},
                     "its end of the channel is blocked: it awaits an Unblock"),
        voc.relation("settle", {chan, comp},
                     "an Unblock or a ClosePort for the channel is in flight to the component"),
        voc.relation("travels", {chan, comp},
                     "data in flight to the component carries an end of the channel"),
        voc.relation("moving", {chan, comp},
                     "the component's hand-off in progress moves an end of the channel"),
        voc.relation("put_wait", {comp, chan},
                     "its put of ports waits for its own put port (on the channel) to unblock"),
        voc.relation("creator_wait", {comp}, "it waits to be scheduled by its creator"),
        voc.relation("spawns", {comp, comp},
                     "the first's spawn hand-off of the second is in progress")};
    VarPool& vars = e.vars;
    const Var q = vars.fresh(entry, "q"), c = vars.fresh(comp, "c"), k = vars.fresh(comp, "k");
    const Var j = vars.fresh(comp, "j"), h = vars.fresh(chan, "h");
    const Var x = vars.fresh(comp, "x"), y = vars.fresh(comp, "y");
    return Builder{e,      Reader{e.vocabulary},
                   f,      Sorts{entry, chan},
                   q,      c,
                   k,      j,
                   h,      x,
                   y,      ref(q),
                   ref(c), ref(k),
                   ref(j), ref(h),
                   ref(x), ref(y)};
}

// Nothing in flight, no entry, no blocked end, every component running.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    d.e.init =
        land({d.definitions(Time::now),
              forall({d.q, d.c, d.h},
                     land({lnot(d.r(f.inbound, {d.C})), lnot(d.r(f.waiting, {d.C})),
                           lnot(d.r(f.open, {d.Q})), lnot(d.r(f.acked, {d.Q})),
                           lnot(d.r(f.asked, {d.Q, d.C})), lnot(d.r(f.held, {d.Q, d.C})),
                           lnot(d.r(f.unblock_wait, {d.C, d.H})), lnot(d.r(f.settle, {d.H, d.C})),
                           lnot(d.r(f.travels, {d.H, d.C})), lnot(d.r(f.moving, {d.H, d.C})),
                           lnot(d.r(f.put_wait, {d.C, d.H})), lnot(d.r(f.creator_wait, {d.C})),
                           forall({d.k}, lnot(d.r(f.spawns, {d.C, d.K})))}))});
}

// What a step of x (and y) leaves alone: a component that does not step keeps its own state,
// and the messages on their way to it.
Expr frame_rules(const Builder& d) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &Q = d.Q, &C = d.C, &H = d.H;
    const Expr components = forall(
        {d.c, d.h}, implies(lnot(d.stepping(C)),
                            land({r.unchanged(f.waiting, {C}), r.unchanged(f.exiting, {C}),
                                  implies(r(f.inbound, {C}), r.next(f.inbound, {C})),
                                  r.unchanged(f.unblock_wait, {C, H}),
                                  implies(r(f.settle, {H, C}), r.next(f.settle, {H, C})),
                                  implies(r(f.travels, {H, C}), r.next(f.travels, {H, C})),
                                  r.unchanged(f.moving, {H, C}), r.unchanged(f.put_wait, {C, H}),
                                  forall({d.k}, r.unchanged(f.spawns, {C, d.K}))})));
    // A component starts waiting for its creator only in its creator's spawn step.
    const Expr created =
        forall({d.c}, implies(land({r.next(f.creator_wait, {C}), lnot(r(f.creator_wait, {C}))}),
                              lor({r.next(f.spawns, {d.X, C}), r.next(f.spawns, {d.Y, C})})));
    const Expr entries = forall(
        {d.q, d.c},
        land({implies(r(f.req, {Q, C}), r.next(f.req, {Q, C})),
              implies(lnot(d.stepping(C)),
                      land({implies(r.next(f.req, {Q, C}),
                                    land({r.unchanged(f.open, {Q}), r.unchanged(f.block, {Q}),
                                          r.unchanged(f.deferred, {Q}),
                                          implies(r(f.acked, {Q}), r.next(f.acked, {Q})),
                                          forall({d.h}, r.unchanged(f.echan, {Q, d.H}))})),
                            implies(r(f.asked, {Q, C}), r.next(f.asked, {Q, C})),
                            r.unchanged(f.held, {Q, C})}))}));
    return land({components, entries, created});
}

// The stepping components answer for what they touched.
Expr local_rules(const Builder& d, const Rules& rules) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &Q = d.Q, &C = d.C, &H = d.H, &X = d.X, &Y = d.Y;
    std::vector<Expr> parts;
    if (rules.answered) {
        const Expr touched = lor({r.next(f.req, {Q, X}), r.next(f.req, {Q, Y}), r(f.asked, {Q, X}),
                                  r(f.asked, {Q, Y}), r(f.held, {Q, X}), r(f.held, {Q, Y})});
        parts.push_back(forall(
            {d.q}, implies(land({touched, r.next(f.open, {Q})}), d.answered(Time::next, Q))));
    }
    if (rules.settled) {
        const Expr channel_touched =
            lor({r(f.settle, {H, X}), r(f.settle, {H, Y}), r(f.travels, {H, X}),
                 r(f.travels, {H, Y}), r(f.moving, {H, X}), r(f.moving, {H, Y})});
        parts.push_back(forall({d.c, d.h}, implies(land({r.next(f.unblock_wait, {C, H}),
                                                         lor({d.stepping(C), channel_touched})}),
                                                   d.settled(Time::next, H))));
        parts.push_back(
            forall({d.q, d.c, d.h},
                   implies(land({r.next(f.held, {Q, C}), r.next(f.echan, {Q, H}),
                                 lor({d.stepping(C), r(f.settle, {H, X}), r(f.settle, {H, Y}),
                                      r.next(f.req, {Q, X}), r.next(f.req, {Q, Y})})}),
                           d.hold_settled(Time::next, Q, C))));
    }
    if (!rules.settled) return land(std::move(parts));
    const Expr spawn_touched = lor({r(f.spawns, {X, C}), r(f.spawns, {Y, C}),
                                    r.next(f.spawns, {X, C}), r.next(f.spawns, {Y, C})});
    parts.push_back(forall({d.c}, implies(land({r.next(f.creator_wait, {C}), spawn_touched}),
                                          d.scheduled(Time::next, C))));
    parts.push_back(forall(
        {d.c}, implies(land({d.stepping(C), r.next(f.waiting, {C})}),
                       lor({exists({d.q}, land({r.next(f.open, {Q}), r.next(f.req, {Q, C})})),
                            exists({d.h}, r.next(f.unblock_wait, {C, H}))}))));
    return land(std::move(parts));
}

void add_step(Builder& d, const Rules& rules) {
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step of x (and of y, a receiver a forwarded message steps at once): a Block or a "
        "ClosePort sent, taken, forwarded, held or deferred; an Acknowledge; an Unblock; a "
        "hand-off completed; an exit",
        {d.x, d.y},
        land({d.definitions(Time::next), frame_rules(d), local_rules(d, rules)})});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Expr &Q = d.Q, &C = d.C, &H = d.H;
    auto add = [&](std::string name, std::string words, Expr formula) {
        d.e.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    };
    add("ack_definitions",
        "messages in flight are inbound; kinds, channels, holds and deferrals are of open "
        "entries; a deferred ClosePort waits on a blocked end; one requester an entry; an "
        "exiting component waits",
        d.definitions(Time::now));
    add("entries_answered",
        "every open entry will be answered: its Acknowledge or a crossing ClosePort on its way, "
        "its request in flight, its Block held, or its ClosePort deferred",
        forall({d.q}, implies(d.r(f.open, {Q}), d.answered(Time::now, Q))));
    add("holds_settled",
        "a held Block waits at a blocked end whose Unblock or ClosePort is in flight",
        forall({d.q, d.c}, implies(d.r(f.held, {Q, C}), d.hold_settled(Time::now, Q, C))));
    add("unblocks_settled",
        "every blocked end will be settled: an Unblock or ClosePort in flight, its data "
        "travelling, or a mover awaiting the Acks of its Blocks",
        forall({d.c, d.h}, implies(d.r(f.unblock_wait, {C, H}), d.settled(Time::now, H))));
    add("schedules_pending",
        "a component waiting for its creator has a creator whose spawn hand-off awaits the Ack "
        "of a Block (the last Ack schedules it)",
        forall({d.c}, implies(d.r(f.creator_wait, {C}), d.scheduled(Time::now, C))));
    add("waits_have_entries",
        "a component transferring or in busy_exit has an open entry or a blocked end",
        forall({d.c}, implies(d.r(f.waiting, {C}),
                              lor({exists({d.q}, land({d.r(f.open, {Q}), d.r(f.req, {Q, C})})),
                                   exists({d.h}, d.r(f.unblock_wait, {C, H}))}))));
    const std::vector<std::string> all{"ack_definitions",   "entries_answered",
                                       "holds_settled",     "unblocks_settled",
                                       "schedules_pending", "waits_have_entries"};
    // At a quiet state a blocked end can only wait on a put of ports that waits for its own put
    // port: a cycle of such puts (each carries the peer end of the next one's put port), which
    // the observers report as an application deadlock.
    const Var other = d.e.vars.fresh(d.sorts.chan, "g");
    const Expr only_put_cycles =
        forall({d.c, d.h},
               implies(d.r(f.unblock_wait, {C, H}),
                       exists({d.j}, land({d.r(f.moving, {H, d.J}),
                                           exists({other}, d.r(f.put_wait, {d.J, ref(other)}))}))));
    d.e.properties.push_back(PropertyDecl{
        "DF-1",
        "Ack waits: with nothing in flight, no hand-off awaits the Ack of a Block, no component "
        "waits for its creator's Schedule, and every "
        "blocked end (with it every deferred ClosePort, unfinished exit and put of ports left "
        "waiting) waits on a put of ports that waits for its own put port: only a cycle of puts, "
        "each carrying the peer end of the next one's put port (an application deadlock the "
        "observers report), leaves a wait for an Ack or an Unblock unanswered; from local rules "
        "of the code that conformance checks on every step",
        implies(d.quiet(Time::now),
                land({forall({d.q}, lnot(land({d.r(f.open, {Q}), d.r(f.block, {Q})}))),
                      forall({d.c}, lnot(d.r(f.creator_wait, {C}))), only_put_cycles})),
        all});
    d.e.properties.push_back(PropertyDecl{
        "DF-2",
        "Ack part: with nothing in flight, an ended component still in busy_exit waits only on "
        "a blocked end held by a cycle of puts of ports (an application deadlock): otherwise "
        "its exit gets the Acks of its ClosePorts and its Unblocks, and completes; from local "
        "rules of the code that conformance checks on every step",
        implies(d.quiet(Time::now),
                forall({d.c}, implies(d.r(f.exiting, {C}),
                                      land({exists({d.h}, d.r(f.unblock_wait, {C, d.H})),
                                            only_put_cycles})))),
        all});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line = state.get(f.exiting, {c}, time)   ? "busy_exit"
                       : state.get(f.waiting, {c}, time) ? "transferring"
                                                         : "neither transferring nor exiting";
    line += state.get(f.inbound, {c}, time) ? ", a message on its way to it"
                                            : ", nothing in flight to it";
    const std::uint32_t entries = state.size(1);
    const std::uint32_t chans = state.size(2);
    for (std::uint32_t q = 0; q < entries; ++q) {
        if (!state.get(f.req, {q, c}, time)) continue;
        if (state.get(f.open, {q}, time)) {
            line += concat(", awaits the Ack of q", std::to_string(q),
                           state.get(f.block, {q}, time) ? " (a Block" : " (a ClosePort");
            for (std::uint32_t h = 0; h < chans; ++h) {
                if (state.get(f.echan, {q, h}, time)) line += concat(" on ch", std::to_string(h));
            }
            line += ")";
            if (state.get(f.acked, {q}, time)) line += " [its Ack in flight]";
            if (state.get(f.deferred, {q}, time)) line += " [deferred]";
        }
        for (std::uint32_t k = 0; k < state.size(0); ++k) {
            if (state.get(f.asked, {q, k}, time)) {
                line += concat(", q", std::to_string(q), " in flight to c", std::to_string(k));
            }
            if (state.get(f.held, {q, k}, time)) {
                line += concat(", q", std::to_string(q), " held at c", std::to_string(k));
            }
        }
    }
    for (std::uint32_t h = 0; h < chans; ++h) {
        if (state.get(f.unblock_wait, {c, h}, time)) {
            line += concat(", its end of ch", std::to_string(h), " blocked");
        }
        if (state.get(f.settle, {h, c}, time)) {
            line += concat(", an Unblock or ClosePort for ch", std::to_string(h), " on its way");
        }
        if (state.get(f.travels, {h, c}, time)) {
            line += concat(", data on its way carries an end of ch", std::to_string(h));
        }
    }
    return line;
}

}  // namespace

}  // namespace ack_wait

}  // namespace psmt

namespace psmt {

Encoding ack_wait_encoding(const pcore::Variants& variants) {
    using namespace ack_wait;
    Encoding e;
    e.protocol = "ack waits";
    Builder builder = declare(e);
    add_init(builder);
    add_step(builder, rules_of(variants));
    add_invariants(builder);
    const Symbols f = builder.f;
    const Sorts sorts = builder.sorts;
    e.abstraction = [f, sorts](const pmodel::World& world, ElementNames& names, Structure& out,
                               Time time) { abstract_world(f, sorts, world, names, out, time); };
    e.size_sorts = [sorts](const pmodel::World& world, std::vector<std::uint32_t>& sizes) {
        count_elements(sorts, world, sizes);
    };
    e.describe = [f](const Structure& state, std::uint32_t comp, Time time) {
        return describe(f, state, comp, time);
    };
    return e;
}

}  // namespace psmt
