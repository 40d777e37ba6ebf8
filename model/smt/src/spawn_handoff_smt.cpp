// The spawn hand-off, symbolically (core/src/port_transfer.cpp: run_spawn, start_block,
// transfer_ready, complete_transfer): a component created with ports whose peers live in third
// components waits, unscheduled, until every peer acknowledged the Block its creator sent, so
// that no message for those ports can still be on its way to the creator (reowolf-notes §1.3).
//
//   p runs spawn n:   n created, waiting for p; one Block (control id k) per third-party peer,
//                     each an entry block(p, k); the observers note the hand-off and its ids
//   Ack k reaches p:  block(p, k) and the hand-off's k go together
//   no block left:    p schedules n (complete_transfer): n runs
//
// Properties (contract §7): PT-2 (a created component is not scheduled before every
// Acknowledge of its port transfer arrived), judged by the observers at the Schedule. The
// encoding over-approximates every other step of p: blocks only go (except at a spawn), ids
// are only handed out. docs/invariants.md has the invariants in words.
#include <algorithm>

#include "concat.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace handoff {

namespace {

struct Symbols {
    SymbolId exists, waiting, spawning, block, issued, handoff, awaits, premature;
};

void abstract_world(const Symbols& f, const pmodel::World& world, Structure& out, Time time) {
    const std::uint32_t comps = out.size(0);
    const std::uint32_t ids = out.size(1);
    for (std::uint32_t a = 0; a < comps; ++a) {
        for (SymbolId unary : {f.exists, f.waiting, f.premature}) out.set(unary, {a}, 0, time);
        for (std::uint32_t b = 0; b < comps; ++b) {
            out.set(f.spawning, {a, b}, 0, time);
            out.set(f.handoff, {a, b}, 0, time);
        }
        for (std::uint32_t k = 0; k < ids; ++k) {
            for (SymbolId binary : {f.block, f.issued, f.awaits}) out.set(binary, {a, k}, 0, time);
        }
    }
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        const pcore::ComponentState& state = world.comps()[index].state;
        out.set(f.exists, {index}, 1, time);
        out.set(f.waiting, {index}, state.mode == pcore::Mode::waiting_for_creator ? 1 : 0, time);
        if (state.transfer.active && state.transfer.is_spawn) {
            out.set(f.spawning, {index, state.transfer.new_comp.value()}, 1, time);
        }
        for (const pcore::ControlEntry& entry : state.control) {
            if (entry.kind == pcore::ControlKind::block_peer)
                out.set(f.block, {index, entry.id}, 1, time);
        }
        // Ids are handed out from 1 (ComponentState::next_control_id starts there).
        for (std::uint32_t k = 1; k < std::min(state.next_control_id, ids); ++k) {
            out.set(f.issued, {index, k}, 1, time);
        }
    }
    for (const pmodel::Handoff& handoff : world.ghost().handoffs) {
        out.set(f.handoff, {handoff.creator.value(), handoff.created.value()}, 1, time);
        for (std::uint32_t id : handoff.awaiting)
            out.set(f.awaits, {handoff.created.value(), id}, 1, time);
    }
    for (const pmodel::Violation& violation : world.violations()) {
        if (violation.property == "PT-2" && violation.comps.size() == 2) {
            out.set(f.premature, {violation.comps[1].value()}, 1, time);
        }
    }
}

// The encoding under construction, with the variables its formulas share.
struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    SortId comp, ctl, choice;
    Var a, b, k, p, n;
    Expr A, B, K, P, N;

    // Ids are only handed out; the entries of others and their ids stay as they were.
    Expr ids() const {
        return forall({a, k}, land({implies(r(f.issued, {A, K}), r.next(f.issued, {A, K})),
                                    implies(neq(A, P), r.unchanged(f.issued, {A, K})),
                                    implies(neq(A, P), r.unchanged(f.block, {A, K}))}));
    }
    Expr others_exist() const {
        return forall({a}, implies(neq(A, N), r.unchanged(f.exists, {A})));
    }
};

Builder declare(Encoding& e) {
    Vocabulary& v = e.vocabulary;
    const SortId comp = v.uninterpreted("comp");
    const SortId ctl = v.uninterpreted("ctl");
    const SortId choice = v.enumerated("choice", {"no", "yes"});
    e.comp = comp;
    const Symbols f{
        v.relation("exists", {comp}, "the component has been created"),
        v.relation("waiting", {comp}, "mode waiting_for_creator: not scheduled yet"),
        v.relation("spawning", {comp, comp}, "a spawn hand-off of the second is in progress"),
        v.relation("block", {comp, ctl}, "a control entry: a Block awaiting its Acknowledge"),
        v.relation("issued", {comp, ctl}, "the component has handed out this control id"),
        v.relation("handoff", {comp, comp}, "ghost: the observers follow this spawn's hand-off"),
        v.relation("awaits", {comp, ctl},
                   "ghost: the hand-off of the created component awaits this Ack"),
        v.relation("premature", {comp}, "ghost: scheduled with Acks outstanding (PT-2 violated)")};
    const Var a = e.vars.fresh(comp, "a");
    const Var b = e.vars.fresh(comp, "b");
    const Var k = e.vars.fresh(ctl, "k");
    const Var p = e.vars.fresh(comp, "p");
    const Var n = e.vars.fresh(comp, "n");
    return Builder{e,      Reader{e.vocabulary},
                   f,      comp,
                   ctl,    choice,
                   a,      b,
                   k,      p,
                   n,      ref(a),
                   ref(b), ref(k),
                   ref(p), ref(n)};
}

