// Finite structures and the evaluation of formulas on them (conformance and the CTI printout).
#include <algorithm>
#include <array>
#include <stdexcept>

#include "psmt/logic.hpp"

namespace psmt {

Structure::Structure(const Vocabulary& vocabulary, std::vector<std::uint32_t> sizes)
    : vocabulary_(&vocabulary), sizes_(std::move(sizes)) {
    if (sizes_.size() != vocabulary.sorts().size()) {
        throw std::logic_error("psmt: a structure needs a size for every sort");
    }
    for (SortId sort = 0; sort < sizes_.size(); ++sort) {
        if (vocabulary.sort(sort).enumerated()) {
            sizes_[sort] = static_cast<std::uint32_t>(vocabulary.sort(sort).values.size());
        }
    }
    for (const SymbolDecl& symbol : vocabulary.symbols()) {
        radices_.emplace_back();
        for (SortId arg : symbol.args) radices_.back().push_back(sizes_[arg]);
    }
    for (auto& tables : tables_) {
        for (const SymbolDecl& symbol : vocabulary.symbols()) {
            std::size_t cells = 1;
            for (SortId arg : symbol.args) cells *= sizes_[arg];
            tables.emplace_back(cells, 0);
            if (symbol.rigid()) tables.back() = symbol.fixed;
        }
    }
}

std::uint32_t Structure::size(SortId sort) const {
    return sizes_.at(sort);
}

std::size_t Structure::offset(SymbolId symbol, const std::uint32_t* args, std::size_t count) const {
    const std::vector<std::uint32_t>& radices = radices_[symbol];
    if (count != radices.size()) {
        throw std::logic_error("psmt: arity of " + vocabulary_->symbol(symbol).name);
    }
    std::size_t at = 0;
    for (std::size_t index = 0; index < count; ++index) {
        if (args[index] >= radices[index]) throw std::logic_error("psmt: element out of range");
        at = at * radices[index] + args[index];
    }
    return at;
}

std::uint32_t Structure::get(SymbolId symbol,
                             const std::vector<std::uint32_t>& args,
                             Time time) const {
    return get(symbol, args.data(), args.size(), time);
}

std::uint32_t Structure::get(SymbolId symbol,
                             const std::uint32_t* args,
                             std::size_t count,
                             Time time) const {
    return tables_[static_cast<int>(time)][symbol][offset(symbol, args, count)];
}

void Structure::set(SymbolId symbol,
                    const std::vector<std::uint32_t>& args,
                    std::uint32_t result,
                    Time time) {
    tables_[static_cast<int>(time)][symbol][offset(symbol, args.data(), args.size())] = result;
}

void Structure::clear(Time time) {
    auto& tables = tables_[static_cast<int>(time)];
    for (SymbolId symbol = 0; symbol < tables.size(); ++symbol) {
        if (vocabulary_->symbol(symbol).rigid()) continue;
        std::fill(tables[symbol].begin(), tables[symbol].end(), 0U);
    }
}

void Structure::copy_now_to_next() {
    tables_[1] = tables_[0];
}

bool Structure::stutters() const {
    return tables_[0] == tables_[1];
}

namespace {

class Evaluator {
  public:
    explicit Evaluator(const Structure& structure) : structure_(structure) {}

    void bind(const Var& var, std::uint32_t element) {
        if (env_.size() <= var.id) env_.resize(var.id + 1, unbound);
        env_[var.id] = element;
    }

    std::uint32_t term(const Node& node) {
        switch (node.op) {
            case Op::var:
                if (node.index >= env_.size() || env_[node.index] == unbound) {
                    throw std::logic_error("psmt: unbound variable " + node.bound.front().name);
                }
                return env_[node.index];
            case Op::value:
                return node.index;
            case Op::choice:
                return formula(*node.kids[0]) ? term(*node.kids[1]) : term(*node.kids[2]);
            case Op::apply: {
                // Symbols have a few arguments: no allocation on this path, the hottest of
                // conformance.
                std::array<std::uint32_t, 8> args{};
                if (node.kids.size() > args.size()) throw std::logic_error("psmt: arity above 8");
                for (std::size_t index = 0; index < node.kids.size(); ++index) {
                    args[index] = term(*node.kids[index]);
                }
                return structure_.get(node.index, args.data(), node.kids.size(), node.time);
            }
            default:
                return formula(node) ? 1 : 0;
        }
    }

    bool formula(const Node& node) {
        switch (node.op) {
            case Op::truth:
                return true;
            case Op::falsity:
                return false;
            case Op::apply:
            case Op::choice:
                return term(node) != 0;
            case Op::eq:
                return term(*node.kids[0]) == term(*node.kids[1]);
            case Op::negation:
                return !formula(*node.kids[0]);
            case Op::conjunction:
                for (const Expr& kid : node.kids) {
                    if (!formula(*kid)) return false;
                }
                return true;
            case Op::disjunction:
                for (const Expr& kid : node.kids) {
                    if (formula(*kid)) return true;
                }
                return false;
            case Op::implication:
                return !formula(*node.kids[0]) || formula(*node.kids[1]);
            case Op::equivalence:
                return formula(*node.kids[0]) == formula(*node.kids[1]);
            case Op::forall:
                return quantified(node, 0, true);
            case Op::exists:
                return quantified(node, 0, false);
            default:
                throw std::logic_error("psmt: a term where a formula belongs");
        }
    }

  private:
    static constexpr std::uint32_t unbound = 0xFFFFFFFF;

    // forall: every assignment of node.bound[from..] satisfies the body; exists: one does.
    bool quantified(const Node& node, std::size_t from, bool universal) {
        if (from == node.bound.size()) return formula(*node.kids[0]);
        const Var& var = node.bound[from];
        if (env_.size() <= var.id) env_.resize(var.id + 1, unbound);
        const std::uint32_t saved = env_[var.id];
        bool result = universal;
        for (std::uint32_t element = 0; element < structure_.size(var.sort); ++element) {
            bind(var, element);
            if (quantified(node, from + 1, universal) != universal) {
                result = !universal;
                break;
            }
        }
        env_[var.id] = saved;
        return result;
    }

    const Structure& structure_;
    std::vector<std::uint32_t> env_;
};

}  // namespace

std::vector<std::uint32_t> arg_sizes(const Structure& state, SymbolId symbol) {
    std::vector<std::uint32_t> sizes;
    for (SortId arg : state.vocabulary().symbol(symbol).args) sizes.push_back(state.size(arg));
    return sizes;
}

bool Structure::holds(const Expr& formula) const {
    return holds(formula, {});
}

bool Structure::holds(const Expr& formula,
                      const std::vector<std::pair<Var, std::uint32_t>>& given) const {
    Evaluator evaluator(*this);
    for (const auto& [var, element] : given) evaluator.bind(var, element);
    return evaluator.formula(*formula);
}

}  // namespace psmt
