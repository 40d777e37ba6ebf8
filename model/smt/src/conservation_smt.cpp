// Conservation of data, symbolically (core/src/lifetime.cpp: report_failed_put, close_all_ports,
// on_data for an exiting component; on_data_message_failed; the observers' put records): a
// put's data is never dropped silently, for any number of components and puts.
//
//   put x sent ---------> data held (in flight, or waiting in a live component's port)
//       |                    |  accepted by a get: settled
//       |                    |  reaches an exiting component, or dies in its port:
//       |                    v  DataMessageFailed back to the sender (data_message_failed=on)
//       |                 report held ---delivered---> settled (failed)
//       +-- the sender ended inside the round of the put: excused (the round took it along)
//
// Properties (contract §7): LC-2 (every put is received, or reported failed to its sender, or
// its sender failed in that round), as the state invariant the observers' terminal check rests
// on: an outstanding put's data or its failure report is somewhere, unless excused. With
// data_message_failed=off a step may drop data without a report, and the proof fails.
#include <algorithm>

#include "concat.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace conservation {

namespace {

struct Symbols {
    SymbolId recorded, outstanding, sender, data_held, report_held, excused;
};

std::vector<std::uint32_t> put_key(pcore::ChannelId channel, std::uint32_t seq) {
    return {channel.creator, channel.serial, seq};
}

// Every Data message anywhere a delivery or a get can still reach it, nested ones included.
class HeldData {
  public:
    HeldData(const Symbols& f, ElementNames& names, SortId put, Structure& out, Time time)
        : f_(f), names_(names), put_(put), out_(out), time_(time) {}

    void data(const pcore::Data& data) {
        const std::uint32_t x = names_.of(put_, put_key(data.channel, data.seq));
        if (x < out_.size(put_)) out_.set(f_.data_held, {x}, 1, time_);
        for (const pcore::TransferredPort& port : data.ports) {
            for (const pcore::Data& pending : port.pending) this->data(pending);
        }
    }
    void report(const pcore::DataMessageFailed& failed) {
        const std::uint32_t x = names_.of(put_, put_key(failed.channel, failed.seq));
        if (x < out_.size(put_)) out_.set(f_.report_held, {x}, 1, time_);
    }

  private:
    const Symbols& f_;
    ElementNames& names_;
    SortId put_;
    Structure& out_;
    Time time_;
};

void abstract_world(const Symbols& f,
                    SortId put,
                    const pmodel::World& world,
                    ElementNames& names,
                    Structure& out,
                    Time time) {
    for (std::uint32_t x = 0; x < out.size(put); ++x) {
        for (SymbolId unary : {f.recorded, f.outstanding, f.data_held, f.report_held, f.excused}) {
            out.set(unary, {x}, 0, time);
        }
        for (std::uint32_t c = 0; c < out.size(0); ++c) out.set(f.sender, {x, c}, 0, time);
    }
    for (const pmodel::PutRecord& record : world.ghost().puts) {
        const std::uint32_t x = names.of(put, put_key(record.channel, record.seq));
        out.set(f.recorded, {x}, 1, time);
        out.set(f.outstanding, {x}, record.status == pmodel::PutStatus::outstanding ? 1 : 0, time);
        out.set(f.sender, {x, record.sender.value()}, 1, time);
        const pmodel::SlotGhost& sender = world.slot_ghost(record.sender);
        const bool ended_in_that_round = sender.rounds == record.sender_round + 1 &&
                                         sender.last_round == pmodel::RoundStatus::ended;
        out.set(f.excused, {x}, ended_in_that_round ? 1 : 0, time);
    }
    HeldData held(f, names, put, out, time);
    for (const pmodel::Link& link : world.links()) {
        for (const pcore::Message& message : link.queue) {
            if (const auto* data = std::get_if<pcore::Data>(&message)) held.data(*data);
            if (const auto* failed = std::get_if<pcore::DataMessageFailed>(&message)) {
                held.report(*failed);
            }
        }
    }
    for (const pmodel::CompSlot& slot : world.comps()) {
        if (slot.state.outcome.kind != pcore::OutcomeKind::running) continue;
        for (const pcore::Port& port : slot.state.ports) {
            for (const pcore::Data& data : port.pending) held.data(data);
        }
    }
}

std::size_t data_count(const pmodel::World& world) {
    std::size_t count = world.ghost().puts.size();
    for (const pmodel::Link& link : world.links()) count += link.queue.size();
    for (const pmodel::CompSlot& slot : world.comps()) {
        for (const pcore::Port& port : slot.state.ports) count += port.pending.size();
    }
    return count;
}

std::string describe(const Symbols& f,
                     const Structure& state,
                     std::uint32_t comp_index,
                     Time time) {
    std::string line;
    for (std::uint32_t p = 0; p < state.size(1); ++p) {
        if (!state.get(f.recorded, {p}, time) || !state.get(f.sender, {p, comp_index}, time)) {
            continue;
        }
        line += concat("; put ", std::to_string(p),
                       state.get(f.outstanding, {p}, time) ? " outstanding" : " settled");
        if (state.get(f.data_held, {p}, time)) line += ", data held";
        if (state.get(f.report_held, {p}, time)) line += ", failure report in flight";
        if (state.get(f.excused, {p}, time)) line += ", excused (ended in its round)";
    }
    return line.empty() ? std::string("no put") : line.substr(2);
}

// The rules of any step of c, for the put x (a and c components).
Expr step_rules(const Vocabulary& v,
                const Symbols& f,
                const Var& x,
                const Var& a,
                const Var& c,
                bool reported) {
    const Reader r{v};
    const Expr X = ref(x), A = ref(a), C = ref(c);
    const Expr kept = land({r(f.recorded, {X}), r.next(f.recorded, {X})});
    const Expr live_next = land({r.next(f.recorded, {X}), r.next(f.outstanding, {X})});
    std::vector<Expr> rules{
        // A new record is a put of c whose data left with it.
        implies(
            land({lnot(r(f.recorded, {X})), r.next(f.recorded, {X})}),
            land({r.next(f.sender, {X, C}), r.next(f.outstanding, {X}), r.next(f.data_held, {X})})),
        // Only settled records are dropped; a record keeps its sender; a status only settles.
        // (settled before, or in this very step: its data or its report was taken).
        implies(land({r(f.recorded, {X}), lnot(r.next(f.recorded, {X}))}),
                lor({lnot(r(f.outstanding, {X})),
                     land({r(f.data_held, {X}), lnot(r.next(f.data_held, {X}))}),
                     land({r(f.report_held, {X}), lnot(r.next(f.report_held, {X}))})})),
        implies(kept, forall({a}, iff(r.next(f.sender, {X, A}), r(f.sender, {X, A})))),
        implies(land({kept, lnot(r(f.outstanding, {X}))}), lnot(r.next(f.outstanding, {X}))),
        // A failure report goes only where it settles the put.
        implies(land({live_next, r(f.report_held, {X}), lnot(r.next(f.report_held, {X}))}),
                r.next(f.excused, {X})),
        // An excuse stays, and only c's own end gives one.
        implies(land({kept, r(f.excused, {X})}), r.next(f.excused, {X})),
        implies(land({kept, lnot(r(f.excused, {X})), r.next(f.excused, {X})}),
                r(f.sender, {X, C}))};
    if (reported) {
        rules.push_back(
            implies(land({live_next, r(f.data_held, {X}), lnot(r.next(f.data_held, {X}))}),
                    lor({r.next(f.report_held, {X}), r.next(f.excused, {X})})));
    }
    return forall({x}, land(std::move(rules)));
}

}  // namespace

}  // namespace conservation

