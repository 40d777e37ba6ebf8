// Error provenance, symbolically: no error is ever invented. Every error (a failure, not a
// cancel) that the world holds anywhere — an outcome, a queued end, a port's close record, a
// leader's last failure, a solution part, a ClosePort, DataMessageFailed, Decision or
// Submission in flight, a port travelling in data — names as its origin a component that did
// fail with that error type on its own (the observers' roots), for any number of components
// and error types.
//
//   a step of c:  roots grow by at most c's own failure (type t);
//                 the errors held anywhere are errors held before, or c's new root;
//                 only c's outcome may change, to an error held before or its new root
//
// Properties (contract §7): NM-1's attribution of the origin (a failure names a root cause that
// happened). NM-1's relay-path half is relay_path_smt.cpp's.
// docs/invariants.md has the invariants in words.
#include <algorithm>

#include "concat.hpp"
#include "error_walk.hpp"
#include "pcore/component.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace provenance {

namespace {

struct Symbols {
    SymbolId root, carried, failed_with;
};

void abstract_world(const Symbols& f, const pmodel::World& world, Structure& out, Time time) {
    const std::uint32_t comps = out.size(0);
    const std::uint32_t types = out.size(1);
    for (std::uint32_t a = 0; a < comps; ++a) {
        for (std::uint32_t t = 0; t < types; ++t) {
            out.set(f.root, {a, t}, 0, time);
            out.set(f.carried, {a, t}, 0, time);
            for (std::uint32_t b = 0; b < comps; ++b) out.set(f.failed_with, {a, b, t}, 0, time);
        }
    }
    for (const pmodel::RootError& root : world.ghost().roots) {
        out.set(f.root, {root.origin.value(), root.type.value()}, 1, time);
    }
    // Every error held anywhere, by (origin, type): what `carried` abstracts. Cancels are not
    // errors here.
    ErrorWalk held([&](const pcore::ErrorInfo& error) {
        if (error.type == pcore::builtin_error::cancelled || !error.origin.valid()) return;
        out.set(f.carried, {error.origin.value(), error.type.value()}, 1, time);
    });
    held.world(world);
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        const pcore::ComponentState& state = world.comps()[index].state;
        const pcore::ErrorInfo& error = state.outcome.error;
        if (state.outcome.kind == pcore::OutcomeKind::failed && error.origin.valid()) {
            out.set(f.failed_with, {index, error.origin.value(), error.type.value()}, 1, time);
        }
    }
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t element, Time time) {
    std::string line;
    const std::uint32_t types = state.size(1);
    for (std::uint32_t k = 0; k < types; ++k) {
        const std::string type_name = concat("e", std::to_string(k));
        if (state.get(f.root, {element, k}, time))
            line += concat(" failed itself with ", type_name, ";");
        if (state.get(f.carried, {element, k}, time)) {
            line += concat(" an error ", type_name, " naming it as origin is held;");
        }
        for (std::uint32_t o = 0; o < state.size(0); ++o) {
            if (state.get(f.failed_with, {element, o, k}, time)) {
                line +=
                    concat(" ended failed citing ", type_name, " from c", std::to_string(o), ";");
            }
        }
    }
    return line.empty() ? std::string("no error") : line.substr(1);
}

}  // namespace

}  // namespace provenance

