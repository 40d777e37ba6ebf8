// Sync rounds, symbolically (core/src/consensus.cpp: evaluate, decide, on_decision; the ends
// inside a round in lifetime.cpp; the observers' round links, model/src/properties/rounds.cpp):
// rounds that a put joined conclude alike, and a round commits only with its puts accepted in
// order, for any number of components and rounds.
//
//   round r of c:  open --sync_end--> submitted --Solution--> won (Solution on its way, committed)
//                    \                      \----Failure----> lost (Failure on its way, ended)
//                     \__ c ends inside it (not in the commit window) __________> lost
//
//   a put of round r1 accepted in round r2: linked(r1, r2); the observers judge the link when
//   both concluded: one committed and the other ended outside the commit window is SY-1, SY-3
//   or SY-4 (by how the end was triggered); a committed round with a put not accepted is SY-2,
//   or accepted out of order SY-5.
//
// Rounds are elements of their own sort, named by (component, index). A round is `won` once a
// Solution is on its way to it or it committed, `lost` once a Failure is on its way to it or it
// ended outside the commit window (pmodel::in_commit_window: killed from outside after its
// vote, which two-phase commit cannot prevent).
//
// One action, any step, bounded by local rules of the code, each checked by conformance on
// every step:
//   decide:     a Solution goes only to rounds whose linked rounds all get it too and none of
//               which is lost (evaluate: every listed peer accounted for, every channel end
//               twinned, no part failed), and whose puts were all accepted, in order;
//   ends:       no round is lost while a round linked to it is won (the ClosePort of a peer
//               that committed does not fail the round: close_port_info=round_number; a round
//               cancel waits for the decision: round_cancel_after_vote=at_decision);
//   gets:       a put is accepted only into rounds not yet won;
//   observers:  a finding names a linked pair that concluded apart, or a committed round with a
//               put not accepted (or out of order).
//
// Properties (contract §7): SY-1, SY-3, SY-4 (linked rounds conclude alike; the observers tell
// the three apart by the trigger of the end), SY-2 (a committed round's puts were accepted),
// SY-5 (in order). The designs whose handlers break a rule drop it, and get their CTI.
#include <algorithm>
#include <cctype>
#include <functional>

#include "concat.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace sync_rounds {

namespace {

struct Symbols {
    SymbolId owner, open, submitted, committed, ended, excused, solution_sent, failure_sent, linked,
        unaccepted, overtaken, sy1, sy3, sy4, sy2, sy5;
};

// Which rules of the code hold in a design (conformance found each broken where it is off).
struct Rules {
    // A Solution reaches every round linked to one it reaches: off where a silently failed
    // leader still decides (error_relay=none: it stops without a word, yet takes the parts on
    // their way and answers them; its own round ended, so it never commits).
    bool solutions_reach_linked_rounds = true;
    // A Solution goes to no round that is lost: off where a round cancel ends a participant
    // after its vote and the leader still counts the vote (round_cancel_after_vote=immediate).
    bool solutions_spare_lost_rounds = true;
    // No round is lost while a round linked to it is won: off where the ClosePort of a peer
    // that committed fails the round (close_port_info=in_sync_flag or none), and where a round
    // cancel ends a participant with a Solution on its way (round_cancel_after_vote=immediate).
    bool ends_spare_won_rounds = true;
    // A Solution goes only to rounds whose puts were accepted in order: off where channels are
    // independent (ordering=none), and where the network reorders a pair's messages
    // (network=fifo_channel or unordered: the order check on arrival sees data out of order
    // that it cannot tell from a later put).
    bool ordered_accepts = true;
};

Rules rules_of(const pcore::Variants& variants) {
    Rules rules;
    const bool cancel_waits =
        variants.round_cancel_after_vote == pcore::RoundCancelAfterVote::at_decision;
    rules.solutions_reach_linked_rounds = variants.error_relay == pcore::ErrorRelay::forward;
    rules.solutions_spare_lost_rounds = cancel_waits;
    rules.ends_spare_won_rounds =
        cancel_waits && variants.close_port_info == pcore::ClosePortInfo::round_number;
    rules.ordered_accepts = variants.ordering == pcore::Ordering::on_arrival &&
                            variants.network == pcore::NetworkOrder::fifo_pair;
    return rules;
}

struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    SortId round;
    Var r1, r2, a, b;
    Expr R1, R2, A, B;

