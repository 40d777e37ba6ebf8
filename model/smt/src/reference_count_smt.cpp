// Reference counts, symbolically (core/src/lifetime.cpp: attach_peer, detach_peer,
// try_finish_exit; consensus.cpp: parts that hold their submitter; port_transfer.cpp: handles
// that travel in Data, Unblock and DataMessageFailed; the world's RefInc, RefDec and free): the
// world counts each component's references, and frees it when the count reaches 0.
//
//   holders of a handle on c:  c itself until it exits (its self reference)
//                              a peer link, a part held in a round
//                              a message in flight that carries one
//   running --...--> busy_exit --last Ack: drops its self reference--> exited --count 0--> freed
//
// The abstraction counts the handles held (the census) and compares the world's count with it.
// A step is taken as three local rules of the code, each checked on every step conformance
// takes: every RefInc and RefDec goes with a handle made or dropped (the count stays the
// census); a component exits with no peer link; an exited component makes none. (Under
// error_relay=none a silently failed component exits still holding parts of its round, and
// takes more: the rules are about peer links, which is what a free must not leave behind.)
//
// Properties (contract §7): LC-3 (reference counts never go negative; a component is freed
// exactly when its count reaches 0: never while running, never while it still holds a
// reference), as the observers judge it (the world's LC-3 checks). docs/invariants.md has the
// invariants in words.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "concat.hpp"
#include "pcore/component.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace refcount {

namespace {

struct Symbols {
    SymbolId exists, exited, freed, positive, miscounted, holds, peer, carried, lc3;
    SymbolId in_flight, receiver_ref, part, decision, lc1;
};

// Every handle the world's components and messages hold, by the component it is on.
class Census {
  public:
    explicit Census(std::size_t comps) : handles_(comps, 0), holds_(comps * comps, 0) {}

    // Data waiting in a port holds no handle: its ports were adopted when it arrived.
    void component(std::uint32_t self, const pcore::ComponentState& state) {
        for (const pcore::PeerLink& link : state.peers) held_by(self, link.comp);
        for (const pcore::SolutionPart& part : state.round.combined) {
            if (part.holds_ref) held_by(self, part.submitter);
        }
    }
    void message(const pmodel::Link& link, const pcore::Message& message) {
        pcore::for_each_carried_handle(message, [&](pcore::CompId on) { in_flight(on); });
        // The handles a message holds on its own receiver (released when it is taken).
        if (const auto* decision = std::get_if<pcore::Decision>(&message)) {
            if (decision->holds_ref) in_flight(link.to);
        } else if (const auto* failed = std::get_if<pcore::DataMessageFailed>(&message)) {
            if (failed->holds_receiver_ref) in_flight(link.to);
        } else if (const auto* unblock = std::get_if<pcore::PeerChangeUnblockPort>(&message)) {
            if (unblock->holds_receiver_ref) in_flight(link.to);
        }
    }
    void self_reference(std::uint32_t comp) { ++handles_[comp]; }

    [[nodiscard]] std::int64_t handles_on(std::uint32_t comp) const { return handles_[comp]; }
    [[nodiscard]] bool holds(std::uint32_t holder, std::uint32_t on) const {
        return holds_[holder * handles_.size() + on] != 0;
    }
    [[nodiscard]] bool carried(std::uint32_t on) const {
        return carried_.size() > on && carried_[on];
    }

  private:
    void held_by(std::uint32_t holder, pcore::CompId on) {
        if (on.value() >= handles_.size()) return;
        ++handles_[on.value()];
        holds_[holder * handles_.size() + on.value()] = 1;
    }
    void in_flight(pcore::CompId on) {
        if (on.value() >= handles_.size()) return;
        ++handles_[on.value()];
        if (carried_.size() <= on.value()) carried_.resize(handles_.size(), false);
        carried_[on.value()] = true;
    }

