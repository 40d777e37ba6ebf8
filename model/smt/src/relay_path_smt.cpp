// Relay paths, symbolically (tractor's relay_uid; core: relayed_error, note_relay, and every
// handler that hands an error on): an error that reached a component names the components it
// travelled through, and each of them really got it, with the path so far, from the hop before.
//
//   origin o fails with e = (o, t, [])
//   h1 gets e from o, hands on e1 = (o, t, [h1])        extends(e1, e, h1)
//   h2 gets e1 from h1, hands on e2 = (o, t, [h1, h2])  extends(e2, e1, h2)
//   c gets e2 from h2 and ends by it                     relayed(c, e2)
//
// Error values are elements of their own sort, named by origin, type, layer and path
// (ElementNames), every prefix of a path included; `extends`, `author` (the last hop, or the
// origin) and `prefix` are what the values are, the same in every state.
//
// Properties (contract §7): NM-1's relay path (its relay path is a path the error really
// travelled), as the observers check it: every hop got the error from the hop before, and the
// component got it from the last. The origin part is error provenance's. Errors that come from
// the OS (a signal) have no component as origin and are not encoded. docs/invariants.md has the
// invariants in words.
#include <algorithm>
#include <optional>
#include <set>

#include "concat.hpp"
#include "error_walk.hpp"
#include "pcore/component.hpp"
#include "pmodel/observed.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace relay {

namespace {

struct Symbols {
    SymbolId held, arrived, relayed, extends, author, prefix, root;
};

// An error value's name: origin, type, layer, then the path.
std::vector<std::uint32_t> key_of(const pcore::ErrorInfo& error, std::size_t hops) {
    std::vector<std::uint32_t> key{error.origin.value(), error.type.value(),
                                   static_cast<std::uint32_t>(error.layer)};
    for (std::size_t hop = 0; hop < hops; ++hop) key.push_back(error.relay[hop].value());
    return key;
}

// Names the value and all its prefixes, and writes what they are (extends, author, prefix).
// None when the origin is the OS, or a hop is not a component of the structure.
std::optional<std::uint32_t> name_value(const Symbols& f,
                                        ElementNames& names,
                                        SortId err,
                                        const pcore::ErrorInfo& error,
                                        Structure& out,
                                        Time time) {
    const std::uint32_t comps = out.size(0);
    if (!error.origin.valid() || error.origin.value() >= comps) return std::nullopt;
    for (pcore::CompId hop : error.relay) {
        if (!hop.valid() || hop.value() >= comps) return std::nullopt;
    }
    std::vector<std::uint32_t> chain;  // the prefixes, shortest first
    for (std::size_t hops = 0; hops <= error.relay.size(); ++hops) {
        const std::uint32_t value = names.of(err, key_of(error, hops));
        if (value >= out.size(err)) return std::nullopt;
        chain.push_back(value);
    }
    // What a value is does not change: written into both states, so that a value first named
    // in the state after a step is the same value in the state before (structures are fresh
    // per step).
    for (Time at : {Time::now, Time::next}) {
        for (std::size_t hops = 0; hops < chain.size(); ++hops) {
            const std::uint32_t value = chain[hops];
            out.set(f.root, {value}, hops == 0 ? 1 : 0, at);
            const pcore::CompId last = hops == 0 ? error.origin : error.relay[hops - 1];
            out.set(f.author, {value, last.value()}, 1, at);
            if (hops > 0) out.set(f.extends, {value, chain[hops - 1], last.value()}, 1, at);
            for (std::size_t shorter = 0; shorter <= hops; ++shorter) {
                out.set(f.prefix, {chain[shorter], value}, 1, at);
            }
        }
    }
    (void)time;
    return chain.back();
}

// How many distinct values a world names (every prefix of every path): its share of the error
// sort (the two states of a step add theirs).
std::uint32_t value_count(const pmodel::World& world) {
    std::set<std::vector<std::uint32_t>> values;
    auto add = [&](const pcore::ErrorInfo& error) {
        for (std::size_t hops = 0; hops <= error.relay.size(); ++hops) {
            values.insert(key_of(error, hops));
        }
    };
    ErrorWalk walk(add);
    walk.world(world);
    for (const pmodel::ErrorArrival& arrival : world.ghost().arrivals) add(arrival.error);
    return static_cast<std::uint32_t>(values.size());
}

void abstract_world(const Symbols& f,
                    SortId err,
                    const pmodel::World& world,
                    ElementNames& names,
                    Structure& out,
                    Time time) {
    // The structure is fresh: only what holds is written (what a value is goes to both states).
    auto held = [&](const pcore::ErrorInfo& error) {
        if (const auto value = name_value(f, names, err, error, out, time)) {
            out.set(f.held, {*value}, 1, time);
        }
    };
    ErrorWalk walk(held);
    walk.world(world);
    for (const pmodel::ErrorArrival& arrival : world.ghost().arrivals) {
        const auto value = name_value(f, names, err, arrival.error, out, time);
        if (value && arrival.author.valid() && arrival.author.value() < out.size(0)) {
            out.set(f.arrived, {arrival.comp.value(), arrival.author.value(), *value}, 1, time);
        }
    }
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        const pcore::Outcome& outcome = world.comps()[index].state.outcome;
        if (outcome.kind == pcore::OutcomeKind::running) continue;
        const pmodel::ObservedCause ended_as =
            pmodel::observed_class(outcome, pcore::CompId(index));
        const bool checked =
            ended_as == pmodel::ObservedCause::remote ||
            ended_as == pmodel::ObservedCause::foreign_cancel ||
            (ended_as == pmodel::ObservedCause::own_cancel && !outcome.error.relay.empty());
        if (!checked) continue;
        if (const auto value = name_value(f, names, err, outcome.error, out, time)) {
            out.set(f.relayed, {index, *value}, 1, time);
        }
    }
}