// One component, the host, exists; nothing else has happened.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    const Var host = d.e.vars.fresh(d.comp, "host");
    const Expr &A = d.A, &B = d.B, &K = d.K;
    d.e.init = exists(
        {host}, forall({d.a, d.b, d.k},
                       land({iff(d.r(f.exists, {A}), eq(A, ref(host))), lnot(d.r(f.waiting, {A})),
                             lnot(d.r(f.spawning, {A, B})), lnot(d.r(f.block, {A, K})),
                             lnot(d.r(f.issued, {A, K})), lnot(d.r(f.handoff, {A, B})),
                             lnot(d.r(f.awaits, {A, K})), lnot(d.r(f.premature, {A}))})));
}

// spawn: n is new; each new Block entry of p is awaited by n's hand-off; none: scheduled now.
void add_spawn(Builder& d) {
    const Symbols& f = d.f;
    const Var &a = d.a, &b = d.b, &k = d.k;
    const Expr &A = d.A, &B = d.B, &K = d.K, &P = d.P, &N = d.N;
    const Expr fresh_k = land({d.r.next(f.block, {P, K}), lnot(d.r(f.block, {P, K}))});
    const Expr some_block = exists({k}, fresh_k);
    const Expr spawn = land(
        {d.r(f.exists, {P}), lnot(d.r(f.exists, {N})), forall({b}, lnot(d.r(f.spawning, {P, B}))),
         d.r.next(f.exists, {N}), d.others_exist(), d.ids(),
         forall({k}, land({implies(d.r(f.block, {P, K}), d.r.next(f.block, {P, K})),
                           implies(fresh_k,
                                   land({lnot(d.r(f.issued, {P, K})), d.r.next(f.issued, {P, K})})),
                           iff(d.r.next(f.awaits, {N, K}), fresh_k)})),
         iff(d.r.next(f.waiting, {N}), some_block), iff(d.r.next(f.spawning, {P, N}), some_block),
         iff(d.r.next(f.handoff, {P, N}), some_block),
         forall({a}, implies(neq(A, N), d.r.unchanged(f.waiting, {A}))),
         forall({a, b},
                implies(lor({neq(A, P), neq(B, N)}), land({d.r.unchanged(f.spawning, {A, B}),
                                                           d.r.unchanged(f.handoff, {A, B})}))),
         forall({a, k}, implies(neq(A, N), d.r.unchanged(f.awaits, {A, K}))),
         forall({a}, d.r.unchanged(f.premature, {A}))});
    d.e.actions.push_back(ActionDecl{"spawn", "run_spawn and start_block", {d.p, d.n}, spawn});
}