    [[nodiscard]] Expr at(Time time, SymbolId symbol, std::vector<Expr> args) const {
        return time == Time::now ? r(symbol, std::move(args)) : r.next(symbol, std::move(args));
    }
    // A Solution is on its way to the round, or it committed.
    [[nodiscard]] Expr won(Time time, const Expr& x) const {
        return lor({at(time, f.committed, {x}), at(time, f.solution_sent, {x})});
    }
    // A Failure is on its way to the round, or it ended outside the commit window.
    [[nodiscard]] Expr lost(Time time, const Expr& x) const {
        return lor({at(time, f.failure_sent, {x}),
                    land({at(time, f.ended, {x}), lnot(at(time, f.excused, {x}))})});
    }
    [[nodiscard]] Expr newly(const std::function<Expr(Time)>& what) const {
        return land({what(Time::next), lnot(what(Time::now))});
    }
    [[nodiscard]] Expr linked_now(Time time, const Expr& x, const Expr& y) const {
        return lor({at(time, f.linked, {x, y}), at(time, f.linked, {y, x})});
    }
    // Linked before or after the step (the observers drop a link as they judge it).
    [[nodiscard]] Expr joined(const Expr& x, const Expr& y) const {
        return lor({linked_now(Time::now, x, y), linked_now(Time::next, x, y)});
    }
};

Builder declare(Encoding& e) {
    Vocabulary& voc = e.vocabulary;
    const SortId comp = voc.uninterpreted("comp");
    const SortId round = voc.uninterpreted("round");
    e.comp = comp;
    const Symbols f{
        voc.relation("owner", {round, comp}, "the component whose sync block this round is"),
        voc.relation("open", {round}, "entered, not concluded"),
        voc.relation("submitted", {round}, "open, and its owner ran its sync_end (voted)"),
        voc.relation("committed", {round}, "its owner moved past its sync_end (Solution)"),
        voc.relation("ended", {round}, "its owner ended inside it"),
        voc.relation("excused", {round},
                     "ended in the commit window: killed from outside after its vote"),
        voc.relation("solution_sent", {round}, "a Solution Decision is on its way to its owner"),
        voc.relation("failure_sent", {round}, "a Failure Decision is on its way to its owner"),
        voc.relation("linked", {round, round},
                     "ghost: a put of the first round was accepted in the second"),
        voc.relation("unaccepted", {round},
                     "ghost: a put made in it is not accepted (outstanding or reported failed)"),
        voc.relation("overtaken", {round},
                     "ghost: a put made in it was accepted after a later one of the same round"),
        voc.relation("sy1", {comp, comp}, "ghost: the observers found SY-1 (ended, committed)"),
        voc.relation("sy3", {comp, comp}, "ghost: the observers found SY-3 (ended, committed)"),
        voc.relation("sy4", {comp, comp}, "ghost: the observers found SY-4 (ended, committed)"),
        voc.relation("sy2", {comp}, "ghost: the observers found SY-2 at this component"),
        voc.relation("sy5", {comp}, "ghost: the observers found SY-5 at this committer")};
    VarPool& vars = e.vars;
    const Var r1 = vars.fresh(round, "r1"), r2 = vars.fresh(round, "r2");
    const Var a = vars.fresh(comp, "a"), b = vars.fresh(comp, "b");
    return Builder{e,     Reader{e.vocabulary}, f, round, r1, r2, a, b, ref(r1), ref(r2), ref(a),
                   ref(b)};
}

// No round entered, nothing found.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    std::vector<Expr> quiet;
    for (SymbolId unary : {f.open, f.submitted, f.committed, f.ended, f.solution_sent,
                           f.failure_sent, f.unaccepted, f.overtaken}) {
        quiet.push_back(lnot(d.r(unary, {d.R1})));
    }
    quiet.push_back(lnot(d.r(f.linked, {d.R1, d.R2})));
    std::vector<Expr> none;
    for (SymbolId pair : {f.sy1, f.sy3, f.sy4}) none.push_back(lnot(d.r(pair, {d.A, d.B})));
    for (SymbolId single : {f.sy2, f.sy5}) none.push_back(lnot(d.r(single, {d.A})));
    d.e.init = land(
        {forall({d.r1, d.r2}, land(std::move(quiet))), forall({d.a, d.b}, land(std::move(none)))});
}