// The encoding under construction, with the variables its formulas share.
struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    SortId comp, err;
    Var c, a, v, x, e0, e1, e2;
    Expr C, A, V, X, E0, E1, E2;
    Var kc, ka;  // bound only in `somewhere` (no capture of the others)
    Expr KC, KA;
    Var t1, t0, tv, ta;  // bound only in `travelled`

    // The value has arrived at some component from some author.
    [[nodiscard]] Expr somewhere(Time time, const Expr& value) const {
        return exists({kc, ka}, at(time, f.arrived, {KC, KA, value}));
    }

    [[nodiscard]] Expr at(Time time, SymbolId symbol, std::vector<Expr> args) const {
        return time == Time::now ? r(symbol, std::move(args)) : r.next(symbol, std::move(args));
    }
    // Every hop of the path of E travelled: for each prefix E1 = E0 + [V] of it, V got E0 from
    // E0's author.
    [[nodiscard]] Expr travelled(Time time, const Expr& value) const {
        const Expr T1 = ref(t1), T0 = ref(t0), TV = ref(tv), TA = ref(ta);
        return forall({t1, t0, tv, ta},
                      implies(land({r(f.prefix, {T1, value}), r(f.extends, {T1, T0, TV}),
                                    r(f.author, {T0, TA})}),
                              at(time, f.arrived, {TV, TA, T0})));
    }
    // A value is known once it is held, or has arrived somewhere.
    [[nodiscard]] Expr known(Time time, const Expr& value) const {
        return lor({at(time, f.held, {value}), somewhere(time, value)});
    }
};

Builder declare(Encoding& e) {
    Vocabulary& voc = e.vocabulary;
    const SortId comp = voc.uninterpreted("comp");
    const SortId err = voc.uninterpreted("error");
    e.comp = comp;
    const Symbols f{
        voc.relation("held", {err}, "this error value is held somewhere in the world"),
        voc.relation("arrived", {comp, comp, err},
                     "ghost: the first got this error value from the second (its author)"),
        voc.relation("relayed", {comp, err},
                     "the component ended by this error (remote, or a cancel with a path): the "
                     "observers check its relay path"),
        voc.relation("extends", {err, err, comp},
                     "the first value is the second with this component appended to its path"),
        voc.relation("author", {err, comp}, "the value's last hop, or its origin"),
        voc.relation("prefix", {err, err}, "the first value's path is a prefix of the second's"),
        voc.relation("root", {err}, "the value's path is empty")};
    VarPool& vars = e.vars;
    const Var c = vars.fresh(comp, "c"), a = vars.fresh(comp, "a"), v = vars.fresh(comp, "v");
    const Var x = vars.fresh(comp, "x");
    const Var e0 = vars.fresh(err, "e0"), e1 = vars.fresh(err, "e1"), e2 = vars.fresh(err, "e2");
    const Var kc = vars.fresh(comp, "kc"), ka = vars.fresh(comp, "ka");
    const Var t1 = vars.fresh(err, "t1"), t0 = vars.fresh(err, "t0");
    const Var tv = vars.fresh(comp, "tv"), ta = vars.fresh(comp, "ta");
    return Builder{e,       Reader{e.vocabulary},
                   f,       comp,
                   err,     c,
                   a,       v,
                   x,       e0,
                   e1,      e2,
                   ref(c),  ref(a),
                   ref(v),  ref(x),
                   ref(e0), ref(e1),
                   ref(e2), kc,
                   ka,      ref(kc),
                   ref(ka), t1,
                   t0,      tv,
                   ta};
}

// No error exists yet.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    d.e.init = land({forall({d.c, d.a, d.e0},
                            land({lnot(d.r(f.held, {d.E0})), lnot(d.r(f.arrived, {d.C, d.A, d.E0})),
                                  lnot(d.r(f.relayed, {d.C, d.E0}))}))});
}

