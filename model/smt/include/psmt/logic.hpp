// First-order logic over a vocabulary of sorts and state symbols: the language the protocol
// encodings (model/smt/src/*_smt.cpp) are written in.
//
// Why our own small syntax tree and not z3::expr directly: one formula has two readers. The
// prover lowers it to Z3 (z3_lowering.cpp) over uninterpreted sorts, for every number of
// components; conformance (conformance.cpp) evaluates the very same formula on a finite
// structure taken from a concrete world, thousands of times a second, which Z3's model
// evaluator cannot do for quantified formulas. Writing each transition once, for both, is what
// makes the proof a proof about the code.
//
// Sorts are uninterpreted (components: any number) or enumerated (a finite set of named
// values, such as a component's mode). Symbols are relations (to bool) or functions (to a
// sort); each state symbol has a value in the current state and one in the next (`next`).
// Quantifiers range over one sort; EPR wants every function to go from an uninterpreted sort to
// an enumerated one, never back (docs/invariants.md says where an encoding departs from it).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace psmt {

using SortId = std::uint32_t;
using SymbolId = std::uint32_t;

struct SortDecl {
    std::string name;
    std::vector<std::string> values;  // empty: uninterpreted
    [[nodiscard]] bool enumerated() const { return !values.empty(); }
};

inline constexpr SortId bool_sort = 0xFFFFFFFF;  // the result "sort" of a relation

struct SymbolDecl {
    std::string name;
    std::vector<SortId> args;
    SortId result = bool_sort;  // bool_sort: a relation
    std::string meaning;        // one line, for the CTI printout and docs/invariants.md
    // A rigid symbol over enumerated sorts (an order, a maximum): its whole table, the same in
    // every state, asserted as axioms for Z3. Empty: a state symbol.
    std::vector<std::uint32_t> fixed;
    [[nodiscard]] bool rigid() const { return !fixed.empty(); }
};

class Vocabulary {
  public:
    SortId uninterpreted(std::string name);
    SortId enumerated(std::string name, std::vector<std::string> values);
    SymbolId relation(std::string name, std::vector<SortId> args, std::string meaning);
    SymbolId function(std::string name,
                      std::vector<SortId> args,
                      SortId result,
                      std::string meaning);
    // A rigid symbol whose value on each argument tuple (enumerated sorts only) is `table`'s.
    SymbolId rigid(std::string name,
                   std::vector<SortId> args,
                   SortId result,
                   const std::function<std::uint32_t(const std::vector<std::uint32_t>&)>& table,
                   std::string meaning);
    [[nodiscard]] const std::vector<SortDecl>& sorts() const { return sorts_; }
    [[nodiscard]] const std::vector<SymbolDecl>& symbols() const { return symbols_; }
    [[nodiscard]] const SortDecl& sort(SortId id) const { return sorts_.at(id); }
    [[nodiscard]] const SymbolDecl& symbol(SymbolId id) const { return symbols_.at(id); }
    [[nodiscard]] std::uint32_t value_index(SortId sort, const std::string& value) const;

  private:
    std::vector<SortDecl> sorts_;
    std::vector<SymbolDecl> symbols_;
};

enum class Op : std::uint8_t {
    truth,
    falsity,
    var,    // a bound or free variable (terms)
    value,  // a value of an enumerated sort (terms)
    apply,  // a symbol applied to terms, in the current or the next state
    eq,
    negation,
    conjunction,
    disjunction,
    implication,
    equivalence,
    forall,
    exists,
    choice,  // if kids[0] then kids[1] else kids[2] (a term or a formula)
};

struct Var {
    std::uint32_t id = 0;  // unique within a formula's environment
    SortId sort = 0;
    std::string name;
};

enum class Time : std::uint8_t { now, next };

struct Node;
using Expr = std::shared_ptr<const Node>;

struct Node {
    Op op = Op::truth;
    SortId sort = bool_sort;  // of a term; bool_sort for formulas
    std::uint32_t index = 0;  // var id, value index or symbol id
    Time time = Time::now;    // apply
    std::vector<Expr> kids;   // arguments or subformulas
    std::vector<Var> bound;   // forall / exists
};

// ---- Building formulas ---------------------------------------------------------------------

// Hands out variables with unique ids (one per encoding, so formulas can be mixed freely).
class VarPool {
  public:
    Var fresh(SortId sort, std::string name);

  private:
    std::uint32_t next_ = 0;
};

[[nodiscard]] Expr truth();
[[nodiscard]] Expr falsity();
[[nodiscard]] Expr ref(const Var& var);
[[nodiscard]] Expr value(SortId sort, std::uint32_t index);
[[nodiscard]] Expr apply(const Vocabulary& vocabulary,
                         SymbolId symbol,
                         std::vector<Expr> args,
                         Time time = Time::now);
