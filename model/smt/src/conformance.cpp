#include "psmt/conformance.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <unordered_set>

#include "concat.hpp"

namespace psmt {

namespace {

// Whether some state symbol whose first argument is `element` of `sort` differs between the
// current and the next state.
bool changed_at(const Structure& state, SortId sort, std::uint32_t element) {
    const Vocabulary& vocabulary = state.vocabulary();
    for (SymbolId symbol = 0; symbol < vocabulary.symbols().size(); ++symbol) {
        const SymbolDecl& decl = vocabulary.symbol(symbol);
        if (decl.rigid() || decl.args.empty() || decl.args.front() != sort) continue;
        std::vector<std::uint32_t> radices = arg_sizes(state, symbol);
        radices.front() = 1;  // the first argument is `element`
        bool differs = false;
        std::vector<std::uint32_t> tuple(radices.size());
        for_each_tuple(radices, [&](const auto& rest) {
            if (differs) return;
            std::copy(rest.begin(), rest.end(), tuple.begin());
            tuple.front() = element;
            differs = state.get(symbol, tuple, Time::now) != state.get(symbol, tuple, Time::next);
        });
        if (differs) return true;
    }
    return false;
}

// Some values of the action's parameters make its transition hold. Parameters of the
// components' sort range over `changed` when it is not empty, else over every component.
bool some_instance_holds(const Structure& state,
                         const ActionDecl& action,
                         SortId comp_sort,
                         const std::vector<std::uint32_t>& changed) {
    std::vector<std::pair<Var, std::uint32_t>> given;
    std::function<bool(std::size_t)> search = [&](std::size_t at) {
        if (at == action.params.size()) return state.holds(action.transition, given);
        const Var& param = action.params[at];
        std::vector<std::uint32_t> domain;
        if (param.sort == comp_sort && !changed.empty()) {
            domain = changed;
        } else {
            for (std::uint32_t element = 0; element < state.size(param.sort); ++element) {
                domain.push_back(element);
            }
        }
        for (std::uint32_t element : domain) {
            given.emplace_back(param, element);
            const bool found = search(at + 1);
            given.pop_back();
            if (found) return true;
        }
        return false;
    };
    return search(0);
}

// Every cell of a state symbol that the step changed: "symbol(args): before -> after".
std::string cell_changes(const Structure& state) {
    const Vocabulary& vocabulary = state.vocabulary();
    const auto element = [&](SortId sort, std::uint32_t index) {
        const SortDecl& decl = vocabulary.sort(sort);
        return decl.enumerated() ? decl.values.at(index) : concat(decl.name, std::to_string(index));
    };
    const auto value = [&](const SymbolDecl& decl, std::uint32_t index) {
        return decl.result == bool_sort ? std::string(index != 0 ? "true" : "false")
                                        : element(decl.result, index);
    };
    std::string out;
    for (SymbolId symbol = 0; symbol < vocabulary.symbols().size(); ++symbol) {
        const SymbolDecl& decl = vocabulary.symbol(symbol);
        if (decl.rigid()) continue;
        for_each_tuple(arg_sizes(state, symbol), [&](const std::vector<std::uint32_t>& tuple) {
            const std::uint32_t before = state.get(symbol, tuple, Time::now);
            const std::uint32_t after = state.get(symbol, tuple, Time::next);
            if (before == after) return;
            std::string args;
            for (std::size_t at = 0; at < tuple.size(); ++at) {
                args += concat(at == 0 ? "" : ", ", element(decl.args[at], tuple[at]));
            }
            out += concat(" ", decl.name, "(", args, "): ", value(decl, before), " -> ",
                          value(decl, after), ";");
        });
    }
    return out;
}

std::string changed_lines(const Encoding& encoding,
                          const Structure& state,
                          const std::vector<std::uint32_t>& changed) {
    std::string out;
    for (std::uint32_t comp : changed) {
        out += concat("c", std::to_string(comp),
                      " before: ", encoding.describe(state, comp, Time::now),
                      "; after: ", encoding.describe(state, comp, Time::next), ". ");
    }
    return out;
}

class Run {
  public:
    Run(const std::vector<Encoding>& encodings, const ConformanceOptions& options, bool invariants)
        : encodings_(encodings), options_(options), invariants_(invariants) {
        report.steps.assign(encodings.size(), 0);
    }

    void fail(const Encoding& encoding, std::string kind, std::string what, std::string detail) {
        ++report.failure_count;
        if (report.failures.size() < options_.max_failures) {
            report.failures.push_back(ConformanceFailure{encoding.protocol, std::move(kind),
                                                         std::move(what), std::move(detail)});
        }
    }