    std::vector<std::int64_t> handles_;
    std::vector<std::uint8_t> holds_;
    std::vector<bool> carried_;
};

// What LC-1 reads of a link: a message other than a CancelRequest (the registry's, out of
// band) on its way to another component, and whether one holds a handle on its receiver.
void flight(const Symbols& f,
            const pmodel::Link& link,
            const pcore::Message& message,
            Structure& out,
            Time time) {
    const std::uint32_t from = link.from.value();
    const std::uint32_t to = link.to.value();
    if (from == to || std::holds_alternative<pcore::CancelRequest>(message)) return;
    if (from >= out.size(0) || to >= out.size(0)) return;
    out.set(f.in_flight, {from, to}, 1, time);
    bool on_receiver = false;
    if (const auto* decision = std::get_if<pcore::Decision>(&message)) {
        on_receiver = decision->holds_ref;
        out.set(f.decision, {from, to}, 1, time);
    } else if (const auto* failed = std::get_if<pcore::DataMessageFailed>(&message)) {
        on_receiver = failed->holds_receiver_ref;
    } else if (const auto* unblock = std::get_if<pcore::PeerChangeUnblockPort>(&message)) {
        on_receiver = unblock->holds_receiver_ref;
    }
    if (on_receiver) out.set(f.receiver_ref, {from, to}, 1, time);
}

void clear(const Symbols& f, Structure& out, Time time) {
    const std::uint32_t comps = out.size(0);
    for (std::uint32_t a = 0; a < comps; ++a) {
        for (SymbolId unary :
             {f.exists, f.exited, f.freed, f.positive, f.miscounted, f.carried, f.lc3}) {
            out.set(unary, {a}, 0, time);
        }
        for (std::uint32_t b = 0; b < comps; ++b) {
            for (SymbolId binary :
                 {f.holds, f.peer, f.in_flight, f.receiver_ref, f.part, f.decision, f.lc1}) {
                out.set(binary, {a, b}, 0, time);
            }
        }
    }
}

void abstract_world(const Symbols& f, const pmodel::World& world, Structure& out, Time time) {
    clear(f, out, time);
    const auto count = static_cast<std::uint32_t>(world.comps().size());
    Census census(count);
    for (std::uint32_t index = 0; index < count; ++index) {
        const pcore::ComponentState& state = world.comps()[index].state;
        census.component(index, state);
        if (state.mode != pcore::Mode::exited) census.self_reference(index);
        for (const pcore::PeerLink& link : state.peers) {
            if (link.comp.value() < count) out.set(f.peer, {index, link.comp.value()}, 1, time);
        }
    }
    for (const pmodel::Link& link : world.links()) {
        for (const pcore::Message& message : link.queue) {
            census.message(link, message);
            flight(f, link, message, out, time);
        }
    }
    for (std::uint32_t index = 0; index < count; ++index) {
        const pcore::CompId comp(index);
        out.set(f.exists, {index}, 1, time);
        out.set(f.exited, {index}, world.comps()[index].state.mode == pcore::Mode::exited, time);
        out.set(f.freed, {index}, world.freed(comp) ? 1 : 0, time);
        out.set(f.positive, {index}, world.refcount(comp) > 0 ? 1 : 0, time);
        out.set(f.miscounted, {index}, census.handles_on(index) != world.refcount(comp), time);
        out.set(f.carried, {index}, census.carried(index) ? 1 : 0, time);
        for (std::uint32_t other = 0; other < count; ++other) {
            if (census.holds(index, other)) out.set(f.holds, {index, other}, 1, time);
        }
        for (const pcore::SolutionPart& part : world.comps()[index].state.round.combined) {
            if (part.submitter.value() < count) {
                out.set(f.part, {index, part.submitter.value()}, 1, time);
            }
        }
    }
    for (const pmodel::Violation& violation : world.violations()) {
        if (violation.property == "LC-3" && !violation.comps.empty() &&
            violation.comps[0].value() < count) {
            out.set(f.lc3, {violation.comps[0].value()}, 1, time);
        }
        // LC-1 names the sender (or the taker of a reference) and the freed component.
        if (violation.property == "LC-1" && violation.comps.size() == 2 &&
            violation.comps[0].value() < count && violation.comps[1].value() < count) {
            out.set(f.lc1, {violation.comps[0].value(), violation.comps[1].value()}, 1, time);
        }
    }
}

// The encoding under construction, with the variables its formulas share.
struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    pcore::Variants variants;
    Var a, b, x, y;
    Expr A, B, X, Y;