// Any step of x. Its local rules: an error arrives only if it was held (in the message that
// brought it); a value held anew invents no path: its last hop got the shorter value from that
// value's author, and every shorter value has arrived somewhere; a component ends by a relayed
// error only as it arrives from its author.
void add_step(Builder& d) {
    const Symbols& f = d.f;
    const Expr &C = d.C, &A = d.A, &V = d.V, &E0 = d.E0, &E1 = d.E1, &E2 = d.E2;
    const auto unchanged_values =
        forall({d.e0, d.e1, d.v},
               land({d.r.unchanged(f.extends, {E0, E1, V}), d.r.unchanged(f.author, {E0, V}),
                     d.r.unchanged(f.prefix, {E0, E1}), d.r.unchanged(f.root, {E0})}));
    const Expr new_held = land({d.r.next(f.held, {E2}), lnot(d.r(f.held, {E2}))});
    const Expr step = land(
        {unchanged_values,
         forall({d.c, d.a, d.e0},
                land({implies(d.r(f.arrived, {C, A, E0}), d.r.next(f.arrived, {C, A, E0})),
                      implies(
                          land({d.r.next(f.arrived, {C, A, E0}), lnot(d.r(f.arrived, {C, A, E0}))}),
                          d.r(f.held, {E0})),
                      implies(d.r.next(f.relayed, {C, E0}), d.r.next(f.held, {E0})),
                      implies(land({d.r.next(f.relayed, {C, E0}), lnot(d.r(f.relayed, {C, E0})),
                                    d.r(f.author, {E0, A})}),
                              d.r.next(f.arrived, {C, A, E0}))})),
         forall({d.e2, d.e1, d.v, d.a},
                land({implies(land({new_held, d.r(f.extends, {E2, E1, V}), d.r(f.author, {E1, A})}),
                              d.r.next(f.arrived, {V, A, E1})),
                      implies(land({new_held, d.r(f.prefix, {E1, E2}), neq(E1, E2)}),
                              d.somewhere(Time::next, E1))}))});
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step of x: a handler that hands an error on (relayed_error, note_relay), a new "
        "failure, an end by an error that arrived",
        {d.x},
        step});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Expr &C = d.C, &A = d.A, &E0 = d.E0, &E2 = d.E2;
    auto add = [&](std::string name, std::string words, Expr formula) {
        d.e.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    };
    add("known_hops_travelled",
        "the last hop of every known value (held, or arrived somewhere) got the shorter value "
        "from its author",
        forall({d.e2, d.e1, d.v, d.a},
               implies(land({d.known(Time::now, E2), d.r(f.extends, {E2, d.E1, d.V}),
                             d.r(f.author, {d.E1, A})}),
                       d.r(f.arrived, {d.V, A, d.E1}))));
    add("shorter_values_arrived", "every shorter value of a known value has arrived somewhere",
        forall({d.e2, d.e1},
               implies(land({d.known(Time::now, E2), d.r(f.prefix, {d.E1, E2}), neq(d.E1, E2)}),
                       d.somewhere(Time::now, d.E1))));
    add("ends_arrived",
        "a component that ended by a relayed error got it from its author, and it is held",
        forall({d.c, d.a, d.e0},
               land({implies(d.r(f.relayed, {C, E0}), d.r(f.held, {E0})),
                     implies(land({d.r(f.relayed, {C, E0}), d.r(f.author, {E0, A})}),
                             d.r(f.arrived, {C, A, E0}))})));
    d.e.properties.push_back(PropertyDecl{
        "NM-1",
        "relay path: a component that ended by an error that travelled names a path it really "
        "travelled (each hop got it from the hop before, the component from the last); from "
        "local rules of the code that conformance checks on every step",
        forall({d.c, d.a, d.e0},
               implies(d.r(f.relayed, {C, E0}),
                       land({d.travelled(Time::now, E0),
                             implies(d.r(f.author, {E0, A}), d.r(f.arrived, {C, A, E0}))}))),
        {"known_hops_travelled", "shorter_values_arrived", "ends_arrived"}});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line;
    for (std::uint32_t value = 0; value < state.size(1); ++value) {
        if (state.get(f.relayed, {c, value}, time)) {
            line += concat("; ended by error value e", std::to_string(value));
        }
        for (std::uint32_t author = 0; author < state.size(0); ++author) {
            if (state.get(f.arrived, {c, author, value}, time)) {
                line += concat("; got e", std::to_string(value), " from c", std::to_string(author));
            }
        }
    }
    return line.empty() ? std::string("no relayed error") : line.substr(2);
}

}  // namespace

}  // namespace relay

Encoding relay_path_encoding(const pcore::Variants& /*variants*/) {
    using namespace relay;
    Encoding e;
    e.protocol = "relay paths";
    Builder builder = declare(e);
    add_init(builder);
    add_step(builder);
    add_invariants(builder);
    const Symbols f = builder.f;
    const SortId err = builder.err;
    wire_one_sort(e, f, err, abstract_world, value_count, describe);
    return e;
}

}  // namespace psmt