// Any other step of p: its Block entries only go (a put-ports hand-off adds its own, with
// fresh ids, when p is not spawning); the hand-offs p leads lose the ids whose entries went;
// with schedules = yes and no entry left, p schedules n and the observers judge PT-2.
void add_step(Builder& d) {
    const Symbols& f = d.f;
    const Var &a = d.a, &b = d.b, &k = d.k;
    const Expr &A = d.A, &B = d.B, &K = d.K, &P = d.P, &N = d.N;
    const Var schedule = d.e.vars.fresh(d.choice, "schedules");
    const Expr scheduled = land({eq(ref(schedule), value(d.choice, 1)), d.r(f.spawning, {P, N})});
    const Expr this_one = land({scheduled, eq(A, P), eq(B, N)});
    const Expr step = land(
        {d.r(f.exists, {P}), d.others_exist(), d.r.unchanged(f.exists, {N}), d.ids(),
         forall({k}, implies(land({d.r.next(f.block, {P, K}), lnot(d.r(f.block, {P, K}))}),
                             land({lnot(d.r(f.issued, {P, K})), d.r.next(f.issued, {P, K}),
                                   forall({b}, lnot(d.r(f.spawning, {P, B})))}))),
         implies(scheduled, forall({k}, lnot(d.r.next(f.block, {P, K})))),
         // Who waits: only the scheduled component changes.
         forall({a}, iff(d.r.next(f.waiting, {A}),
                         land({d.r(f.waiting, {A}), lnot(land({scheduled, eq(A, N)}))}))),
         forall({a, b},
                iff(d.r.next(f.spawning, {A, B}), land({d.r(f.spawning, {A, B}), lnot(this_one)}))),
         forall({a, b},
                iff(d.r.next(f.handoff, {A, B}), land({d.r(f.handoff, {A, B}), lnot(this_one)}))),
         // The observers: an Ack to p removes its id from p's hand-offs, as it removes p's
         // entry; a scheduled component's hand-off is judged and dropped.
         forall({a, k}, iff(d.r.next(f.awaits, {A, K}),
                            land({d.r(f.awaits, {A, K}), lnot(land({scheduled, eq(A, N)})),
                                  implies(d.r(f.handoff, {P, A}), d.r.next(f.block, {P, K}))}))),
         forall({a}, iff(d.r.next(f.premature, {A}),
                         lor({d.r(f.premature, {A}),
                              land({scheduled, eq(A, N),
                                    exists({k}, land({d.r(f.awaits, {N, K}),
                                                      d.r.next(f.block, {P, K})}))})})))});
    d.e.actions.push_back(
        ActionDecl{"step",
                   "any other step of p: on_acknowledge, complete_transfer (Schedule), put ports",
                   {d.p, d.n, schedule},
                   step});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Var &a = d.a, &b = d.b, &k = d.k, &n = d.n;
    const Expr &A = d.A, &B = d.B, &K = d.K, &N = d.N;
    auto add = [&](std::string name, std::string words, Expr formula) {
        d.e.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    };
    add("awaited_acks_are_blocks",
        "an Ack a hand-off awaits is a Block entry of the creator that leads the hand-off",
        forall({a, b, k}, implies(land({d.r(f.handoff, {A, B}), d.r(f.awaits, {B, K})}),
                                  d.r(f.block, {A, K}))));
    add("awaits_within_handoff", "only a component with a hand-off in progress awaits Acks",
        forall({b, k}, implies(d.r(f.awaits, {B, K}), exists({a}, d.r(f.handoff, {A, B})))));
    add("one_creator", "a hand-off has one creator, and a spawn in progress is one",
        forall({a, b, n},
               land({implies(land({d.r(f.handoff, {A, B}), d.r(f.handoff, {N, B})}), eq(A, N)),
                     implies(d.r(f.spawning, {A, B}), d.r(f.handoff, {A, B}))})));
    add("only_created", "everything the encoding says of a component, it says of a created one",
        forall({a, b, k}, land({implies(lor({d.r(f.waiting, {A}), d.r(f.premature, {A}),
                                             d.r(f.block, {A, K}), d.r(f.awaits, {A, K}),
                                             d.r(f.spawning, {A, B}), d.r(f.handoff, {A, B})}),
                                        d.r(f.exists, {A})),
                                implies(lor({d.r(f.spawning, {A, B}), d.r(f.handoff, {A, B})}),
                                        d.r(f.exists, {B}))})));
    add("no_premature_schedule", "no Schedule so far was premature (PT-2 itself, kept inductive)",
        forall({a}, lnot(d.r(f.premature, {A}))));
    d.e.properties.push_back(PropertyDecl{
        "PT-2",
        "a created component is not scheduled before every Acknowledge of its port transfer "
        "arrived (no Schedule the observers judged premature)",
        forall({a}, lnot(d.r(f.premature, {A}))),
        {"awaited_acks_are_blocks", "awaits_within_handoff", "one_creator", "only_created",
         "no_premature_schedule"}});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line = !state.get(f.exists, {c}, time)   ? "not created"
                       : state.get(f.waiting, {c}, time) ? "waiting_for_creator"
                                                         : "scheduled";
    for (std::uint32_t other = 0; other < state.size(0); ++other) {
        if (state.get(f.spawning, {c, other}, time)) {
            line += concat(", spawning c", std::to_string(other));
        }
        if (state.get(f.handoff, {c, other}, time)) {
            line += concat(", hand-off of c", std::to_string(other));
        }
    }
    for (std::uint32_t id = 0; id < state.size(1); ++id) {
        if (state.get(f.block, {c, id}, time)) {
            line += concat(", Block ", std::to_string(id), " unacknowledged");
        }
        if (state.get(f.awaits, {c, id}, time)) {
            line += concat(", its hand-off awaits Ack ", std::to_string(id));
        }
    }
    if (state.get(f.premature, {c}, time)) line += ", SCHEDULED EARLY";
    return line;
}

}  // namespace

}  // namespace handoff

Encoding spawn_handoff_encoding(const pcore::Variants& /*variants*/) {
    using namespace handoff;
    Encoding e;
    e.protocol = "spawn hand-off";
    Builder builder = declare(e);
    add_init(builder);
    add_spawn(builder);
    add_step(builder);
    add_invariants(builder);
    const Symbols f = builder.f;
    const SortId ctl = builder.ctl;
    e.abstraction = [f](const pmodel::World& world, ElementNames& /*names*/, Structure& out,
                        Time time) { abstract_world(f, world, out, time); };
    e.size_sorts = [ctl](const pmodel::World& world, std::vector<std::uint32_t>& sizes) {
        for (const pmodel::CompSlot& slot : world.comps()) {
            sizes[ctl] = std::max(sizes[ctl], slot.state.next_control_id);
        }
    };
    e.describe = [f](const Structure& state, std::uint32_t c, Time time) {
        return describe(f, state, c, time);
    };
    return e;
}

}  // namespace psmt