[[nodiscard]] Expr eq(Expr a, Expr b);
[[nodiscard]] Expr neq(Expr a, Expr b);
[[nodiscard]] Expr lnot(Expr a);
[[nodiscard]] Expr land(std::vector<Expr> parts);
[[nodiscard]] Expr lor(std::vector<Expr> parts);
[[nodiscard]] Expr implies(Expr a, Expr b);
[[nodiscard]] Expr iff(Expr a, Expr b);
[[nodiscard]] Expr ite(Expr condition, Expr then, Expr otherwise);
[[nodiscard]] Expr forall(std::vector<Var> vars, Expr body);
[[nodiscard]] Expr exists(std::vector<Var> vars, Expr body);
// A vocabulary's symbols read in the current state (`r(symbol, args)`), in the next one
// (`r.next`), or as left alone by a step (`r.unchanged`): the shorthand encodings write with.
struct Reader {
    const Vocabulary& vocabulary;
    [[nodiscard]] Expr operator()(SymbolId symbol, std::vector<Expr> args) const;
    [[nodiscard]] Expr next(SymbolId symbol, std::vector<Expr> args) const;
    // In the state `time` names (a formula written once for both states).
    [[nodiscard]] Expr at(Time time, SymbolId symbol, std::vector<Expr> args) const;
    [[nodiscard]] Expr unchanged(SymbolId symbol, const std::vector<Expr>& args) const;
};

// The formula with every state symbol read in the next state (an invariant after a step).
[[nodiscard]] Expr primed(const Expr& formula);

// ---- Finite structures ---------------------------------------------------------------------

// A finite interpretation of a vocabulary in two states (now and next): each uninterpreted
// sort has `size` elements 0..size-1, each enumerated sort its values; each symbol a table
// indexed by its arguments (mixed radix, first argument most significant). Relations hold 0/1.
class Structure {
  public:
    Structure(const Vocabulary& vocabulary, std::vector<std::uint32_t> sizes);
    [[nodiscard]] const Vocabulary& vocabulary() const { return *vocabulary_; }
    [[nodiscard]] std::uint32_t size(SortId sort) const;
    [[nodiscard]] std::uint32_t get(SymbolId symbol,
                                    const std::vector<std::uint32_t>& args,
                                    Time time = Time::now) const;
    void set(SymbolId symbol,
             const std::vector<std::uint32_t>& args,
             std::uint32_t result,
             Time time = Time::now);
    // Every state symbol false (0) in `time` (an abstraction then sets what holds).
    void clear(Time time);
    // The next state becomes a copy of the current one (then set what a step changed).
    void copy_now_to_next();
    // Whether the two states agree on every symbol.
    [[nodiscard]] bool stutters() const;

    [[nodiscard]] bool holds(const Expr& formula) const;
    // With some variables given values (action parameters).
    [[nodiscard]] bool holds(const Expr& formula,
                             const std::vector<std::pair<Var, std::uint32_t>>& given) const;

    // Braced arguments, `state.set(symbol, {a, b}, 1)`: no allocation (abstractions set every
    // cell of every state conformance reaches).
    [[nodiscard]] std::uint32_t get(SymbolId symbol,
                                    std::initializer_list<std::uint32_t> args,
                                    Time time = Time::now) const {
        return get(symbol, args.begin(), args.size(), time);
    }
    void set(SymbolId symbol,
             std::initializer_list<std::uint32_t> args,
             std::uint32_t result,
             Time time = Time::now) {
        tables_[static_cast<int>(time)][symbol][offset(symbol, args.begin(), args.size())] = result;
    }
    // The same, for an evaluator that keeps its arguments on the stack.
    [[nodiscard]] std::uint32_t get(SymbolId symbol,
                                    const std::uint32_t* args,
                                    std::size_t count,
                                    Time time) const;

  private:
    [[nodiscard]] std::size_t offset(SymbolId symbol,
                                     const std::uint32_t* args,
                                     std::size_t count) const;
    const Vocabulary* vocabulary_;
    std::vector<std::uint32_t> sizes_;                 // per sort
    std::vector<std::vector<std::uint32_t>> radices_;  // per symbol: its arguments' sizes
    std::vector<std::vector<std::uint32_t>> tables_[2];
};

// Calls fn(tuple) for every tuple with tuple[i] < radices[i], in the order of a Structure's
// tables and a rigid symbol's `fixed` (mixed radix, first component most significant).
void for_each_tuple(const std::vector<std::uint32_t>& radices,
                    const std::function<void(const std::vector<std::uint32_t>&)>& fn);

// The argument sizes of a symbol in a structure (its tables' radices).
[[nodiscard]] std::vector<std::uint32_t> arg_sizes(const Structure& state, SymbolId symbol);

// Renders a formula in a readable infix syntax (docs and CTI printouts).
[[nodiscard]] std::string to_text(const Vocabulary& vocabulary, const Expr& formula);

}  // namespace psmt
