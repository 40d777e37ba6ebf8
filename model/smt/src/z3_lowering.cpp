#include "z3_lowering.hpp"

#include <stdexcept>
#include <string>

#include "concat.hpp"

namespace psmt {

Lowering::Lowering(z3::context& context, const Vocabulary& vocabulary)
    : context_(context), vocabulary_(vocabulary) {
    for (const SortDecl& decl : vocabulary.sorts()) {
        if (!decl.enumerated()) {
            sorts_.push_back(context.uninterpreted_sort(decl.name.c_str()));
            enum_values_.emplace_back();
            continue;
        }
        // Values are named sort.value, so that two sorts may share a value's name.
        std::vector<std::string> names;
        for (const std::string& value : decl.values) names.push_back(concat(decl.name, ".", value));
        std::vector<const char*> pointers;
        for (const std::string& name : names) pointers.push_back(name.c_str());
        z3::func_decl_vector constructors(context);
        z3::func_decl_vector testers(context);
        sorts_.push_back(context.enumeration_sort(decl.name.c_str(),
                                                  static_cast<unsigned>(pointers.size()),
                                                  pointers.data(), constructors, testers));
        enum_values_.emplace_back();
        for (unsigned at = 0; at < constructors.size(); ++at) {
            enum_values_.back().push_back(constructors[static_cast<int>(at)]);
        }
    }
    for (const SymbolDecl& decl : vocabulary.symbols()) {
        z3::sort_vector domain(context);
        for (SortId arg : decl.args) domain.push_back(sorts_.at(arg));
        const z3::sort range =
            decl.result == bool_sort ? context.bool_sort() : sorts_.at(decl.result);
        now_.push_back(context.function(decl.name.c_str(), domain, range));
        next_.push_back(decl.rigid()
                            ? now_.back()
                            : context.function(concat(decl.name, "'").c_str(), domain, range));
    }
}

z3::expr Lowering::element(SortId sort, std::uint32_t index) {
    return enum_values_.at(sort).at(index)();
}

z3::expr Lowering::var_const(const Var& var) {
    const auto found = vars_.find(var.id);
    if (found != vars_.end()) return found->second;
    const std::string name = concat(var.name, "#", std::to_string(var.id));
    const z3::expr made = context_.constant(name.c_str(), sorts_.at(var.sort));
    vars_.emplace(var.id, made);
    return made;
}

z3::expr Lowering::lower(const Expr& formula) {
    return lower_node(*formula);
}

z3::expr Lowering::lower_node(const Node& node) {
    const auto found = memo_.find(&node);
    if (found != memo_.end()) return found->second;
    z3::expr_vector kids(context_);
    if (node.op != Op::forall && node.op != Op::exists) {
        for (const Expr& kid : node.kids) kids.push_back(lower_node(*kid));
    }
    z3::expr out = context_.bool_val(true);
    switch (node.op) {
        case Op::truth:
            out = context_.bool_val(true);
            break;
        case Op::falsity:
            out = context_.bool_val(false);
            break;
        case Op::var:
            out = var_const(node.bound.front());
            break;
        case Op::value:
            out = element(node.sort, node.index);
            break;
        case Op::apply:
            out = (node.time == Time::now ? now_ : next_).at(node.index)(kids);
            break;
        case Op::eq:
            out = kids[0] == kids[1];
            break;
        case Op::negation:
            out = !kids[0];
            break;
        case Op::conjunction:
            out = z3::mk_and(kids);
            break;
        case Op::disjunction:
            out = z3::mk_or(kids);
            break;
        case Op::implication:
            out = z3::implies(kids[0], kids[1]);
            break;
        case Op::equivalence:
            out = kids[0] == kids[1];
            break;
        case Op::choice:
            out = z3::ite(kids[0], kids[1], kids[2]);
            break;
        case Op::forall:
        case Op::exists: {
            z3::expr_vector bound(context_);
            for (const Var& var : node.bound) bound.push_back(var_const(var));
            const z3::expr body = lower_node(*node.kids[0]);
            out = node.op == Op::forall ? z3::forall(bound, body) : z3::exists(bound, body);
            break;
        }
    }
    memo_.emplace(&node, out);
    return out;
}

z3::expr_vector Lowering::rigid_axioms() {
    z3::expr_vector axioms(context_);
    for (SymbolId symbol = 0; symbol < vocabulary_.symbols().size(); ++symbol) {
        const SymbolDecl& decl = vocabulary_.symbol(symbol);
        if (!decl.rigid()) continue;
        std::vector<std::uint32_t> radices;
        for (SortId arg : decl.args) {
            radices.push_back(static_cast<std::uint32_t>(vocabulary_.sort(arg).values.size()));
        }
        std::size_t cell = 0;
        for_each_tuple(radices, [&](const std::vector<std::uint32_t>& tuple) {
            z3::expr_vector args(context_);
            for (std::size_t at = 0; at < tuple.size(); ++at) {
                args.push_back(element(decl.args[at], tuple[at]));
            }
            const z3::expr applied = now_[symbol](args);
            const std::uint32_t result = decl.fixed[cell++];
            if (decl.result == bool_sort) {
                axioms.push_back(result != 0 ? applied : !applied);
            } else {
                axioms.push_back(applied == element(decl.result, result));
            }
        });
    }
    return axioms;
}

z3::expr Lowering::at_most(SortId sort, unsigned size) {
    z3::expr_vector witnesses(context_);
    for (unsigned at = 0; at < size; ++at) {
        const std::string name = concat("element.", std::to_string(sort), ".", std::to_string(at));
        witnesses.push_back(context_.constant(name.c_str(), sorts_.at(sort)));
    }
    const z3::expr any = context_.constant("any.element", sorts_.at(sort));
    z3::expr_vector equal(context_);
    for (unsigned at = 0; at < size; ++at) equal.push_back(any == witnesses[static_cast<int>(at)]);
    z3::expr_vector bound(context_);
    bound.push_back(any);
    return z3::forall(bound, z3::mk_or(equal));
}

std::uint32_t Lowering::element_index(SortId sort, const z3::expr& value) const {
    if (!enum_values_.at(sort).empty()) {
        for (std::uint32_t at = 0; at < enum_values_[sort].size(); ++at) {
            if (z3::eq(value.decl(), enum_values_[sort][at])) return at;
        }
    } else {
        for (std::uint32_t at = 0; at < universe_.at(sort).size(); ++at) {
            if (z3::eq(value, universe_[sort][at])) return at;
        }
    }
    throw std::logic_error("psmt: a model value outside its sort: " + value.to_string());
}

}  // namespace psmt