    [[nodiscard]] Expr at(Time time, SymbolId symbol, std::vector<Expr> args) const {
        return time == Time::now ? r(symbol, std::move(args)) : r.next(symbol, std::move(args));
    }
    // What the abstraction's symbols mean, true of every state it builds (arithmetic and
    // definitions, not rules of the code): a count equal to the handles held is positive
    // exactly when some handle on the component is held; peer links are handles; a message
    // that holds a handle on its receiver is in flight and carries it; handles and messages are
    // between created components.
    [[nodiscard]] Expr definitions(Time time) const {
        const Expr held = lor({lnot(at(time, f.exited, {A})),
                               exists({b}, at(time, f.holds, {B, A})), at(time, f.carried, {A})});
        const Expr created = land({at(time, f.exists, {A}), at(time, f.exists, {B})});
        // The census per component, outside the pairs: conformance evaluates this on every
        // step, and a nested quantifier would cost a factor of the components.
        const Expr pairs = forall(
            {b}, land({implies(at(time, f.peer, {A, B}), at(time, f.holds, {A, B})),
                       implies(at(time, f.decision, {A, B}), at(time, f.in_flight, {A, B})),
                       implies(at(time, f.receiver_ref, {A, B}),
                               land({at(time, f.in_flight, {A, B}), at(time, f.carried, {B})})),
                       implies(lor({at(time, f.holds, {A, B}), at(time, f.in_flight, {A, B}),
                                    at(time, f.lc1, {A, B})}),
                               created)}));
        return forall(
            {a}, land({implies(land({at(time, f.exists, {A}), lnot(at(time, f.miscounted, {A}))}),
                               iff(at(time, f.positive, {A}), held)),
                       // Messages to oneself are not LC-1's (both ends of a channel were its own).
                       lnot(at(time, f.in_flight, {A, A})), lnot(at(time, f.lc1, {A, A})), pairs}));
    }
    // A message from a to b is backed: a holds a handle on b, the message holds one, or b
    // has not exited (its self reference).
    [[nodiscard]] Expr backed(Time time, const Expr& from, const Expr& to) const {
        return lor({at(time, f.holds, {from, to}), at(time, f.receiver_ref, {from, to}),
                    lnot(at(time, f.exited, {to}))});
    }
    [[nodiscard]] Expr stepping(const Expr& c) const { return lor({eq(c, X), eq(c, Y)}); }
};

Builder declare(Encoding& e, const pcore::Variants& variants) {
    Vocabulary& v = e.vocabulary;
    const SortId comp = v.uninterpreted("comp");
    e.comp = comp;
    const Symbols f{
        v.relation("exists", {comp}, "the component has been created"),
        v.relation("exited", {comp}, "mode exited: it dropped its self reference"),
        v.relation("freed", {comp}, "the world freed it"),
        v.relation("positive", {comp}, "the world's reference count is above 0"),
        v.relation("miscounted", {comp},
                   "the world's count differs from the number of handles held on it"),
        v.relation("holds", {comp, comp},
                   "the first holds a handle on the second (a peer link, a part)"),
        v.relation("peer", {comp, comp}, "the first has a peer link to the second"),
        v.relation("carried", {comp}, "a message in flight carries a handle on it"),
        v.relation("lc3", {comp}, "ghost: the observers found LC-3 violated on it"),
        v.relation("in_flight", {comp, comp},
                   "a message from the first to the second (not a CancelRequest) is in flight"),
        v.relation("receiver_ref", {comp, comp},
                   "a message in flight from the first holds a handle on the second, its receiver"),
        v.relation("part", {comp, comp},
                   "the first holds the second's part of a round (with a handle on it or not)"),
        v.relation("decision", {comp, comp},
                   "a Decision from the first to the second is in flight"),
        v.relation("lc1", {comp, comp},
                   "ghost: the observers found a message of the first (or a reference it took) "
                   "meet the second freed (LC-1)")};
    const Var a = e.vars.fresh(comp, "a");
    const Var b = e.vars.fresh(comp, "b");
    const Var x = e.vars.fresh(comp, "x");
    const Var y = e.vars.fresh(comp, "y");
    return Builder{e,     Reader{e.vocabulary}, f, variants, a, b, x, y, ref(a), ref(b), ref(x),
                   ref(y)};
}