Encoding conservation_encoding(const pcore::Variants& variants) {
    using namespace conservation;
    Encoding e;
    e.protocol = "conservation of data";
    Vocabulary& v = e.vocabulary;
    const SortId comp = v.uninterpreted("comp");
    const SortId put = v.uninterpreted("put");
    e.comp = comp;
    const Symbols f{
        v.relation("recorded", {put}, "ghost: the observers keep a record of this put"),
        v.relation("outstanding", {put}, "ghost: neither accepted nor reported failed yet"),
        v.relation("sender", {put, comp}, "ghost: who put it"),
        v.relation("data_held", {put},
                   "its Data is in flight, or waits in a live component's port"),
        v.relation("report_held", {put}, "a DataMessageFailed for it is in flight"),
        v.relation("excused", {put}, "ghost: its sender ended inside the round of the put")};
    const Reader r{v};
    const Var x = e.vars.fresh(put, "x");
    const Var a = e.vars.fresh(comp, "a");
    const Expr X = ref(x), A = ref(a);
    e.init = forall({x}, lnot(r(f.recorded, {X})));

    // A step of c (a put, a get, a delivery, an end; the world's frees with it).
    const Var c = e.vars.fresh(comp, "c");
    // Data goes only where it is accepted, or with a report back to its sender. Not in the
    // designs where the core drops it: data_message_failed=off (data reaching an exiting
    // component), error_relay=none (a failed component just stops: lifetime.cpp skips
    // report_failed_put for the data waiting in its ports), and the designs that break the
    // hand-off's ordering (transfer_blocks_peer=off, network=fifo_channel or unordered), where
    // conformance finds data going silently as a port's old owner ends or an Unblock arrives.
    const bool reported = variants.data_message_failed == pcore::OnOff::on &&
                          variants.error_relay == pcore::ErrorRelay::forward &&
                          variants.transfer_blocks_peer == pcore::OnOff::on &&
                          variants.network == pcore::NetworkOrder::fifo_pair;
    e.actions.push_back(
        ActionDecl{"step",
                   "any step of c: put, get, on_data, report_failed_put, close_all_ports, "
                   "on_data_message_failed, the end of a round",
                   {c},
                   step_rules(v, f, x, a, c, reported)});

    e.invariants.push_back(
        InvariantDecl{"records_have_senders", "every put record names its sender",
                      forall({x}, implies(r(f.recorded, {X}), exists({a}, r(f.sender, {X, A}))))});
    e.invariants.push_back(InvariantDecl{
        "outstanding_is_somewhere",
        "an outstanding put's data or its failure report is somewhere, unless its sender ended "
        "inside the round of the put",
        forall({x},
               implies(land({r(f.recorded, {X}), r(f.outstanding, {X})}),
                       lor({r(f.data_held, {X}), r(f.report_held, {X}), r(f.excused, {X})})))});
    e.properties.push_back(PropertyDecl{
        "LC-2",
        "conservation: an outstanding put's data is in flight or waits in a live port, or its "
        "DataMessageFailed is on its way, or its sender failed in that round; nothing is dropped "
        "silently",
        forall({x}, implies(land({r(f.recorded, {X}), r(f.outstanding, {X})}),
                            lor({r(f.data_held, {X}), r(f.report_held, {X}), r(f.excused, {X})}))),
        {"records_have_senders", "outstanding_is_somewhere"}});

    wire_one_sort(e, f, put, abstract_world, data_count, describe);
    return e;
}

}  // namespace psmt