// The rules about pairs of rounds: decide, ends, gets.
Expr pair_rules(const Builder& d, const Rules& rules) {
    const Expr &R1 = d.R1, &R2 = d.R2;
    const Expr newly_won = d.newly([&](Time t) { return d.won(t, R1); });
    const Expr newly_lost = d.newly([&](Time t) { return d.lost(t, R2); });
    std::vector<Expr> all{
        implies(land({lnot(d.r(d.f.linked, {R1, R2})), d.r.next(d.f.linked, {R1, R2})}),
                land({lnot(d.won(Time::next, R1)), lnot(d.won(Time::next, R2))}))};
    if (rules.solutions_reach_linked_rounds) {
        all.push_back(implies(land({newly_won, d.joined(R1, R2)}), d.won(Time::next, R2)));
    }
    if (rules.solutions_spare_lost_rounds) {
        all.push_back(implies(land({newly_won, d.joined(R1, R2)}), lnot(d.lost(Time::next, R2))));
    }
    if (rules.ends_spare_won_rounds) {
        all.push_back(implies(land({newly_lost, d.joined(R1, R2)}), lnot(d.won(Time::next, R1))));
    }
    return forall({d.r1, d.r2}, land(std::move(all)));
}

// The rules about one round's puts: a Solution only with every put accepted (in order), and an
// accepted put stays so.
Expr put_rules(const Builder& d, const Rules& rules) {
    const Expr& R1 = d.R1;
    const Expr newly_won = d.newly([&](Time t) { return d.won(t, R1); });
    std::vector<Expr> all{implies(newly_won, land({lnot(d.r(d.f.unaccepted, {R1})),
                                                   lnot(d.r.next(d.f.unaccepted, {R1}))})),
                          implies(land({d.won(Time::now, R1), lnot(d.r(d.f.unaccepted, {R1}))}),
                                  lnot(d.r.next(d.f.unaccepted, {R1})))};
    if (rules.ordered_accepts) {
        all.push_back(implies(newly_won, land({lnot(d.r(d.f.overtaken, {R1})),
                                               lnot(d.r.next(d.f.overtaken, {R1}))})));
        all.push_back(implies(land({d.won(Time::now, R1), lnot(d.r(d.f.overtaken, {R1}))}),
                              lnot(d.r.next(d.f.overtaken, {R1}))));
    }
    return forall({d.r1}, land(std::move(all)));
}

// The observers' bookkeeping: what a new finding rests on.
Expr finding_rules(const Builder& d) {
    const Symbols& f = d.f;
    const Expr &R1 = d.R1, &R2 = d.R2, &A = d.A, &B = d.B;
    const auto fresh = [&](SymbolId symbol, std::vector<Expr> args) {
        return land({d.r.next(symbol, args), lnot(d.r(symbol, args))});
    };
    // a's round r2 ended outside the window, b's round r1 committed, and they were linked.
    const Expr apart =
        exists({d.r1, d.r2}, land({d.r.next(f.owner, {R2, A}), d.r.next(f.owner, {R1, B}),
                                   d.linked_now(Time::now, R1, R2), d.r.next(f.committed, {R1}),
                                   d.r.next(f.ended, {R2}), lnot(d.r.next(f.excused, {R2}))}));
    const auto committed_with = [&](SymbolId flaw) {
        return exists({d.r1}, land({d.r.next(f.owner, {R1, A}), d.r.next(f.committed, {R1}),
                                    d.r(flaw, {R1})}));
    };
    return forall({d.a, d.b},
                  land({implies(fresh(f.sy1, {A, B}), apart), implies(fresh(f.sy3, {A, B}), apart),
                        implies(fresh(f.sy4, {A, B}), apart),
                        implies(fresh(f.sy2, {A}), committed_with(f.unaccepted)),
                        implies(fresh(f.sy5, {A}), committed_with(f.overtaken))}));
}

void add_step(Builder& d, const Rules& rules) {
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step: a get (links rounds), a leader's decide (Decisions out), on_decision (commit "
        "or end), an end inside a round (ClosePort, round cancel, a failure), the observers' "
        "judgement of a concluded round",
        {},
        land({pair_rules(d, rules), put_rules(d, rules), finding_rules(d)})});
}

// The observers' findings each property reads, by contract id.
std::vector<std::pair<std::string, SymbolId>> findings(const Symbols& f) {
    return {{"SY-1", f.sy1}, {"SY-3", f.sy3}, {"SY-4", f.sy4}, {"SY-2", f.sy2}, {"SY-5", f.sy5}};
}

