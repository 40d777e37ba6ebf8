// Error propagation, symbolically: how a component's end is triggered, ranked and reported
// (core/src/lifetime.cpp: trigger_end, run_handler, run_queued_handler, end_component,
// merge_into; variants shutdown_guard and cancel_precedence), for any number of components.
//
// Every cause of an end that reaches a component (its own error, a remote error in a
// ClosePort, Decision or DataMessageFailed, a cancel) goes through trigger_end; the observers
// rank each cause as it arrives (FactCause) and count the failure handler's reports to the host
// (FactHandlerRun). The encoding states one component's step symbolically, the way the handler
// code runs, and leaves every other component as it was:
//
//   running --trigger--> [atomic_flag] handler: ended with the cause
//                        [none]        queued --run--> handler (once per queued trigger)
//                        [lock]        main path: lock, queued --run--> handler, unlock
//                                      signal with the lock held: deadlocked
//   ended ---trigger--> merged by precedence (error_first: the higher rank; cancel_overrides:
//                       a cancel wins, and nothing replaces a cancel)
//
// Properties (contract §7): NM-2 and NM-3 (the end's rank is the strongest cause that reached
// it), NM-5 (the handler reports once), and DF-1's failure-handler part (no component waits
// forever on its own shutdown lock). docs/invariants.md has the auxiliary invariants in words.
#include <array>

#include "pmodel/observed.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace propagation {

namespace {

// The values of the enumerated sorts, in the order the observers rank causes (NM-3).
enum Rank : std::uint32_t { result, own_cancel, foreign_cancel, remote, local, rank_count };
enum Kind : std::uint32_t { running, completed, failed, cancelled };
enum Count : std::uint32_t { zero, one, many };
enum PathValue : std::uint32_t { main_path, signal_path };
enum YesNo : std::uint32_t { no, yes };

struct Sorts {
    SortId comp, rank, kind, count, path, choice;
};

struct Symbols {
    SymbolId kind, rank, ended, exited, has_cause, strongest, reports;
    SymbolId flag, lock_held, deadlocked, queued, front, pending;
    SymbolId rank_le, rank_max, kind_of, inc;
};

// One component's state in a step, as expressions over the state before it.
struct Local {
    Expr kind, rank, ended, exited, has_cause, strongest, reports;
    Expr flag, lock_held, deadlocked, queued, front;
    std::array<Expr, rank_count> pending;
};

class Builder {
  public:
    Builder(Encoding& encoding, const pcore::Variants& variants)
        : e_(encoding), variants_(variants) {}

    void declare();
    void define_actions();
    void define_invariants();
    void define_guard_invariant();
    void define_properties();

    const Sorts& sorts() const { return s_; }
    const Symbols& symbols() const { return f_; }

  private:
    Expr at(SymbolId symbol, const Expr& comp, Time time = Time::now) const {
        return apply(e_.vocabulary, symbol, {comp}, time);
    }
    Expr val(SortId sort, std::uint32_t index) const { return value(sort, index); }
    Expr rank_le(Expr a, Expr b) const { return apply(e_.vocabulary, f_.rank_le, {a, b}); }
    Expr rank_max(Expr a, Expr b) const { return apply(e_.vocabulary, f_.rank_max, {a, b}); }
    Expr kind_of(Expr rank) const { return apply(e_.vocabulary, f_.kind_of, {rank}); }
    Expr inc(Expr count) const { return apply(e_.vocabulary, f_.inc, {count}); }
    Expr pending_at(const Expr& comp, std::uint32_t rank, Time time = Time::now) const {
        return apply(e_.vocabulary, f_.pending, {comp, val(s_.rank, rank)}, time);
    }