// Created components run with their self reference; nothing has met a freed component.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    const Expr &A = d.A, &B = d.B;
    d.e.init = land({d.definitions(Time::now),
                     forall({d.a, d.b}, land({lnot(d.r(f.exited, {A})), lnot(d.r(f.freed, {A})),
                                              lnot(d.r(f.miscounted, {A})), lnot(d.r(f.lc3, {A})),
                                              lnot(d.r(f.lc1, {A, B}))}))});
}

// The world's bookkeeping and the local rules of LC-3: creations and exits are for good; the
// count moves with the handles (rule 1); frees; exits with no handle (rules 2 and 3); and
// what the observers can find.
Expr count_rules(const Builder& d) {
    const Symbols& f = d.f;
    const Var &a = d.a, &b = d.b;
    const Expr &A = d.A, &B = d.B;
    // Rules 2 and 3 are about every handle (peer links and parts) where a failed component
    // closes its round; under error_relay=none it exits still holding parts, and they are
    // about peer links only (what LC-3 needs; DF-2's free part then gets a CTI). Rule 3 rests
    // on the hand-off's handshake: where a hand-off does not block the peer or the network
    // reorders, data with ports reaches a component that has exited, which adopts them (a
    // peer link) to forward them, and LC-3 and DF-2 get a CTI.
    const pcore::Variants& v = d.variants;
    const bool handoffs_hold =
        v.transfer_blocks_peer == pcore::OnOff::on && v.network == pcore::NetworkOrder::fifo_pair;
    std::vector<Expr> exits;
    for (SymbolId kept : {f.peer, f.holds}) {
        if (kept == f.holds && v.error_relay == pcore::ErrorRelay::none) continue;
        exits.push_back(implies(land({d.r.next(f.exited, {A}), lnot(d.r(f.exited, {A}))}),
                                lnot(d.r.next(kept, {A, B}))));
        if (!handoffs_hold) continue;
        exits.push_back(
            implies(land({d.r(f.exited, {A}), d.r.next(kept, {A, B})}), d.r(kept, {A, B})));
    }
    const Expr new_lc3 = land({d.r.next(f.lc3, {A}), lnot(d.r(f.lc3, {A}))});
    const Expr bad_free =
        land({d.r.next(f.freed, {A}), lnot(d.r(f.freed, {A})),
              lor({lnot(d.r.next(f.exited, {A})), exists({b}, d.r.next(f.peer, {A, B}))})});
    return land(
        {d.r(f.exists, {d.X}), d.r(f.exists, {d.Y}),
         forall({a}, land({implies(d.r(f.exists, {A}), d.r.next(f.exists, {A})),
                           // A component is created running.
                           implies(lnot(d.r(f.exists, {A})), lnot(d.r.next(f.exited, {A}))),
                           implies(d.r(f.exited, {A}), d.r.next(f.exited, {A})),
                           // The world takes no reference on a freed component (LC-1 instead).
                           implies(d.r(f.freed, {A}), lnot(d.r.next(f.positive, {A}))),
                           d.r.unchanged(f.miscounted, {A}),
                           // The world frees what its count took to 0 (or below), for good.
                           iff(d.r.next(f.freed, {A}),
                               lor({d.r(f.freed, {A}), land({d.r.next(f.exists, {A}),
                                                             lnot(d.r.next(f.positive, {A}))})})),
                           implies(d.r(f.lc3, {A}), d.r.next(f.lc3, {A})),
                           // LC-3 is found when a count goes wrong (below 0), or at a bad free.
                           implies(new_lc3, lor({d.r.next(f.miscounted, {A}), bad_free}))})),
         forall({a, b}, land(std::move(exits)))});
}