// "no_sy1_so_far" for SY-1.
std::string so_far(const std::string& id) {
    std::string name = "no_";
    for (char c : id) {
        if (c != '-')
            name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return name + "_so_far";
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Expr &R1 = d.R1, &R2 = d.R2, &A = d.A, &B = d.B;
    auto add = [&](std::string name, std::string words, Expr formula) {
        d.e.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    };
    add("agreement",
        "no round is won (Solution on its way, or committed) while a round linked to it is lost "
        "(Failure on its way, or ended outside the commit window)",
        forall({d.r1, d.r2}, implies(d.linked_now(Time::now, R1, R2),
                                     lnot(land({d.won(Time::now, R1), d.lost(Time::now, R2)})))));
    add("won_rounds_puts_accepted", "every put of a won round was accepted",
        forall({d.r1}, implies(d.won(Time::now, R1), lnot(d.r(f.unaccepted, {R1})))));
    add("won_rounds_in_order", "no put of a won round was accepted after a later one",
        forall({d.r1}, implies(d.won(Time::now, R1), lnot(d.r(f.overtaken, {R1})))));
    for (const auto& [id, symbol] : findings(f)) {
        const bool pair = d.e.vocabulary.symbol(symbol).args.size() == 2;
        add(so_far(id),
            concat("the observers have found no ", id, " violation (", id,
                   " itself, kept inductive)"),
            pair ? forall({d.a, d.b}, lnot(d.r(symbol, {A, B})))
                 : forall({d.a}, lnot(d.r(symbol, {A}))));
    }
}

void add_properties(Builder& d) {
    const Symbols& f = d.f;
    const Expr &A = d.A, &B = d.B;
    const std::string rest = "; from local rules of the code that conformance checks on every step";
    const auto pair_property = [&](const std::string& id, SymbolId symbol,
                                   const std::string& words) {
        d.e.properties.push_back(PropertyDecl{id,
                                              words + rest,
                                              forall({d.a, d.b}, lnot(d.r(symbol, {A, B}))),
                                              {"agreement", so_far(id)}});
    };
    pair_property("SY-1", f.sy1,
                  "agreement: no round commits while a round it shares a put with gets Failure or "
                  "ends after its vote (outside the commit window)");
    pair_property("SY-3", f.sy3,
                  "no false failure: no round is failed by the ClosePort of a peer that committed "
                  "a round they share");
    pair_property("SY-4", f.sy4,
                  "failure spreads: no round commits while a round it shares a put with ended "
                  "before its vote");
    d.e.properties.push_back(
        PropertyDecl{"SY-2",
                     "validity: a committed round's puts were all accepted" + rest,
                     forall({d.a}, lnot(d.r(f.sy2, {A}))),
                     {"won_rounds_puts_accepted", so_far("SY-2")}});
    d.e.properties.push_back(PropertyDecl{
        "SY-5",
        "order: a committed round's puts were accepted in the order they were made" + rest,
        forall({d.a}, lnot(d.r(f.sy5, {A}))),
        {"won_rounds_in_order", so_far("SY-5")}});
}

void clear(const Symbols& f, Structure& out, Time time) {
    const std::uint32_t comps = out.size(0);
    const std::uint32_t rounds = out.size(1);
    for (std::uint32_t x = 0; x < rounds; ++x) {
        for (SymbolId unary : {f.open, f.submitted, f.committed, f.ended, f.excused,
                               f.solution_sent, f.failure_sent, f.unaccepted, f.overtaken}) {
            out.set(unary, {x}, 0, time);
        }
        for (std::uint32_t y = 0; y < rounds; ++y) out.set(f.linked, {x, y}, 0, time);
        for (std::uint32_t c = 0; c < comps; ++c) out.set(f.owner, {x, c}, 0, time);
    }
    for (std::uint32_t a = 0; a < comps; ++a) {
        for (SymbolId single : {f.sy2, f.sy5}) out.set(single, {a}, 0, time);
        for (std::uint32_t b = 0; b < comps; ++b) {
            for (SymbolId pair : {f.sy1, f.sy3, f.sy4}) out.set(pair, {a, b}, 0, time);
        }
    }
}

// Every round each component entered, with how it went (the observers' reading: status_of).
void abstract_rounds(const Symbols& f,
                     const pmodel::World& world,
                     const std::function<std::uint32_t(pcore::CompId, std::uint32_t)>& round_of,
                     Structure& out,
                     Time time) {
    const auto count = static_cast<std::uint32_t>(world.comps().size());
    for (std::uint32_t index = 0; index < count && index < out.size(0); ++index) {
        const pcore::CompId comp(index);
        const pmodel::SlotGhost& facts = world.slot_ghost(comp);
        for (std::uint32_t k = 0; k < facts.rounds; ++k) {
            const std::uint32_t x = round_of(comp, k);
            out.set(f.owner, {x, index}, 1, time);
            if (k + 1 < facts.rounds || facts.last_round == pmodel::RoundStatus::committed) {
                out.set(f.committed, {x}, 1, time);
            } else if (facts.last_round == pmodel::RoundStatus::open) {
                out.set(f.open, {x}, 1, time);
                out.set(f.submitted, {x}, facts.submitted ? 1 : 0, time);
            } else if (facts.last_round == pmodel::RoundStatus::ended) {
                out.set(f.ended, {x}, 1, time);
                out.set(f.excused, {x}, pmodel::in_commit_window(world, comp) ? 1 : 0, time);
            }
        }
    }
}

// Decisions on their way (to the receiver's latest round), links, puts, findings.
void abstract_record(const Symbols& f,
                     const pmodel::World& world,
                     const std::function<std::uint32_t(pcore::CompId, std::uint32_t)>& round_of,
                     Structure& out,
                     Time time) {
    for (const pmodel::Link& link : world.links()) {
        const std::uint32_t rounds = world.slot_ghost(link.to).rounds;
        for (const pcore::Message& message : link.queue) {
            const auto* decision = std::get_if<pcore::Decision>(&message);
            if (decision == nullptr || rounds == 0) continue;
            out.set(decision->solution ? f.solution_sent : f.failure_sent,
                    {round_of(link.to, rounds - 1)}, 1, time);
        }
    }
    for (const pmodel::RoundLink& link : world.ghost().links) {
        out.set(
            f.linked,
            {round_of(link.putter, link.putter_round), round_of(link.getter, link.getter_round)}, 1,
            time);
    }
    for (const pmodel::PutRecord& put : world.ghost().puts) {
        const std::uint32_t x = round_of(put.sender, put.sender_round);
        if (put.status != pmodel::PutStatus::accepted) out.set(f.unaccepted, {x}, 1, time);
        if (put.status == pmodel::PutStatus::accepted && put.overtaken) {
            out.set(f.overtaken, {x}, 1, time);
        }
    }
    const std::uint32_t comps = out.size(0);
    for (const pmodel::Violation& violation : world.violations()) {
        std::vector<std::uint32_t> who;
        for (pcore::CompId comp : violation.comps) who.push_back(comp.value());
        if (std::any_of(who.begin(), who.end(), [&](std::uint32_t c) { return c >= comps; })) {
            continue;
        }
        for (const auto& [id, symbol] : findings(f)) {
            if (violation.property != id) continue;
            const bool pair = out.vocabulary().symbol(symbol).args.size() == 2;
            if (pair && who.size() == 2) out.set(symbol, {who[0], who[1]}, 1, time);
            // SY-2 names the committer; SY-5 the acceptor, then the committer.
            if (!pair && !who.empty()) out.set(symbol, {who.back()}, 1, time);
        }
    }
}

void abstract_world(const Symbols& f,
                    SortId round,
                    const pmodel::World& world,
                    ElementNames& names,
                    Structure& out,
                    Time time) {
    clear(f, out, time);
    const auto round_of = [&](pcore::CompId comp, std::uint32_t index) {
        return names.of(round, {comp.value(), index});
    };
    abstract_rounds(f, world, round_of, out, time);
    abstract_record(f, world, round_of, out, time);
}

std::uint32_t round_count(const pmodel::World& world) {
    std::uint32_t count = 0;
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        count += world.slot_ghost(pcore::CompId(index)).rounds;
    }
    return count;
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line;
    for (std::uint32_t x = 0; x < state.size(1); ++x) {
        if (!state.get(f.owner, {x, c}, time)) continue;
        line += concat("; round r", std::to_string(x));
        const std::pair<SymbolId, const char*> facts[] = {
            {f.open, " open"},
            {f.submitted, ", voted"},
            {f.committed, " committed"},
            {f.ended, " ended"},
            {f.excused, " (commit window)"},
            {f.solution_sent, ", Solution on its way"},
            {f.failure_sent, ", Failure on its way"},
            {f.unaccepted, ", a put not accepted"},
            {f.overtaken, ", puts accepted out of order"}};
        for (const auto& [symbol, words] : facts) {
            if (state.get(symbol, {x}, time)) line += words;
        }
        for (std::uint32_t y = 0; y < state.size(1); ++y) {
            if (state.get(f.linked, {x, y}, time)) {
                line += concat(", a put accepted in r", std::to_string(y));
            }
        }
    }
    return line.empty() ? std::string("no round") : line.substr(2);
}

}  // namespace

}  // namespace sync_rounds

Encoding sync_round_encoding(const pcore::Variants& variants) {
    using namespace sync_rounds;
    Encoding e;
    e.protocol = "sync rounds";
    Builder builder = declare(e);
    add_init(builder);
    add_step(builder, rules_of(variants));
    add_invariants(builder);
    add_properties(builder);
    const Symbols f = builder.f;
    const SortId round = builder.round;
    wire_one_sort(e, f, round, abstract_world, round_count, describe);
    return e;
}

}  // namespace psmt