    Local before(const Expr& comp) const;
    Local select(const Expr& condition, const Local& then, const Local& otherwise) const;
    Expr replaces(const Expr& candidate, const Local& current) const;
    void merge(Local& state, const Expr& rank) const;
    void observe(Local& state, const Expr& rank) const;
    Local run_handler(const Local& state, const Expr& rank) const;
    Local triggered(const Local& state, const Expr& rank, const Expr& path) const;
    Local lock_trigger(const Local& state, const Expr& rank, const Expr& path) const;
    Local queue(const Local& state, const Expr& rank) const;
    Expr becomes(const Expr& comp, const Local& after, const Expr& exits) const;
    Expr others_unchanged(const Var& comp) const;
    void add_action(std::string name, std::string handler, std::vector<Var> params, Expr body);
    void add_invariant(std::string name, std::string words, Expr formula) {
        e_.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    }
    Expr is_kind(const Expr& e, Kind k) const { return eq(e, val(s_.kind, k)); }
    Expr is_count(const Expr& e, Count k) const { return eq(e, val(s_.count, k)); }
    Expr is_rank(const Expr& e, Rank k) const { return eq(e, val(s_.rank, k)); }
    // What the invariants and properties are written over: a component c, bound by
    // `each(body)` = forall c. body, and its state.
    struct Each {
        Var var;
        Expr c;
        Local now;
        Expr operator()(Expr body) const { return forall({var}, std::move(body)); }
    };
    Each each_component() {
        const Var var = e_.vars.fresh(s_.comp, "c");
        return Each{var, ref(var), before(ref(var))};
    }