namespace psmt {

namespace {

// The model's elements of an open sort (one made up when the model never needed the sort).
std::vector<z3::expr> universe_of(z3::context& context,
                                  const z3::model& model,
                                  const z3::sort& sort) {
    std::vector<z3::expr> elements;
    const unsigned sorts = Z3_model_get_num_sorts(context, model);
    for (unsigned at = 0; at < sorts; ++at) {
        if (!z3::eq(z3::sort(context, Z3_model_get_sort(context, model, at)), sort)) continue;
        const z3::expr_vector universe(context, Z3_model_get_sort_universe(context, model, sort));
        for (unsigned index = 0; index < universe.size(); ++index)
            elements.push_back(universe[static_cast<int>(index)]);
    }
    if (elements.empty()) elements.push_back(model.eval(context.constant("unused", sort), true));
    return elements;
}

}  // namespace

Structure Lowering::read_model(const z3::model& model,
                               const std::vector<Var>& params,
                               std::vector<std::uint32_t>& param_values) {
    universe_.assign(sorts_.size(), {});
    std::vector<std::uint32_t> sizes(sorts_.size(), 0);
    for (SortId sort = 0; sort < sorts_.size(); ++sort) {
        if (!enum_values_[sort].empty()) continue;
        universe_[sort] = universe_of(context_, model, sorts_[sort]);
        sizes[sort] = static_cast<std::uint32_t>(universe_[sort].size());
    }
    Structure out(vocabulary_, sizes);
    const auto element_expr = [&](SortId sort, std::uint32_t index) {
        return enum_values_[sort].empty() ? universe_[sort][index] : element(sort, index);
    };
    for (SymbolId symbol = 0; symbol < vocabulary_.symbols().size(); ++symbol) {
        const SymbolDecl& decl = vocabulary_.symbol(symbol);
        if (decl.rigid()) continue;
        for_each_tuple(arg_sizes(out, symbol), [&](const std::vector<std::uint32_t>& tuple) {
            z3::expr_vector args(context_);
            for (std::size_t at = 0; at < tuple.size(); ++at) {
                args.push_back(element_expr(decl.args[at], tuple[at]));
            }
            for (const Time time : {Time::now, Time::next}) {
                const z3::expr value =
                    model.eval((time == Time::now ? now_ : next_)[symbol](args), true);
                const std::uint32_t result = decl.result == bool_sort
                                                 ? (value.is_true() ? 1U : 0U)
                                                 : element_index(decl.result, value);
                out.set(symbol, tuple, result, time);
            }
        });
    }
    param_values.clear();
    for (const Var& param : params) {
        param_values.push_back(element_index(param.sort, model.eval(var_const(param), true)));
    }
    return out;
}

}  // namespace psmt
