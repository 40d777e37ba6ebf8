// `protocheck prove`: each property's inductive invariant checked by Z3 with three kinds of
// query, as Ivy and Apalache ask them:
//
//   initiation    Init => Inv                         one query
//   consecution   Inv & T_a => Inv'                   one query per action a of the protocol
//   safety        Inv => Safety                       one query
//
// Inv is the conjunction of the auxiliary invariants the property lists (docs/invariants.md).
// A query that fails gives a counterexample to induction (CTI): the smallest model Z3 finds
// (components first minimised), printed as the state before, the action with its parameters,
// the state after, and the invariants the step broke. Unknown (a time bound, or Z3 giving up)
// is its own verdict, never a pass. A query that holds only because nothing satisfies its frame
// is marked vacuous; a vacuous initiation (no initial state) makes the property unknown.
#pragma once

#include <string>
#include <vector>

#include "psmt/encoding.hpp"

namespace psmt {

enum class Verdict { holds, fails, unknown };
[[nodiscard]] const char* verdict_name(Verdict verdict);

struct QueryResult {
    std::string kind;    // initiation, consecution, safety
    std::string action;  // consecution: the action
    Verdict verdict = Verdict::unknown;
    double seconds = 0;
    std::string detail;  // fails: the broken formulas; unknown: Z3's reason
    std::string cti;     // fails: the counterexample, in words
    // holds, but only because its frame is unsatisfiable: an action never enabled under the
    // invariant (a variant's path the design never takes), or an Init with no state at all.
    bool vacuous = false;
};

struct PropertyResult {
    std::string id;
    std::string protocol;
    std::string words;
    std::vector<std::string> invariants;
    Verdict verdict = Verdict::holds;  // the worst of its queries
    double seconds = 0;
    std::vector<QueryResult> queries;
};

struct ProveOptions {
    std::vector<std::string> properties;  // empty: every encoded property
    unsigned timeout_ms = 60000;          // per query
};

[[nodiscard]] std::vector<PropertyResult> prove(const std::vector<Encoding>& encodings,
                                                const ProveOptions& options);

// A state of a structure, one line a component, in `encoding`'s words.
[[nodiscard]] std::string describe_state(const Encoding& encoding,
                                         const Structure& state,
                                         Time time,
                                         const std::string& indent);

}  // namespace psmt
