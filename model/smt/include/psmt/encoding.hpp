// One protocol of the runtime, stated symbolically: its vocabulary (the state the protocol and
// its observers keep, per component), its initial states, one action per handler of the core,
// the contract §7 properties it upholds as safety formulas, and the auxiliary invariants that
// make them inductive (docs/invariants.md has each in words).
//
// The abstraction maps a concrete world (pmodel::World) into the vocabulary; conformance
// (conformance.hpp) checks that every step the checker takes is one of the actions and that
// every reached state satisfies the invariants, so a proof about the encoding is a proof about
// the code.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pcore/variants.hpp"
#include "psmt/logic.hpp"

namespace pmodel {
class World;
}

namespace psmt {

struct ActionDecl {
    std::string name;
    std::string handler;      // the code of the core it stands for
    std::vector<Var> params;  // free in `transition` (existential)
    Expr transition;          // over the current and the next state
};

struct InvariantDecl {
    std::string name;
    std::string words;
    Expr formula;
};

struct PropertyDecl {
    std::string id;     // contract §7
    std::string words;  // what the safety formula says, and what part of the property it is
    Expr safety;
    std::vector<std::string> invariants;  // the inductive invariant: these, conjoined
};

// Numbers the elements of open sorts other than the components (puts, say) by a key of the
// caller's, first come first numbered, so that one element stands for the same thing in the two
// states of a step.
class ElementNames {
  public:
    std::uint32_t of(SortId sort, std::vector<std::uint32_t> key);
    // Every element of `sort` named so far, with its key: in the second state of a step, also
    // those the first state named and this one no longer mentions.
    [[nodiscard]] std::vector<std::pair<std::vector<std::uint32_t>, std::uint32_t>> named(
        SortId sort) const;

  private:
    std::map<std::pair<SortId, std::vector<std::uint32_t>>, std::uint32_t> names_;
    std::map<SortId, std::uint32_t> next_;
};

struct Encoding {
    std::string protocol;
    Vocabulary vocabulary;
    SortId comp = 0;  // the components (uninterpreted)
    VarPool vars;
    Expr init;
    std::vector<ActionDecl> actions;
    std::vector<InvariantDecl> invariants;
    std::vector<PropertyDecl> properties;
    // Fills state `time` of `out` from `world`; `out` has at least as many components as the
    // world (the others take their initial values: they are not created yet). `names` is shared
    // by the two states of a step.
    std::function<void(const pmodel::World& world, ElementNames& names, Structure& out, Time time)>
        abstraction;
    // Raises `sizes` (one per sort) to what `world` needs beyond its components (error types,
    // control ids); called for both states of a step, so a sort numbered by ElementNames adds
    // its count. Empty when the components are the only open sort.
    std::function<void(const pmodel::World& world, std::vector<std::uint32_t>& sizes)> size_sorts;
    // One component in a structure, in the words `replay --verbose` uses.
    std::function<std::string(const Structure& state, std::uint32_t comp, Time time)> describe;

    [[nodiscard]] const InvariantDecl& invariant(const std::string& name) const;
};

// Fills an encoding's abstraction, size_sorts and describe from its own functions, for an
// encoding with one open sort besides the components (`sort`: puts, rounds, channels, error
// values) and a symbol table `f`:
//   abstract(f, sort, world, names, out, time), count(world) (elements `world` needs), and
//   describe(f, state, comp, time).
template <class Symbols, class Abstract, class Count, class Describe>
void wire_one_sort(
    Encoding& e, const Symbols& f, SortId sort, Abstract abstract, Count count, Describe describe) {
    e.abstraction = [f, sort, abstract](const pmodel::World& world, ElementNames& names,
                                        Structure& out,
                                        Time time) { abstract(f, sort, world, names, out, time); };
    e.size_sorts = [sort, count](const pmodel::World& world, std::vector<std::uint32_t>& sizes) {
        sizes[sort] += static_cast<std::uint32_t>(count(world));
    };
    e.describe = [f, describe](const Structure& state, std::uint32_t comp, Time time) {
        return describe(f, state, comp, time);
    };
}

// The same for an encoding whose only open sort is the components: abstract(f, world, out,
// time) and describe(f, state, comp, time).
template <class Symbols, class Abstract, class Describe>
void wire_comps(Encoding& e, const Symbols& f, Abstract abstract, Describe describe) {
    e.abstraction = [f, abstract](const pmodel::World& world, ElementNames& /*names*/,
                                  Structure& out, Time time) { abstract(f, world, out, time); };
    e.describe = [f, describe](const Structure& state, std::uint32_t comp, Time time) {
        return describe(f, state, comp, time);
    };
}

// Every encoded protocol, for these variants (a variant that changes a handler changes its
// action).
[[nodiscard]] std::vector<Encoding> encodings(const pcore::Variants& variants);

// A property the encodings state only in part: its proved results cover `encoded`, and
// `not_yet` has no verdict (prove reports it and never exits 0 for the property).
struct PartlyEncoded {
    std::string id;
    std::string encoded;
    std::string not_yet;
};
[[nodiscard]] const std::vector<PartlyEncoded>& partly_encoded();

// The protocols one at a time (model/smt/src/<protocol>_smt.cpp).
[[nodiscard]] Encoding error_propagation_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding error_provenance_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding spawn_handoff_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding conservation_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding reference_count_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding relay_path_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding sync_round_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding channel_order_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding port_wait_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding ack_wait_encoding(const pcore::Variants& variants);
[[nodiscard]] Encoding decision_wait_encoding(const pcore::Variants& variants);

}  // namespace psmt
