#include "psmt/logic.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace psmt {

SortId Vocabulary::uninterpreted(std::string name) {
    sorts_.push_back(SortDecl{std::move(name), {}});
    return static_cast<SortId>(sorts_.size() - 1);
}

SortId Vocabulary::enumerated(std::string name, std::vector<std::string> values) {
    if (values.empty()) throw std::logic_error("psmt: an enumerated sort needs values: " + name);
    sorts_.push_back(SortDecl{std::move(name), std::move(values)});
    return static_cast<SortId>(sorts_.size() - 1);
}

SymbolId Vocabulary::relation(std::string name, std::vector<SortId> args, std::string meaning) {
    symbols_.push_back(
        SymbolDecl{std::move(name), std::move(args), bool_sort, std::move(meaning), {}});
    return static_cast<SymbolId>(symbols_.size() - 1);
}

SymbolId Vocabulary::function(std::string name,
                              std::vector<SortId> args,
                              SortId result,
                              std::string meaning) {
    symbols_.push_back(
        SymbolDecl{std::move(name), std::move(args), result, std::move(meaning), {}});
    return static_cast<SymbolId>(symbols_.size() - 1);
}

SymbolId Vocabulary::rigid(
    std::string name,
    std::vector<SortId> args,
    SortId result,
    const std::function<std::uint32_t(const std::vector<std::uint32_t>&)>& table,
    std::string meaning) {
    SymbolDecl decl{std::move(name), std::move(args), result, std::move(meaning), {}};
    std::vector<std::uint32_t> radices;
    for (SortId arg : decl.args) {
        if (!sorts_.at(arg).enumerated()) throw std::logic_error("psmt: rigid over an open sort");
        radices.push_back(static_cast<std::uint32_t>(sorts_[arg].values.size()));
    }
    for_each_tuple(radices, [&](const auto& tuple) { decl.fixed.push_back(table(tuple)); });
    symbols_.push_back(std::move(decl));
    return static_cast<SymbolId>(symbols_.size() - 1);
}

std::uint32_t Vocabulary::value_index(SortId sort, const std::string& value) const {
    const auto& values = sorts_.at(sort).values;
    const auto at = std::find(values.begin(), values.end(), value);
    if (at == values.end()) throw std::logic_error("psmt: no value " + value);
    return static_cast<std::uint32_t>(at - values.begin());
}

void for_each_tuple(const std::vector<std::uint32_t>& radices,
                    const std::function<void(const std::vector<std::uint32_t>&)>& fn) {
    std::size_t cells = 1;
    for (std::uint32_t radix : radices) cells *= radix;
    std::vector<std::uint32_t> tuple(radices.size(), 0);
    for (std::size_t cell = 0; cell < cells; ++cell) {
        std::size_t rest = cell;
        for (std::size_t at = tuple.size(); at-- > 0;) {
            tuple[at] = static_cast<std::uint32_t>(rest % radices[at]);
            rest /= radices[at];
        }
        fn(tuple);
    }
}

Var VarPool::fresh(SortId sort, std::string name) {
    return Var{next_++, sort, std::move(name)};
}

namespace {

Expr node(Op op, std::vector<Expr> kids = {}) {
    auto made = std::make_shared<Node>();
    made->op = op;
    made->kids = std::move(kids);
    return made;
}

Expr quantifier(Op op, std::vector<Var> vars, Expr body) {
    if (vars.empty()) return body;
    auto made = std::make_shared<Node>();
    made->op = op;
    made->bound = std::move(vars);
    made->kids = {std::move(body)};
    return made;
}

}  // namespace

Expr truth() {
    return node(Op::truth);
}
Expr falsity() {
    return node(Op::falsity);
}

Expr ref(const Var& var) {
    auto made = std::make_shared<Node>();
    made->op = Op::var;
    made->sort = var.sort;
    made->index = var.id;
    made->bound = {var};
    return made;
}

Expr value(SortId sort, std::uint32_t index) {
    auto made = std::make_shared<Node>();
    made->op = Op::value;
    made->sort = sort;
    made->index = index;
    return made;
}

Expr apply(const Vocabulary& vocabulary, SymbolId symbol, std::vector<Expr> args, Time time) {
    const SymbolDecl& decl = vocabulary.symbol(symbol);
    if (args.size() != decl.args.size()) {
        throw std::logic_error("psmt: " + decl.name + " takes " + std::to_string(decl.args.size()) +
                               " arguments");
    }
    for (std::size_t at = 0; at < args.size(); ++at) {
        if (args[at]->sort != decl.args[at]) {
            throw std::logic_error("psmt: argument " + std::to_string(at) + " of " + decl.name +
                                   " has the wrong sort");
        }
    }
    auto made = std::make_shared<Node>();
    made->op = Op::apply;
    made->sort = decl.result;
    made->index = symbol;
    made->time = time;
    made->kids = std::move(args);
    return made;
}

Expr Reader::operator()(SymbolId symbol, std::vector<Expr> args) const {
    return apply(vocabulary, symbol, std::move(args));
}
Expr Reader::next(SymbolId symbol, std::vector<Expr> args) const {
    return apply(vocabulary, symbol, std::move(args), Time::next);
}
Expr Reader::at(Time time, SymbolId symbol, std::vector<Expr> args) const {
    return apply(vocabulary, symbol, std::move(args), time);
}
Expr Reader::unchanged(SymbolId symbol, const std::vector<Expr>& args) const {
    return iff(next(symbol, args), (*this)(symbol, args));
}

Expr eq(Expr a, Expr b) {
    if (a->sort != b->sort) throw std::logic_error("psmt: = between different sorts");
    return node(Op::eq, {std::move(a), std::move(b)});
}
Expr neq(Expr a, Expr b) {
    return lnot(eq(std::move(a), std::move(b)));
}
Expr lnot(Expr a) {
    return node(Op::negation, {std::move(a)});
}
Expr land(std::vector<Expr> parts) {
    if (parts.empty()) return truth();
    if (parts.size() == 1) return parts.front();
    return node(Op::conjunction, std::move(parts));
}
Expr lor(std::vector<Expr> parts) {
    if (parts.empty()) return falsity();
    if (parts.size() == 1) return parts.front();
    return node(Op::disjunction, std::move(parts));
}
Expr implies(Expr a, Expr b) {
    return node(Op::implication, {std::move(a), std::move(b)});
}
Expr iff(Expr a, Expr b) {
    return node(Op::equivalence, {std::move(a), std::move(b)});
}
Expr ite(Expr condition, Expr then, Expr otherwise) {
    if (then->sort != otherwise->sort) throw std::logic_error("psmt: ite between sorts");
    auto made = std::make_shared<Node>();
    made->op = Op::choice;
    made->sort = then->sort;
    made->kids = {std::move(condition), std::move(then), std::move(otherwise)};
    return made;
}
Expr forall(std::vector<Var> vars, Expr body) {
    return quantifier(Op::forall, std::move(vars), std::move(body));
}
Expr exists(std::vector<Var> vars, Expr body) {
    return quantifier(Op::exists, std::move(vars), std::move(body));
}

Expr primed(const Expr& formula) {
    if (formula->kids.empty() && formula->op != Op::apply) return formula;
    auto made = std::make_shared<Node>(*formula);
    if (made->op == Op::apply) made->time = Time::next;
    for (auto& kid : made->kids) kid = primed(kid);
    return made;
}

}  // namespace psmt
