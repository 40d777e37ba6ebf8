// Formulas as text, in mypyvy's syntax: `forall c:comp. ended(c) -> kind(c) = failed`; a
// symbol read in the next state is primed (`kind'(c)`).
#include <string>

#include "concat.hpp"
#include "psmt/logic.hpp"

namespace psmt {

namespace {

std::string joined(const Vocabulary& vocabulary,
                   const std::vector<Expr>& kids,
                   const char* separator);

std::string text(const Vocabulary& vocabulary, const Node& node) {
    switch (node.op) {
        case Op::truth:
            return "true";
        case Op::falsity:
            return "false";
        case Op::var:
            return node.bound.front().name;
        case Op::value:
            return vocabulary.sort(node.sort).values.at(node.index);
        case Op::apply: {
            std::string out = vocabulary.symbol(node.index).name;
            if (node.time == Time::next) out += '\'';
            if (!node.kids.empty()) out += concat("(", joined(vocabulary, node.kids, ", "), ")");
            return out;
        }
        case Op::eq:
            return concat(text(vocabulary, *node.kids[0]), " = ", text(vocabulary, *node.kids[1]));
        case Op::negation:
            if (node.kids[0]->op == Op::eq) {
                return concat(text(vocabulary, *node.kids[0]->kids[0]),
                              " != ", text(vocabulary, *node.kids[0]->kids[1]));
            }
            return concat("!", text(vocabulary, *node.kids[0]));
        case Op::conjunction:
            return concat("(", joined(vocabulary, node.kids, " & "), ")");
        case Op::disjunction:
            return concat("(", joined(vocabulary, node.kids, " | "), ")");
        case Op::implication:
            return concat("(", joined(vocabulary, node.kids, " -> "), ")");
        case Op::equivalence:
            return concat("(", joined(vocabulary, node.kids, " <-> "), ")");
        case Op::choice:
            return concat("(if ", text(vocabulary, *node.kids[0]), " then ",
                          text(vocabulary, *node.kids[1]), " else ",
                          text(vocabulary, *node.kids[2]), ")");
        case Op::forall:
        case Op::exists: {
            std::string out = node.op == Op::forall ? "forall " : "exists ";
            for (std::size_t at = 0; at < node.bound.size(); ++at) {
                if (at > 0) out += ", ";
                out += concat(node.bound[at].name, ":", vocabulary.sort(node.bound[at].sort).name);
            }
            return concat("(", out, ". ", text(vocabulary, *node.kids[0]), ")");
        }
    }
    return "?";
}

std::string joined(const Vocabulary& vocabulary,
                   const std::vector<Expr>& kids,
                   const char* separator) {
    std::string out;
    for (std::size_t at = 0; at < kids.size(); ++at) {
        if (at > 0) out += separator;
        out += text(vocabulary, *kids[at]);
    }
    return out;
}

}  // namespace

std::string to_text(const Vocabulary& vocabulary, const Expr& formula) {
    std::string out = text(vocabulary, *formula);
    if (out.size() > 2 && out.front() == '(' && out.back() == ')') {
        // The outermost parentheses only: keep them when they close earlier.
        int depth = 0;
        bool outer = true;
        for (std::size_t at = 0; at + 1 < out.size(); ++at) {
            if (out[at] == '(') ++depth;
            if (out[at] == ')' && --depth == 0) outer = false;
        }
        if (outer) out = out.substr(1, out.size() - 2);
    }
    return out;
}

}  // namespace psmt
