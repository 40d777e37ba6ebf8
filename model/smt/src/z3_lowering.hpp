// A vocabulary and its formulas in Z3's terms (z3++.h), and a Z3 model back as a finite
// structure. Private to model/smt/src/.
#pragma once

#include <z3++.h>

#include <map>
#include <vector>

#include "psmt/logic.hpp"

namespace psmt {

class Lowering {
  public:
    Lowering(z3::context& context, const Vocabulary& vocabulary);

    [[nodiscard]] z3::expr lower(const Expr& formula);
    // The tables of the rigid symbols (orders, maxima), to assert with every query.
    [[nodiscard]] z3::expr_vector rigid_axioms();
    // "`sort` has at most `size` elements" (the small-model search for a CTI).
    [[nodiscard]] z3::expr at_most(SortId sort, unsigned size);
    // The model as a finite structure (both states), and the elements of the action's
    // parameters in it.
    [[nodiscard]] Structure read_model(const z3::model& model,
                                       const std::vector<Var>& params,
                                       std::vector<std::uint32_t>& param_values);

  private:
    z3::expr lower_node(const Node& node);
    z3::expr var_const(const Var& var);
    z3::expr element(SortId sort, std::uint32_t index);
    [[nodiscard]] std::uint32_t element_index(SortId sort, const z3::expr& value) const;

    z3::context& context_;
    const Vocabulary& vocabulary_;
    std::vector<z3::sort> sorts_;
    std::vector<std::vector<z3::func_decl>> enum_values_;  // per sort; empty when open
    std::vector<z3::func_decl> now_;                       // per symbol
    std::vector<z3::func_decl> next_;
    std::map<std::uint32_t, z3::expr> vars_;
    std::map<const Node*, z3::expr> memo_;
    // read_model: the universe of each open sort in the model being read.
    std::vector<std::vector<z3::expr>> universe_;
};

}  // namespace psmt