// LC-1's rules. The stepping components are x and y (a forwarded message steps its receiver in
// the same step). A message "meets" its receiver when it is in flight after the step, or the
// observers found it (or a reference taken) meeting it freed.
Expr flight_rules(const Builder& d) {
    const Symbols& f = d.f;
    const Var &a = d.a, &b = d.b;
    const Expr &A = d.A, &B = d.B;
    const Expr met = lor(
        {d.r.next(f.in_flight, {A, B}), land({d.r.next(f.lc1, {A, B}), lnot(d.r(f.lc1, {A, B}))})});
    // Local rule 4: after its step, a component's messages, and the messages to it, are
    // backed. leader_holds_refs=off: a leader answers the parts it holds without a handle, and
    // such a Decision's receiver may exit before it arrives.
    Expr disciplined = d.backed(Time::next, A, B);
    if (d.variants.leader_holds_refs == pcore::OnOff::off) {
        disciplined = lor({disciplined, land({d.stepping(A), d.r(f.part, {A, B})}),
                           d.r(f.decision, {A, B}), d.r.next(f.decision, {A, B})});
    }
    // The handshakes that keep the rule (a Block before a port moves, a ClosePort and its
    // Acknowledge before an exit) rest on per-pair FIFO links and on a failed component closing
    // its ports. Without them the rule does not hold, and conformance shows the core breaking
    // it every way: a port's peer changes under a message (transfer_blocks_peer=off), an
    // Acknowledge overtakes one (network), a receiver stops without closing and is still sent
    // to (error_relay=none). The encoding then has no rule, and LC-1 gets a CTI.
    const pcore::Variants& v = d.variants;
    if (v.transfer_blocks_peer == pcore::OnOff::off ||
        v.network != pcore::NetworkOrder::fifo_pair || v.error_relay == pcore::ErrorRelay::none) {
        disciplined = truth();
    }
    const Expr others_unchanged =
        land({d.r.unchanged(f.exited, {A}), d.r.unchanged(f.holds, {A, B})});
    return forall(
        {a, b}, land({implies(land({lor({d.stepping(A), d.stepping(B)}), met}), disciplined),
                      // The world: only the stepping components change their own state or send.
                      implies(land({lnot(d.stepping(A)), d.r(f.exists, {A})}), others_unchanged),
                      implies(lnot(d.stepping(A)), implies(met, d.r(f.in_flight, {A, B}))),
                      // A message is taken only by its stepping receiver, with the handle it holds.
                      implies(land({lnot(d.stepping(B)), d.r(f.receiver_ref, {A, B})}),
                              d.r.next(f.receiver_ref, {A, B})),
                      implies(d.r(f.lc1, {A, B}), d.r.next(f.lc1, {A, B})),
                      // LC-1 is found only about a component freed by the end of the step.
                      implies(land({d.r.next(f.lc1, {A, B}), lnot(d.r(f.lc1, {A, B}))}),
                              d.r.next(f.freed, {B}))}));
}