    // Sized for both worlds (a step may create a component; the extra rows are initial).
    static Structure structure(const Encoding& encoding,
                               const pmodel::World& before,
                               const pmodel::World& after,
                               std::size_t extra_comps = 0) {
        std::vector<std::uint32_t> sizes(encoding.vocabulary.sorts().size(), 1);
        sizes[encoding.comp] = static_cast<std::uint32_t>(after.comps().size() + extra_comps);
        if (encoding.size_sorts) {
            encoding.size_sorts(before, sizes);
            encoding.size_sorts(after, sizes);
        }
        return Structure(encoding.vocabulary, sizes);
    }

    void check_state(const pmodel::World& world) {
        for (const Encoding& encoding : encodings_) {
            Structure state = structure(encoding, world, world);
            ElementNames names;
            encoding.abstraction(world, names, state, Time::now);
            if (!invariants_) continue;
            for (const InvariantDecl& invariant : encoding.invariants) {
                if (!state.holds(invariant.formula)) {
                    fail(encoding, "invariant", invariant.name,
                         "a reached state breaks it:\n" +
                             describe_lines(encoding, state, Time::now));
                }
            }
        }
    }

    void check_init(const pmodel::World& world) {
        for (const Encoding& encoding : encodings_) {
            Structure state = structure(encoding, world, world, 1);
            ElementNames names;
            encoding.abstraction(world, names, state, Time::now);
            // The extra component is one not created yet: it must be initial too.
            if (!state.holds(encoding.init)) {
                fail(encoding, "init", "initial state",
                     "the initial world is not an initial state of the encoding:\n" +
                         describe_lines(encoding, state, Time::now));
            }
        }
    }

    void check_transition(const pmodel::World& before,
                          const pmodel::World& after,
                          const pmodel::Action& action) {
        for (std::size_t index = 0; index < encodings_.size(); ++index) {
            const Encoding& encoding = encodings_[index];
            Structure state = structure(encoding, before, after);
            ElementNames names;
            encoding.abstraction(before, names, state, Time::now);
            encoding.abstraction(after, names, state, Time::next);
            if (state.stutters()) continue;
            ++report.steps[index];
            std::vector<std::uint32_t> changed;
            for (std::uint32_t comp = 0; comp < state.size(encoding.comp); ++comp) {
                if (changed_at(state, encoding.comp, comp)) changed.push_back(comp);
            }
            // Components that changed first (the usual instance), then any: an action may name
            // a component its step leaves as it was (the creator of a spawn that needs no Ack).
            bool matched = false;
            for (const auto& domain : {changed, std::vector<std::uint32_t>{}}) {
                for (const ActionDecl& candidate : encoding.actions) {
                    if (some_instance_holds(state, candidate, encoding.comp, domain)) {
                        matched = true;
                        break;
                    }
                }
                if (matched) break;
            }
            if (!matched) {
                fail(encoding, "transition", before.describe(action),
                     concat("no action of the encoding takes this step: ",
                            changed_lines(encoding, state, changed),
                            "Changed:", cell_changes(state)));
            }
        }
    }

    static std::string describe_lines(const Encoding& encoding, const Structure& state, Time time) {
        std::string out;
        for (std::uint32_t comp = 0; comp < state.size(encoding.comp); ++comp) {
            out += concat("  c", std::to_string(comp), ": ", encoding.describe(state, comp, time),
                          "\n");
        }
        return out;
    }

    ConformanceReport report;

  private:
    const std::vector<Encoding>& encodings_;
    const ConformanceOptions& options_;
    bool invariants_;
};

}  // namespace

ConformanceReport check_conformance(const pmodel::World& initial,
                                    const std::vector<Encoding>& encodings,
                                    const ConformanceOptions& options,
                                    bool invariants) {
    Run run(encodings, options, invariants);
    run.check_init(initial);
    std::unordered_set<std::uint64_t> seen{initial.fingerprint()};
    std::deque<pmodel::World> frontier{initial};
    std::vector<pmodel::Action> actions;
    while (!frontier.empty()) {
        const pmodel::World world = std::move(frontier.front());
        frontier.pop_front();
        ++run.report.states;
        run.check_state(world);
        if (!world.violations().empty()) continue;  // the checker stops a path at a violation
        world.enabled_actions(actions);
        for (const pmodel::Action& action : actions) {
            pmodel::World next = world;
            next.apply(action);
            ++run.report.transitions;
            run.check_transition(world, next, action);
            if (!seen.insert(next.fingerprint()).second) continue;
            if (seen.size() > options.max_states) {
                run.report.complete = false;
                continue;
            }
            frontier.push_back(std::move(next));
        }
    }
    return run.report;
}

}  // namespace psmt