    Encoding& e_;
    pcore::Variants variants_;
    Sorts s_{};
    Symbols f_{};
};

void Builder::declare() {
    Vocabulary& v = e_.vocabulary;
    s_.comp = v.uninterpreted("comp");
    s_.rank = v.enumerated("rank", {"result", "own_cancel", "foreign_cancel", "remote", "local"});
    s_.kind = v.enumerated("kind", {"running", "completed", "failed", "cancelled"});
    s_.count = v.enumerated("count", {"zero", "one", "many"});
    s_.path = v.enumerated("path", {"main", "signal"});
    s_.choice = v.enumerated("choice", {"no", "yes"});
    e_.comp = s_.comp;
    const SortId c = s_.comp;
    f_.kind = v.function("kind", {c}, s_.kind, "the core's outcome: running until it ended");
    f_.rank = v.function("rank", {c}, s_.rank, "the observers' class of that outcome");
    f_.ended = v.relation("ended", {c}, "mode busy_exit or exited");
    f_.exited = v.relation("exited", {c}, "mode exited: every Ack in, self reference dropped");
    f_.has_cause = v.relation("has_cause", {c}, "ghost: a cause of its end reached it");
    f_.strongest = v.function("strongest", {c}, s_.rank, "ghost: the strongest such cause");
    f_.reports = v.function("reports", {c}, s_.count, "ghost: failure-handler runs");
    f_.flag = v.relation("flag", {c}, "the shutdown flag");
    f_.lock_held = v.relation("lock_held", {c}, "the shutdown lock is held (lock)");
    f_.deadlocked = v.relation("deadlocked", {c}, "a signal handler waits for its own lock");
    f_.queued = v.function("queued", {c}, s_.count, "failure-handler steps queued");
    f_.front = v.function("front", {c}, s_.rank, "the class of the first queued end");
    f_.pending = v.relation("pending", {c, s_.rank}, "a queued end of this class");
    f_.rank_le = v.rigid(
        "rank_le", {s_.rank, s_.rank}, bool_sort,
        [](const std::vector<std::uint32_t>& a) { return a[0] <= a[1] ? 1U : 0U; },
        "NM-3's order: result < own cancel < foreign cancel < remote < local");
    f_.rank_max = v.rigid(
        "rank_max", {s_.rank, s_.rank}, s_.rank,
        [](const std::vector<std::uint32_t>& a) { return a[0] < a[1] ? a[1] : a[0]; },
        "the higher of two classes");
    f_.kind_of = v.rigid(
        "kind_of", {s_.rank}, s_.kind,
        [](const std::vector<std::uint32_t>& a) -> std::uint32_t {
            if (a[0] == result) return completed;
            return a[0] == own_cancel || a[0] == foreign_cancel ? cancelled : failed;
        },
        "the outcome a cause of this class ends a component with");
    f_.inc = v.rigid(
        "inc", {s_.count}, s_.count,
        [](const std::vector<std::uint32_t>& a) { return a[0] == zero ? 1U : 2U; },
        "one more (many stays many)");
    const Var x = e_.vars.fresh(c, "c");
    const Var r = e_.vars.fresh(s_.rank, "r");
    const Expr cx = ref(x);
    e_.init = forall(
        {x},
        land({eq(at(f_.kind, cx), val(s_.kind, running)), eq(at(f_.rank, cx), val(s_.rank, result)),
              lnot(at(f_.ended, cx)), lnot(at(f_.exited, cx)), lnot(at(f_.has_cause, cx)),
              eq(at(f_.strongest, cx), val(s_.rank, result)),
              eq(at(f_.reports, cx), val(s_.count, zero)), lnot(at(f_.flag, cx)),
              lnot(at(f_.lock_held, cx)), lnot(at(f_.deadlocked, cx)),
              eq(at(f_.queued, cx), val(s_.count, zero)),
              eq(at(f_.front, cx), val(s_.rank, result)),
              forall({r}, lnot(apply(e_.vocabulary, f_.pending, {cx, ref(r)})))}));
}

Local Builder::before(const Expr& comp) const {
    Local state{at(f_.kind, comp),
                at(f_.rank, comp),
                at(f_.ended, comp),
                at(f_.exited, comp),
                at(f_.has_cause, comp),
                at(f_.strongest, comp),
                at(f_.reports, comp),
                at(f_.flag, comp),
                at(f_.lock_held, comp),
                at(f_.deadlocked, comp),
                at(f_.queued, comp),
                at(f_.front, comp),
                {}};
    for (std::uint32_t rank = 0; rank < rank_count; ++rank) {
        state.pending[rank] = pending_at(comp, rank);
    }
    return state;
}

Local Builder::select(const Expr& condition, const Local& then, const Local& otherwise) const {
    const auto pick = [&](const Expr& a, const Expr& b) {
        return a == b ? a : ite(condition, a, b);
    };
    Local out{pick(then.kind, otherwise.kind),
              pick(then.rank, otherwise.rank),
              pick(then.ended, otherwise.ended),
              pick(then.exited, otherwise.exited),
              pick(then.has_cause, otherwise.has_cause),
              pick(then.strongest, otherwise.strongest),
              pick(then.reports, otherwise.reports),
              pick(then.flag, otherwise.flag),
              pick(then.lock_held, otherwise.lock_held),
              pick(then.deadlocked, otherwise.deadlocked),
              pick(then.queued, otherwise.queued),
              pick(then.front, otherwise.front),
              {}};
    for (std::uint32_t rank = 0; rank < rank_count; ++rank) {
        out.pending[rank] = pick(then.pending[rank], otherwise.pending[rank]);
    }
    return out;
}

// merge_into's `replaces` (contract §8 cancel_precedence).
Expr Builder::replaces(const Expr& candidate, const Local& current) const {
    const Expr higher = lnot(rank_le(candidate, current.rank));
    if (variants_.cancel_precedence == pcore::CancelPrecedence::error_first) return higher;
    return land({neq(current.kind, val(s_.kind, cancelled)),
                 lor({eq(kind_of(candidate), val(s_.kind, cancelled)), higher})});
}

void Builder::merge(Local& state, const Expr& rank) const {
    const Expr take = replaces(rank, state);
    state.kind = ite(take, kind_of(rank), state.kind);
    state.rank = ite(take, rank, state.rank);
}

// The observers rank every cause as it arrives (World::on_effect(FactCause)).
void Builder::observe(Local& state, const Expr& rank) const {
    state.strongest = ite(state.has_cause, rank_max(state.strongest, rank), rank);
    state.has_cause = truth();
}

// run_handler: reports the end to the host; ends the component, or merges into its end.
Local Builder::run_handler(const Local& state, const Expr& rank) const {
    Local merged = state;
    merge(merged, rank);
    Local ended = state;
    ended.ended = truth();
    ended.kind = kind_of(rank);
    ended.rank = rank;
    Local out = select(state.ended, merged, ended);
    out.reports = inc(state.reports);
    return out;
}

Local Builder::queue(const Local& state, const Expr& rank) const {
    Local out = state;
    out.front = ite(eq(state.queued, val(s_.count, zero)), rank, state.front);
    out.queued = inc(state.queued);
    for (std::uint32_t value = 0; value < rank_count; ++value) {
        out.pending[value] = lor({state.pending[value], eq(rank, val(s_.rank, value))});
    }
    return out;
}

// trigger_end under shutdown_guard=lock, for a component that has not ended.
Local Builder::lock_trigger(const Local& state, const Expr& rank, const Expr& path) const {
    Local stuck = state;
    stuck.deadlocked = truth();
    Local handled = run_handler(state, rank);
    handled.flag = truth();
    const Local signal = select(state.lock_held, stuck, handled);
    // Main path with the flag set: the cause merges into the queued end (the queue holds one).
    Local into_front = state;
    Local front_state = state;
    front_state.rank = state.front;
    front_state.kind = kind_of(state.front);
    merge(front_state, rank);
    into_front.front = front_state.rank;
    for (std::uint32_t value = 0; value < rank_count; ++value) {
        const Expr is = eq(front_state.rank, val(s_.rank, value));
        const Expr was = eq(state.front, val(s_.rank, value));
        into_front.pending[value] =
            lor({is, land({state.pending[value],
                           lnot(land({was, eq(state.queued, val(s_.count, one))}))})});
    }
    Local locked = queue(state, rank);
    locked.flag = truth();
    locked.lock_held = truth();
    const Local main = select(state.flag, into_front, locked);
    return select(eq(path, val(s_.path, signal_path)), signal, main);
}

// trigger_end: one cause of its end reaches the component.
Local Builder::triggered(const Local& state, const Expr& rank, const Expr& path) const {
    const Expr moot = lor({state.exited, state.deadlocked,
                           land({state.ended, eq(state.kind, val(s_.kind, completed))})});
    Local seen = state;
    observe(seen, rank);
    Local merged = seen;
    merge(merged, rank);
    Local fresh = seen;
    switch (variants_.shutdown_guard) {
        case pcore::ShutdownGuard::atomic_flag:
            fresh = run_handler(seen, rank);
            fresh.flag = truth();
            break;
        case pcore::ShutdownGuard::none:
            fresh = queue(seen, rank);
            break;
        case pcore::ShutdownGuard::lock:
            fresh = lock_trigger(seen, rank, path);
            break;
    }
    return select(moot, state, select(state.ended, merged, fresh));
}

// c's state after the step is `after`, where an ended component may also finish its exit in
// the same step (try_finish_exit runs at the end of most handlers).
Expr Builder::becomes(const Expr& comp, const Local& after, const Expr& exits) const {
    const Expr exited = lor({after.exited, land({after.ended, eq(exits, val(s_.choice, yes))})});
    std::vector<Expr> parts{eq(at(f_.kind, comp, Time::next), after.kind),
                            eq(at(f_.rank, comp, Time::next), after.rank),
                            iff(at(f_.ended, comp, Time::next), after.ended),
                            iff(at(f_.exited, comp, Time::next), exited),
                            iff(at(f_.has_cause, comp, Time::next), after.has_cause),
                            eq(at(f_.strongest, comp, Time::next), after.strongest),
                            eq(at(f_.reports, comp, Time::next), after.reports),
                            iff(at(f_.flag, comp, Time::next), after.flag),
                            iff(at(f_.lock_held, comp, Time::next), after.lock_held),
                            iff(at(f_.deadlocked, comp, Time::next), after.deadlocked),
                            eq(at(f_.queued, comp, Time::next), after.queued),
                            eq(at(f_.front, comp, Time::next), after.front)};
    for (std::uint32_t rank = 0; rank < rank_count; ++rank) {
        parts.push_back(iff(pending_at(comp, rank, Time::next), after.pending[rank]));
    }
    return land(std::move(parts));
}

Expr Builder::others_unchanged(const Var& comp) const {
    std::vector<Expr> parts;
    for (SymbolId symbol = 0; symbol < e_.vocabulary.symbols().size(); ++symbol) {
        const SymbolDecl& decl = e_.vocabulary.symbol(symbol);
        if (decl.rigid()) continue;
        std::vector<Var> vars;
        std::vector<Expr> args;
        for (SortId sort : decl.args) {
            vars.push_back(e_.vars.fresh(sort, sort == s_.comp ? "o" : "v"));
            args.push_back(ref(vars.back()));
        }
        parts.push_back(forall(vars, implies(neq(args.front(), ref(comp)),
                                             eq(apply(e_.vocabulary, symbol, args, Time::next),
                                                apply(e_.vocabulary, symbol, args)))));
    }
    return land(std::move(parts));
}

void Builder::add_action(std::string name,
                         std::string handler,
                         std::vector<Var> params,
                         Expr body) {
    e_.actions.push_back(
        ActionDecl{std::move(name), std::move(handler), std::move(params), std::move(body)});
}

void Builder::define_actions() {
    const Var c = e_.vars.fresh(s_.comp, "c");
    const Var r1 = e_.vars.fresh(s_.rank, "cause");
    const Var p1 = e_.vars.fresh(s_.path, "path");
    const Var r2 = e_.vars.fresh(s_.rank, "cause2");
    const Var p2 = e_.vars.fresh(s_.path, "path2");
    const Var exits = e_.vars.fresh(s_.choice, "exits");
    const Var left = e_.vars.fresh(s_.count, "left");
    const Var next_front = e_.vars.fresh(s_.rank, "next_front");
    const Var front_stays = e_.vars.fresh(s_.choice, "front_stays");
    const Expr cx = ref(c);
    const Local now = before(cx);
    const Expr frame = others_unchanged(c);
    // A cause is never a result (a cause ends the component with an error or a cancel).
    const auto is_cause = [&](const Var& rank) { return neq(ref(rank), val(s_.rank, result)); };

    add_action(
        "trigger", "trigger_end (fail_local, fail_remote, on_cancel)", {c, r1, p1, exits},
        land({is_cause(r1), becomes(cx, triggered(now, ref(r1), ref(p1)), ref(exits)), frame}));
    add_action("trigger_twice", "on_decision: a failure, then the round cancel that waited for it",
               {c, r1, p1, r2, p2, exits},
               land({is_cause(r1), is_cause(r2),
                     becomes(cx, triggered(triggered(now, ref(r1), ref(p1)), ref(r2), ref(p2)),
                             ref(exits)),
                     frame}));
    // run_queued_handler: the first queued end is handled; the queue keeps the rest.
    Local handled = run_handler(now, now.front);
    handled.flag = truth();
    handled.queued = ref(left);
    handled.front = ite(eq(ref(left), val(s_.count, zero)), val(s_.rank, result), ref(next_front));
    for (std::uint32_t value = 0; value < rank_count; ++value) {
        const Expr is_front = eq(now.front, val(s_.rank, value));
        handled.pending[value] =
            land({neq(ref(left), val(s_.count, zero)), now.pending[value],
                  lor({lnot(is_front), eq(ref(front_stays), val(s_.choice, yes))})});
    }
    handled.lock_held = land({now.lock_held, neq(ref(left), val(s_.count, zero))});
    const Expr left_ok =
        lor({land({eq(now.queued, val(s_.count, one)), eq(ref(left), val(s_.count, zero))}),
             land({eq(now.queued, val(s_.count, many)), neq(ref(left), val(s_.count, zero))})});
    const Expr next_front_queued =
        implies(neq(ref(left), val(s_.count, zero)),
                apply(e_.vocabulary, f_.pending, {cx, ref(next_front)}, Time::next));
    add_action("run_handler", "run_queued_handler (the failure handler's own step)",
               {c, left, next_front, front_stays, exits},
               land({neq(now.queued, val(s_.count, zero)), lnot(now.deadlocked), left_ok,
                     becomes(cx, handled, ref(exits)), next_front_queued, frame}));
    Local done = now;
    done.ended = truth();
    done.kind = val(s_.kind, completed);
    done.rank = val(s_.rank, result);
    add_action("complete", "complete_component (the program's end)", {c, exits},
               land({lnot(now.ended), eq(now.queued, val(s_.count, zero)), lnot(now.deadlocked),
                     becomes(cx, done, ref(exits)), frame}));
    add_action("finish_exit", "try_finish_exit (the last Ack arrived)", {c},
               land({now.ended, becomes(cx, now, val(s_.choice, yes)), frame}));
}

// The auxiliary invariants every shutdown guard shares (docs/invariants.md).
void Builder::define_invariants() {
    const Each each = each_component();
    const Expr& c = each.c;
    const Local& now = each.now;
    const Var r = e_.vars.fresh(s_.rank, "r");
    const Expr pending_r = apply(e_.vocabulary, f_.pending, {c, ref(r)});
    add_invariant(
        "outcome_ranked",
        "a component has ended exactly when its outcome is no longer running; a running or "
        "completed outcome is ranked result, a failed or cancelled one by its cause",
        each(land({iff(now.ended, lnot(is_kind(now.kind, running))),
                   iff(lor({is_kind(now.kind, running), is_kind(now.kind, completed)}),
                       is_rank(now.rank, result)),
                   implies(lnot(is_rank(now.rank, result)), eq(now.kind, kind_of(now.rank)))})));
    add_invariant("exit_after_end", "only an ended component exits",
                  each(implies(now.exited, now.ended)));
    add_invariant(
        "queue_shape",
        "the queued ends are the pending classes, the first of them is one, and none is a result",
        each(land({iff(is_count(now.queued, zero), forall({r}, lnot(pending_r))),
                   implies(lnot(is_count(now.queued, zero)),
                           apply(e_.vocabulary, f_.pending, {c, now.front})),
                   implies(is_count(now.queued, zero), is_rank(now.front, result)),
                   lnot(pending_at(c, result))})));
    add_invariant(
        "cause_acts",
        "a cause that reached a component has ended it, waits in its handler queue, or found it "
        "deadlocked",
        each(implies(now.has_cause,
                     lor({now.ended, lnot(is_count(now.queued, zero)), now.deadlocked}))));
    add_invariant(
        "no_cause_quiet",
        "without a cause nothing is queued, nothing is stuck, and the outcome and the ghost say "
        "result",
        each(implies(lnot(now.has_cause),
                     land({is_count(now.queued, zero), is_rank(now.rank, result),
                           is_rank(now.strongest, result), lnot(now.deadlocked)}))));
    add_invariant(
        "caused_end_not_completed",
        "a component that a cause reached does not end completed (a result that came first "
        "makes later causes moot)",
        each(implies(land({now.has_cause, now.ended}), lnot(is_kind(now.kind, completed)))));
    add_invariant(
        "strongest_bounds",
        "the strongest cause observed bounds the outcome's class and every queued end's",
        each(implies(now.has_cause,
                     land({rank_le(now.rank, now.strongest),
                           forall({r}, implies(pending_r, rank_le(ref(r), now.strongest)))}))));
    add_invariant(
        "strongest_reached",
        "the strongest cause observed is the outcome's class or a queued end's (unless the "
        "component deadlocked taking it)",
        each(implies(land({now.has_cause, lnot(now.deadlocked)}),
                     lor({eq(now.rank, now.strongest),
                          apply(e_.vocabulary, f_.pending, {c, now.strongest})}))));
    add_invariant(
        "handler_reports",
        "the handler has reported exactly when the component ended with an error or a cancel, "
        "and never twice",
        each(land({iff(lnot(is_count(now.reports, zero)),
                       land({now.ended, lnot(is_kind(now.kind, completed))})),
                   lnot(is_count(now.reports, many))})));
}

// What each shutdown guard keeps true of the flag, the lock and the queue.
void Builder::define_guard_invariant() {
    const Each each = each_component();
    const Local& now = each.now;
    switch (variants_.shutdown_guard) {
        case pcore::ShutdownGuard::atomic_flag:
            add_invariant(
                "guard_discipline",
                "atomic_flag: nothing is ever queued, the lock is never taken, the flag is set "
                "exactly by an end",
                each(land({is_count(now.queued, zero), lnot(now.lock_held), lnot(now.deadlocked),
                           implies(now.flag, now.ended)})));
            break;
        case pcore::ShutdownGuard::none:
            add_invariant("guard_discipline",
                          "none: the lock is never taken; the flag is set by a handler",
                          each(land({lnot(now.lock_held), lnot(now.deadlocked),
                                     implies(now.flag, now.ended)})));
            break;
        case pcore::ShutdownGuard::lock:
            add_invariant(
                "guard_discipline",
                "lock: the lock is held exactly while one end is queued, before the end; a free "
                "lock with the flag set means the component ended",
                each(
                    land({iff(now.lock_held, is_count(now.queued, one)),
                          lnot(is_count(now.queued, many)), implies(now.lock_held, lnot(now.ended)),
                          implies(land({now.flag, lnot(now.lock_held)}), now.ended),
                          implies(now.deadlocked, now.lock_held)})));
            break;
    }
}

void Builder::define_properties() {
    const Each each = each_component();
    const Local& now = each.now;
    const Expr settled = land({is_count(now.queued, zero), lnot(now.deadlocked)});
    const std::vector<std::string> ranking{
        "outcome_ranked",           "queue_shape",      "cause_acts",        "no_cause_quiet",
        "caused_end_not_completed", "strongest_bounds", "strongest_reached", "guard_discipline"};
    // NM-5 and DF-1 read the whole protocol's invariant: a CTI of a broken design then shows a
    // state the design can reach, not one that a weaker invariant merely fails to rule out.
    std::vector<std::string> every;
    for (const InvariantDecl& invariant : e_.invariants) every.push_back(invariant.name);
    e_.properties.push_back(PropertyDecl{
        "NM-2",
        "no downgrade: a settled component (no handler step queued, not deadlocked) whose "
        "strongest cause was a remote error ended failed",
        each(implies(land({settled, now.has_cause, is_rank(now.strongest, remote)}),
                     is_kind(now.kind, failed))),
        ranking});
    e_.properties.push_back(PropertyDecl{
        "NM-3",
        "precedence: a settled component that a cause reached ended with the class of the "
        "strongest cause that reached it",
        each(implies(land({settled, now.has_cause}), eq(now.rank, now.strongest))), ranking});
    e_.properties.push_back(PropertyDecl{
        "NM-5",
        "the failure handler reports at most once, and a settled component that ended with an "
        "error or a cancel has reported",
        each(land({lnot(is_count(now.reports, many)),
                   implies(land({settled, now.ended, lnot(is_kind(now.kind, completed))}),
                           is_count(now.reports, one))})),
        every});
    e_.properties.push_back(PropertyDecl{
        "DF-1",
        "the failure-handler part of DF-1: no component waits forever for the shutdown lock "
        "its own thread holds",
        each(lnot(now.deadlocked)), every});
}

// ---- The concrete world in the encoding's terms ------------------------------------------

std::uint32_t count_of(std::size_t n) {
    return n == 0 ? zero : n == 1 ? one : many;
}

void abstract_world(const Symbols& f, const pmodel::World& world, Structure& out, Time time) {
    for (std::uint32_t index = 0; index < world.comps().size(); ++index) {
        const pcore::CompId self(index);
        const pcore::ComponentState& state = world.comps()[index].state;
        const pmodel::SlotGhost& ghost = world.slot_ghost(self);
        const std::vector<std::uint32_t> c{index};
        const bool ended =
            state.mode == pcore::Mode::busy_exit || state.mode == pcore::Mode::exited;
        out.set(f.kind, c, static_cast<std::uint32_t>(state.outcome.kind), time);
        out.set(f.rank, c, static_cast<std::uint32_t>(pmodel::observed_class(state.outcome, self)),
                time);
        out.set(f.ended, c, ended ? 1 : 0, time);
        out.set(f.exited, c, state.mode == pcore::Mode::exited ? 1 : 0, time);
        out.set(f.has_cause, c, ghost.has_cause ? 1 : 0, time);
        out.set(f.strongest, c, ghost.has_cause ? static_cast<std::uint32_t>(ghost.strongest) : 0,
                time);
        out.set(f.reports, c, count_of(ghost.reports), time);
        const pcore::ShutdownState& shutdown = state.shutdown;
        out.set(f.flag, c, shutdown.flag ? 1 : 0, time);
        out.set(f.lock_held, c, shutdown.lock_held ? 1 : 0, time);
        out.set(f.deadlocked, c, shutdown.deadlocked ? 1 : 0, time);
        out.set(f.queued, c, count_of(shutdown.queued.size()), time);
        out.set(f.front, c,
                shutdown.queued.empty() ? result
                                        : static_cast<std::uint32_t>(pmodel::observed_class(
                                              shutdown.queued.front().outcome, self)),
                time);
        for (std::uint32_t rank = 0; rank < rank_count; ++rank) {
            out.set(f.pending, {index, rank}, 0, time);
        }
        for (const pcore::QueuedEnd& queued : shutdown.queued) {
            const auto rank =
                static_cast<std::uint32_t>(pmodel::observed_class(queued.outcome, self));
            out.set(f.pending, {index, rank}, 1, time);
        }
    }
}

std::string describe_comp(
    const Sorts& s, const Symbols& f, const Structure& state, std::uint32_t comp, Time time) {
    const Vocabulary& v = state.vocabulary();
    const std::vector<std::uint32_t> c{comp};
    const auto name = [&](SortId sort, SymbolId symbol) {
        return v.sort(sort).values.at(state.get(symbol, c, time));
    };
    std::string line = state.get(f.exited, c, time)  ? "exited"
                       : state.get(f.ended, c, time) ? "busy_exit"
                                                     : "running";
    if (state.get(f.ended, c, time)) {
        line += ", ended " + name(s.kind, f.kind) + " (" + name(s.rank, f.rank) + ")";
    }
    if (state.get(f.has_cause, c, time)) {
        line += ", strongest cause " + name(s.rank, f.strongest);
    }
    line += ", failure handler ran " + name(s.count, f.reports) + " time(s)";
    if (state.get(f.flag, c, time)) line += ", shutdown flag set";
    if (state.get(f.lock_held, c, time)) line += ", holds the shutdown lock";
    if (state.get(f.deadlocked, c, time)) line += ", deadlocked in its signal handler";
    if (state.get(f.queued, c, time) != zero) {
        line += ", " + name(s.count, f.queued) + " handler step(s) queued, first " +
                name(s.rank, f.front) + ", classes";
        for (std::uint32_t rank = 0; rank < rank_count; ++rank) {
            if (state.get(f.pending, {comp, rank}, time)) line += " " + v.sort(s.rank).values[rank];
        }
    }
    return line;
}

}  // namespace

}  // namespace propagation

Encoding error_propagation_encoding(const pcore::Variants& variants) {
    using namespace propagation;
    Encoding encoding;
    encoding.protocol = "error propagation";
    Builder builder(encoding, variants);
    builder.declare();
    builder.define_actions();
    builder.define_invariants();
    builder.define_guard_invariant();
    builder.define_properties();
    const Symbols symbols = builder.symbols();
    const Sorts sorts = builder.sorts();
    encoding.abstraction = [symbols](const pmodel::World& world, ElementNames& /*names*/,
                                     Structure& out,
                                     Time time) { abstract_world(symbols, world, out, time); };
    encoding.describe = [sorts, symbols](const Structure& state, std::uint32_t comp, Time time) {
        return describe_comp(sorts, symbols, state, comp, time);
    };
    return encoding;
}

}  // namespace psmt