// Any step: a handler, a statement, a fault, a timeout, with the world's RefInc, RefDec and
// frees that follow it.
void add_step(Builder& d) {
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step of x (and of y, a receiver a forwarded message steps at once), with the RefInc "
        "and RefDec it emits and the world's frees (attach_peer, detach_peer, try_finish_exit, "
        "parts, carried handles, sends)",
        {d.x, d.y},
        land({d.definitions(Time::next), count_rules(d), flight_rules(d)})});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Var &a = d.a, &b = d.b;
    const Expr &A = d.A, &B = d.B;
    auto add = [&](std::string name, std::string words, Expr formula) {
        d.e.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    };
    add("count_is_census", "every count equals the number of handles held on its component",
        forall({a}, lnot(d.r(f.miscounted, {A}))));
    add("census_definitions",
        "a count is positive exactly when a handle on its component is held (its self reference "
        "until it exits, a peer link, a part, a message); peer links are handles; a message's "
        "handle on its receiver is carried; handles and messages are between created components",
        d.definitions(Time::now));
    add("exited_has_no_peer_link", "an exited component has no peer link",
        forall({a, b}, implies(d.r(f.exited, {A}), lnot(d.r(f.peer, {A, B})))));
    add("exited_holds_nothing",
        "an exited component holds no handle on another (no peer link, no part of a round)",
        forall({a, b}, implies(d.r(f.exited, {A}), lnot(d.r(f.holds, {A, B})))));
    add("freed_is_unreferenced",
        "a created component is freed exactly when its count is not positive (the world frees "
        "at 0 in the step that reaches it)",
        forall({a},
               iff(d.r(f.freed, {A}), land({d.r(f.exists, {A}), lnot(d.r(f.positive, {A}))}))));
    add("messages_are_backed",
        "a message in flight to another component is backed: its sender holds a handle on the "
        "receiver, or the message holds one, or the receiver has not exited",
        forall({a, b}, implies(d.r(f.in_flight, {A, B}), d.backed(Time::now, A, B))));
    add("no_lc3_so_far", "the observers have found no LC-3 violation (LC-3 itself, kept inductive)",
        forall({a}, lnot(d.r(f.lc3, {A}))));
    add("no_lc1_so_far", "the observers have found no LC-1 violation (LC-1 itself, kept inductive)",
        forall({a, b}, lnot(d.r(f.lc1, {A, B}))));
    d.e.properties.push_back(PropertyDecl{
        "LC-3",
        "reference counts never go negative, and a component is freed exactly when its count "
        "reaches 0: never before it exited, never while it holds a reference (the observers "
        "found no LC-3 violation); from local rules of the code that conformance checks on "
        "every step (docs/invariants.md)",
        forall({a}, lnot(d.r(f.lc3, {A}))),
        {"count_is_census", "census_definitions", "exited_has_no_peer_link",
         "freed_is_unreferenced", "no_lc3_so_far"}});
    d.e.properties.push_back(PropertyDecl{
        "LC-1",
        "no message is delivered to a freed component: none is in flight to one, and the "
        "observers found none sent to one, left in flight at its free, or a reference taken on "
        "one; from local rules of the code that conformance checks on every step (rule 4: "
        "messages stay backed; docs/invariants.md)",
        forall({a, b}, land({lnot(d.r(f.lc1, {A, B})),
                             implies(d.r(f.in_flight, {A, B}), lnot(d.r(f.freed, {B})))})),
        {"count_is_census", "census_definitions", "freed_is_unreferenced", "messages_are_backed",
         "no_lc1_so_far"}});
    d.e.properties.push_back(PropertyDecl{
        "DF-2",
        "free part: an exited component that is not freed is held by a message in flight or by "
        "a component that has not exited, which can still act and drop its handle (no two "
        "exited components keep each other alive); the Acks an exiting component awaits are "
        "DF-1's Ack waits; from local rules of the code that conformance checks on every step "
        "(rules 2 and 3 about every handle)",
        forall({a},
               implies(land({d.r(f.exists, {A}), d.r(f.exited, {A}), lnot(d.r(f.freed, {A}))}),
                       lor({d.r(f.carried, {A}),
                            exists({b}, land({d.r(f.holds, {B, A}), lnot(d.r(f.exited, {B}))}))}))),
        {"count_is_census", "census_definitions", "freed_is_unreferenced",
         "exited_holds_nothing"}});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    if (!state.get(f.exists, {c}, time)) return "not created";
    std::string line = state.get(f.freed, {c}, time)    ? "freed"
                       : state.get(f.exited, {c}, time) ? "exited"
                                                        : "running";
    line += state.get(f.positive, {c}, time) ? ", count > 0" : ", count <= 0";
    if (state.get(f.miscounted, {c}, time)) line += ", COUNT DIFFERS FROM THE HANDLES HELD";
    if (state.get(f.carried, {c}, time)) line += ", a message carries a handle on it";
    for (std::uint32_t other = 0; other < state.size(0); ++other) {
        if (state.get(f.peer, {c, other}, time)) {
            line += concat(", peer link to c", std::to_string(other));
        } else if (state.get(f.holds, {c, other}, time)) {
            line += concat(", holds a handle on c", std::to_string(other));
        }
    }
    for (std::uint32_t other = 0; other < state.size(0); ++other) {
        if (state.get(f.in_flight, {c, other}, time)) {
            line += concat(", a message to c", std::to_string(other), " in flight");
            if (state.get(f.receiver_ref, {c, other}, time)) line += " (with a handle on it)";
        }
        if (state.get(f.part, {c, other}, time)) {
            line += concat(", holds c", std::to_string(other), "'s part of a round");
        }
        if (state.get(f.lc1, {c, other}, time)) {
            line += concat(", LC-1 FOUND: a message to c", std::to_string(other), " met it freed");
        }
    }
    if (state.get(f.lc3, {c}, time)) line += ", LC-3 FOUND";
    return line;
}

}  // namespace

}  // namespace refcount

Encoding reference_count_encoding(const pcore::Variants& variants) {
    using namespace refcount;
    Encoding e;
    e.protocol = "reference counts";
    Builder builder = declare(e, variants);
    add_init(builder);
    add_step(builder);
    add_invariants(builder);
    const Symbols f = builder.f;
    wire_comps(e, f, abstract_world, describe);
    return e;
}

}  // namespace psmt
