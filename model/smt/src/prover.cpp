#include "psmt/prover.hpp"

#include <z3++.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "concat.hpp"
#include "z3_lowering.hpp"

namespace psmt {

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::holds:
            return "holds";
        case Verdict::fails:
            return "fails";
        case Verdict::unknown:
            return "unknown";
    }
    return "?";
}

const InvariantDecl& Encoding::invariant(const std::string& name) const {
    for (const InvariantDecl& decl : invariants) {
        if (decl.name == name) return decl;
    }
    throw std::logic_error("psmt: " + protocol + " has no invariant " + name);
}

std::string describe_state(const Encoding& encoding,
                           const Structure& state,
                           Time time,
                           const std::string& indent) {
    std::string out;
    for (std::uint32_t comp = 0; comp < state.size(encoding.comp); ++comp) {
        out += concat(indent, "c", std::to_string(comp), ": ", encoding.describe(state, comp, time),
                      "\n");
    }
    return out;
}

namespace {

// What a query asks: are `assumptions` satisfiable? (sat: the query fails, and the model is a
// counterexample; `broken` lists the formulas to name in it).
struct Query {
    QueryResult result;
    std::vector<Expr> assumptions;
    const ActionDecl* action = nullptr;
    std::vector<std::pair<std::string, Expr>> watched;  // named formulas judged on the model
    Time watched_at = Time::now;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The counterexample in words, from the smallest model Z3 finds.
std::string counterexample(const Encoding& encoding,
                           const Query& query,
                           Lowering& lowering,
                           z3::solver& solver,
                           std::string& broken) {
    // Small models first: at most k components, for k = 1, 2, ... (Ivy's "small model").
    for (unsigned size = 1; size <= 6; ++size) {
        solver.push();
        solver.add(lowering.at_most(encoding.comp, size));
        const bool found = solver.check() == z3::sat;
        if (found) break;
        solver.pop();
    }
    const std::vector<Var> params = query.action ? query.action->params : std::vector<Var>{};
    std::vector<std::uint32_t> values;
    const Structure model = lowering.read_model(solver.get_model(), params, values);
    for (const auto& [name, formula] : query.watched) {
        const Expr judged = query.watched_at == Time::next ? primed(formula) : formula;
        if (!model.holds(judged)) broken += concat(broken.empty() ? "" : ", ", name);
    }
    std::string out;
    if (!query.action) {
        return concat("  state:\n", describe_state(encoding, model, Time::now, "    "));
    }
    out += concat("  before:\n", describe_state(encoding, model, Time::now, "    "));
    out += concat("  step: ", query.action->name, " (", query.action->handler, ")");
    for (std::size_t at = 0; at < params.size(); ++at) {
        const SortDecl& sort = encoding.vocabulary.sort(params[at].sort);
        out += concat(at == 0 ? " with " : ", ", params[at].name, " = ",
                      sort.enumerated() ? sort.values.at(values[at])
                      : params[at].sort == encoding.comp
                          ? concat("c", std::to_string(values[at]))
                          : concat(sort.name, std::to_string(values[at])));
    }
    out += concat("\n  after:\n", describe_state(encoding, model, Time::next, "    "));
    return out;
}

void run_query(const Encoding& encoding, Query& query, unsigned timeout_ms) {
    const auto start = std::chrono::steady_clock::now();
    z3::context context;
    Lowering lowering(context, encoding.vocabulary);
    z3::solver solver(context);
    z3::params params(context);
    params.set("timeout", timeout_ms);
    solver.set(params);
    solver.add(lowering.rigid_axioms());
    // The last assumption is the question (the negated claim); the others are its frame.
    const std::size_t frame = query.assumptions.size() - 1;
    for (std::size_t at = 0; at < frame; ++at) solver.add(lowering.lower(query.assumptions[at]));
    solver.push();
    solver.add(lowering.lower(query.assumptions[frame]));
    const z3::check_result answer = solver.check();
    QueryResult& result = query.result;
    if (answer == z3::unsat) {
        result.verdict = Verdict::holds;
        // Vacuity: a frame nothing satisfies (an action never enabled under the invariant, an
        // Init with no state) proves nothing; it is said, not hidden.
        solver.pop();
        result.vacuous = solver.check() == z3::unsat;
    } else if (answer == z3::unknown) {
        result.verdict = Verdict::unknown;
        result.detail = solver.reason_unknown();
    } else {
        result.verdict = Verdict::fails;
        result.cti = counterexample(encoding, query, lowering, solver, result.detail);
    }
    result.seconds = seconds_since(start);
}

Expr conjunction_of(const Encoding& encoding, const std::vector<std::string>& names) {
    std::vector<Expr> parts;
    for (const std::string& name : names) parts.push_back(encoding.invariant(name).formula);
    return land(std::move(parts));
}

std::vector<Query> queries_for(const Encoding& encoding, const PropertyDecl& property) {
    const Expr inv = conjunction_of(encoding, property.invariants);
    std::vector<std::pair<std::string, Expr>> named;
    for (const std::string& name : property.invariants) {
        named.emplace_back(name, encoding.invariant(name).formula);
    }
    std::vector<Query> queries;
    Query initiation{{"initiation", "", Verdict::unknown, 0, "", ""},
                     {encoding.init, lnot(inv)},
                     nullptr,
                     {},
                     Time::now};
    initiation.watched = named;
    queries.push_back(std::move(initiation));
    for (const ActionDecl& action : encoding.actions) {
        Query step{{"consecution", action.name, Verdict::unknown, 0, "", ""},
                   {inv, action.transition, lnot(primed(inv))},
                   nullptr,
                   {},
                   Time::now};
        step.action = &action;
        step.watched = named;
        step.watched_at = Time::next;
        queries.push_back(std::move(step));
    }
    Query safety{{"safety", "", Verdict::unknown, 0, "", ""},
                 {inv, lnot(property.safety)},
                 nullptr,
                 {},
                 Time::now};
    safety.watched = {{property.id, property.safety}};
    queries.push_back(std::move(safety));
    return queries;
}

bool selected(const ProveOptions& options, const std::string& id) {
    return options.properties.empty() ||
           std::find(options.properties.begin(), options.properties.end(), id) !=
               options.properties.end();
}

}  // namespace

std::vector<PropertyResult> prove(const std::vector<Encoding>& encodings,
                                  const ProveOptions& options) {
    std::vector<PropertyResult> results;
    for (const Encoding& encoding : encodings) {
        for (const PropertyDecl& property : encoding.properties) {
            if (!selected(options, property.id)) continue;
            PropertyResult result{property.id,
                                  encoding.protocol,
                                  property.words,
                                  property.invariants,
                                  Verdict::holds,
                                  0,
                                  {}};
            for (Query& query : queries_for(encoding, property)) {
                run_query(encoding, query, options.timeout_ms);
                result.seconds += query.result.seconds;
                if (query.result.kind == "initiation" && query.result.vacuous &&
                    result.verdict == Verdict::holds) {
                    result.verdict = Verdict::unknown;
                }
                if (query.result.verdict == Verdict::fails) {
                    result.verdict = Verdict::fails;
                } else if (query.result.verdict == Verdict::unknown &&
                           result.verdict == Verdict::holds) {
                    result.verdict = Verdict::unknown;
                }
                result.queries.push_back(std::move(query.result));
            }
            results.push_back(std::move(result));
        }
    }
    return results;
}

}  // namespace psmt