Encoding error_provenance_encoding(const pcore::Variants& /*variants*/) {
    using namespace provenance;
    Encoding e;
    e.protocol = "error provenance";
    Vocabulary& v = e.vocabulary;
    const SortId comp = v.uninterpreted("comp");
    const SortId type = v.uninterpreted("etype");
    const SortId choice = v.enumerated("choice", {"no", "yes"});
    e.comp = comp;
    const Symbols f{
        v.relation("root", {comp, type}, "ghost: this component failed with this type on its own"),
        v.relation("carried", {comp, type},
                   "an error of this origin and type is held somewhere in the world"),
        v.relation("failed_with", {comp, comp, type},
                   "the component's outcome is failed with this origin and type")};
    const Reader rel{v};
    const Var a = e.vars.fresh(comp, "a");
    const Var b = e.vars.fresh(comp, "b");
    const Var t = e.vars.fresh(type, "t");
    e.init = forall({a, b, t}, land({lnot(rel(f.root, {ref(a), ref(t)})),
                                     lnot(rel(f.carried, {ref(a), ref(t)})),
                                     lnot(rel(f.failed_with, {ref(a), ref(b), ref(t)}))}));

    // One step of component c, which may fail on its own with type `own` (fails = yes).
    const Var c = e.vars.fresh(comp, "c");
    const Var own = e.vars.fresh(type, "type");
    const Var fails = e.vars.fresh(choice, "fails");
    const auto new_root = [&](const Expr& origin, const Expr& kind) {
        return land({eq(ref(fails), value(choice, 1)), eq(origin, ref(c)), eq(kind, ref(own))});
    };
    const Expr roots =
        forall({a, t}, iff(rel.next(f.root, {ref(a), ref(t)}),
                           lor({rel(f.root, {ref(a), ref(t)}), new_root(ref(a), ref(t))})));
    const Expr held =
        forall({a, t}, implies(rel.next(f.carried, {ref(a), ref(t)}),
                               lor({rel(f.carried, {ref(a), ref(t)}), new_root(ref(a), ref(t))})));
    const Expr outcomes = forall(
        {a, b, t},
        land({implies(neq(ref(a), ref(c)), iff(rel.next(f.failed_with, {ref(a), ref(b), ref(t)}),
                                               rel(f.failed_with, {ref(a), ref(b), ref(t)}))),
              implies(rel.next(f.failed_with, {ref(a), ref(b), ref(t)}),
                      lor({rel(f.failed_with, {ref(a), ref(b), ref(t)}),
                           rel(f.carried, {ref(b), ref(t)}), new_root(ref(b), ref(t))}))}));
    // What `carried` means: an outcome is one of the places errors are held.
    const Expr outcomes_held =
        forall({a, b, t}, implies(rel.next(f.failed_with, {ref(a), ref(b), ref(t)}),
                                  rel.next(f.carried, {ref(b), ref(t)})));
    e.actions.push_back(
        ActionDecl{"step",
                   "any step of c: a handler, a statement, a fault (fail_local records the root)",
                   {c, own, fails},
                   land({roots, held, outcomes, outcomes_held})});

    e.invariants.push_back(InvariantDecl{
        "held_errors_have_roots",
        "every error held anywhere names an origin that failed with that type on its own",
        forall({a, t}, implies(rel(f.carried, {ref(a), ref(t)}), rel(f.root, {ref(a), ref(t)})))});
    e.invariants.push_back(
        InvariantDecl{"outcomes_are_held", "a failed outcome's error is one of the errors held",
                      forall({a, b, t}, implies(rel(f.failed_with, {ref(a), ref(b), ref(t)}),
                                                rel(f.carried, {ref(b), ref(t)})))});
    e.properties.push_back(PropertyDecl{
        "NM-1",
        "attribution of the origin: a failed component names a root cause that happened (its "
        "origin did fail with that type); the relay path is the relay-paths encoding's",
        forall({a, b, t}, implies(rel(f.failed_with, {ref(a), ref(b), ref(t)}),
                                  rel(f.root, {ref(b), ref(t)}))),
        {"held_errors_have_roots", "outcomes_are_held"}});

    e.abstraction = [f](const pmodel::World& world, ElementNames& /*names*/, Structure& out,
                        Time time) { abstract_world(f, world, out, time); };
    e.size_sorts = [type](const pmodel::World& world, std::vector<std::uint32_t>& sizes) {
        const auto types =
            static_cast<std::uint32_t>(world.scenario().compiled->error_types.size());
        sizes[type] = std::max(sizes[type], types);
    };
    e.describe = [f](const Structure& state, std::uint32_t element, Time time) {
        return describe(f, state, element, time);
    };
    return e;
}

}  // namespace psmt
