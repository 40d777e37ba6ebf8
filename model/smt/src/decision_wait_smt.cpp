// Decision waits, symbolically (core: waits_for's sync_end cases and leader_waits, which follows
// evaluate; send_towards_leader, merge_part and decide; the parts a failed leader or a cut-off
// participant decides at once; the failed part a participant submits when it ends inside the
// round; the failed_peers a ClosePort adds and the port record a moved end carries): DF-1's
// decision part for any number of components.
//
//   c voted, waits for the decision of w (the leader it knows of)
//     c's part travels towards the leader, hop by hop ...... it lands; its holder answers
//     c's part is held by h that can act (an ended leader decides the parts it holds at once)
//     w decides -------> Decision in flight to c
//   l leads, waits for the part of p, or for the holder of a getter end to accept a put
//     p's part travels, or is held by another that can act ........ it reaches l
//     p ended: its ClosePort or a part naming it failed is on its way, l or another that can
//       act knows it, or the submitter that listed p ended and its failure is on its way
//
// Can act: live, or a message to take, or a ClosePort that waits for an Unblock, or a queued
// failure handler. The words: a blocked component always has a message in flight, or a
// live peer that can still act, that will unblock or fail it. Safety, at a quiet state (nothing
// in flight): every such wait is on a component that can act, or on a part or a failure that
// another component that can act holds.
//
// One action, a step of x (and of y, a receiver a forwarded message steps at once), bounded by
// local rules of the code, each checked by conformance on every step:
//   frame:    a component that does not step keeps its waits, its end, its deferred ClosePorts
//             and queued handler, what it knows failed, and the messages on their way to it;
//   waiter:   a stepping component's own waits are answered after its step;
//   answerer: a wait whose answer the step touched (the awaited one, a holder of the part, one
//             that knows of the failure, or the lister stepped; a part or failure news left
//             flight) is answered after the step.
// Where a failed component stops without a word (error_relay=none), data to an ending component
// vanishes (data_message_failed=off), or data reaches an old holder that ended
// (transfer_blocks_peer=off, network other than fifo_pair), there is no waiter or answerer
// rule, and DF-1 gets a CTI.
#include <algorithm>
#include <optional>

#include "concat.hpp"
#include "message_target.hpp"
#include "pcore/component.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace decision_wait {

namespace {

struct Symbols {
    SymbolId ended, inbound, awaits_decision, awaits_part, awaits_accept, knows_failed, part_at,
        part_travels, failure_news, deferred, queued, lists;
};

// The waits of a live component in its sync_end: the observers' edge to the leader it knows of
// (waits_for), or, for a leader, what its evaluate still needs (pcore::leader_waits): the parts
// of peers not accounted for, and for each put not accepted the holder of its getter end (the
// observers name the putter's hint, which may be an old holder of an end that moved on).
struct SyncWaits {
    std::vector<pcore::CompId> decision, part, accept;
    // (submitter, peer): a wait for a peer's part because another submitter's part lists it.
    std::vector<std::pair<pcore::CompId, pcore::CompId>> listed;
};

// The component holding the getter end of a putter entry's channel.
std::optional<std::uint32_t> getter_holder(const pmodel::World& world,
                                           const pcore::ChannelEntry& putter) {
    if (putter.comp.value() >= world.comps().size()) return std::nullopt;
    const auto& ports = world.comps()[putter.comp.value()].state.ports;
    if (putter.port.value() >= ports.size()) return std::nullopt;
    return end_holder(world, ports[putter.port.value()].channel, pcore::PortKind::getter);
}

void leader_waits(const pmodel::World& world, const pcore::ComponentState& state, SyncWaits& out) {
    const pcore::LeaderWaits waits = pcore::leader_waits(state.round, state.self);
    out.part = waits.parts;
    for (const pcore::SolutionPart& part : state.round.combined) {
        if (part.submitter == state.self) continue;
        for (pcore::CompId peer : part.peers) {
            if (std::binary_search(waits.parts.begin(), waits.parts.end(), peer)) {
                out.listed.emplace_back(part.submitter, peer);
            }
        }
    }
    for (const pcore::ChannelEntry& put : waits.puts) {
        const std::optional<std::uint32_t> holder = getter_holder(world, put);
        if (holder && *holder != state.self.value()) out.accept.emplace_back(*holder);
    }
}

SyncWaits sync_waits(const pmodel::World& world, std::uint32_t index) {
    const pcore::ComponentState& state = world.comps()[index].state;
    SyncWaits waits;
    if (state.outcome.kind != pcore::OutcomeKind::running || state.shutdown.deadlocked ||
        state.mode != pcore::Mode::sync_end) {
        return waits;
    }
    if (state.round.highest == state.self) {
        leader_waits(world, state, waits);
    } else {
        waits.decision = pcore::waits_for(state, *world.scenario().compiled).comps;
    }
    return waits;
}

void mark_news(const Symbols& f, const pcore::SolutionPart& part, Structure& out, Time time) {
    out.set(f.part_travels, {part.submitter.value()}, 1, time);
    for (pcore::CompId peer : part.failed_peers) out.set(f.failure_news, {peer.value()}, 1, time);
    if (part.failed) out.set(f.failure_news, {part.submitter.value()}, 1, time);
}

// What is in flight: messages to each component, parts travelling, failure notices.
void abstract_links(const Symbols& f, const pmodel::World& world, Structure& out, Time time) {
    const auto count = static_cast<std::uint32_t>(world.comps().size());
    for (const pmodel::Link& link : world.links()) {
        if (link.queue.empty() || link.to.value() >= count) continue;
        out.set(f.inbound, {link.to.value()}, 1, time);
        for (const pcore::Message& message : link.queue) {
            if (const auto* close = std::get_if<pcore::ClosePort>(&message)) {
                if (close->closer.value() < count) {
                    out.set(f.failure_news, {close->closer.value()}, 1, time);
                }
            } else if (const auto* submission = std::get_if<pcore::Submission>(&message)) {
                for (const pcore::SolutionPart& part : submission->parts) {
                    if (part.submitter.value() < count) mark_news(f, part, out, time);
                }
            }
        }
    }
}

void abstract_world(const Symbols& f, const pmodel::World& world, Structure& out, Time time) {
    out.clear(time);
    abstract_links(f, world, out, time);
    const auto count = static_cast<std::uint32_t>(world.comps().size());
    for (std::uint32_t index = 0; index < count; ++index) {
        const pcore::ComponentState& state = world.comps()[index].state;
        const bool live = state.outcome.kind == pcore::OutcomeKind::running;
        out.set(f.ended, {index}, live ? 0 : 1, time);
        if (!state.shutdown.queued.empty()) out.set(f.queued, {index}, 1, time);
        // What it knows failed: a ClosePort carrying the error reached it in the round, or the
        // parts it holds say so (the failure cascade stands in for a part: core's accounted).
        for (pcore::CompId peer : state.round.failed_peers) {
            if (peer.value() < count) out.set(f.knows_failed, {index, peer.value()}, 1, time);
        }
        // A port whose closer failed in the round names it failed in the next part (build_part).
        for (const pcore::Port& port : state.ports) {
            if (port.close_deferred) out.set(f.deferred, {index}, 1, time);
            if (port.closer_failed_in_round && port.peer_comp.value() < count) {
                out.set(f.knows_failed, {index, port.peer_comp.value()}, 1, time);
            }
        }
        for (const pcore::SolutionPart& part : state.round.combined) {
            if (part.submitter.value() >= count) continue;
            out.set(f.part_at, {part.submitter.value(), index}, 1, time);
            if (part.failed) out.set(f.knows_failed, {index, part.submitter.value()}, 1, time);
            for (pcore::CompId peer : part.failed_peers) {
                if (peer.value() < count) out.set(f.knows_failed, {index, peer.value()}, 1, time);
            }
        }
        const SyncWaits waits = sync_waits(world, index);
        for (pcore::CompId on : waits.decision) {
            if (on.value() < count) out.set(f.awaits_decision, {index, on.value()}, 1, time);
        }
        for (const auto* list : {&waits.part, &waits.accept}) {
            for (pcore::CompId on : *list) {
                if (on.value() >= count) continue;
                out.set(list == &waits.part ? f.awaits_part : f.awaits_accept, {index, on.value()},
                        1, time);
            }
        }
        for (const auto& [submitter, peer] : waits.listed) {
            if (submitter.value() < count && peer.value() < count) {
                out.set(f.lists, {index, submitter.value(), peer.value()}, 1, time);
            }
        }
    }
}

// Which rules of the code hold in a design (conformance found each broken where it is off).
struct Rules {
    // waiter and answerer: off where a failed component stops without a word (error_relay=none:
    // RayFed before its proposal), where data to an exiting component vanishes without a
    // DataMessageFailed (data_message_failed=off), and where a hand-off does not block the peer
    // or the network reorders (transfer_blocks_peer=off, fifo_channel, unordered: data reaches
    // an old holder that ended): a leader waits for an accept that will never come, or a part
    // that no one sends, and nothing will answer it. Conformance found each.
    bool answered_locally = true;
};

Rules rules_of(const pcore::Variants& variants) {
    Rules rules;
    rules.answered_locally = variants.error_relay == pcore::ErrorRelay::forward &&
                             variants.data_message_failed == pcore::OnOff::on &&
                             variants.transfer_blocks_peer == pcore::OnOff::on &&
                             variants.network == pcore::NetworkOrder::fifo_pair;
    return rules;
}

struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    Var c, w, h, g, k, x, y;
    Expr C, W, H, G, K, X, Y;

    [[nodiscard]] Expr stepping(const Expr& comp) const { return lor({eq(comp, X), eq(comp, Y)}); }
    [[nodiscard]] Expr somewhere(Time time) const {
        return exists({k}, r.at(time, f.inbound, {K}));
    }
    [[nodiscard]] Expr can_act(Time time, const Expr& comp) const {
        return lor({lnot(r.at(time, f.ended, {comp})), r.at(time, f.inbound, {comp}),
                    r.at(time, f.deferred, {comp}), r.at(time, f.queued, {comp})});
    }
    // `part`'s part will still reach a leader: it travels, or a component other than `waiter`
    // that can still act holds it.
    [[nodiscard]] Expr part_on_its_way(Time time, const Expr& part, const Expr& waiter) const {
        return lor({r.at(time, f.part_travels, {part}),
                    exists({h}, land({neq(H, waiter), r.at(time, f.part_at, {part, H}),
                                      can_act(time, H)}))});
    }
    // Another component that can still act knows `failed` failed (it tells the leader).
    [[nodiscard]] Expr known_elsewhere(Time time, const Expr& failed, const Expr& waiter) const {
        return exists(
            {h}, land({neq(H, waiter), r.at(time, f.knows_failed, {H, failed}), can_act(time, H)}));
    }
    // The failure of `submitter` (ended) will reach `leader`: news of it travels, it can still
    // act, or another that can act knows it.
    [[nodiscard]] Expr reported(Time time, const Expr& submitter, const Expr& leader) const {
        return land({r.at(time, f.ended, {submitter}),
                     lor({r.at(time, f.failure_news, {submitter}), can_act(time, submitter),
                          known_elsewhere(time, submitter, leader)})});
    }
    // Leader c waits for w's part only because a submitter whose failure will reach it lists w.
    [[nodiscard]] Expr lister_reported(Time time, const Expr& comp, const Expr& on) const {
        return exists({g}, land({r.at(time, f.lists, {comp, G, on}), reported(time, G, comp)}));
    }
    // c's wait for w's decision will be answered.
    [[nodiscard]] Expr decision_answered(Time time, const Expr& comp, const Expr& on) const {
        return lor({r.at(time, f.inbound, {comp}), r.at(time, f.queued, {comp}), can_act(time, on),
                    part_on_its_way(time, comp, comp)});
    }
    // Leader c's wait for the part of w will be answered.
    [[nodiscard]] Expr part_answered(Time time, const Expr& comp, const Expr& on) const {
        return lor({r.at(time, f.inbound, {comp}), r.at(time, f.queued, {comp}), can_act(time, on),
                    r.at(time, f.knows_failed, {comp, on}), r.at(time, f.failure_news, {on}),
                    part_on_its_way(time, on, comp), known_elsewhere(time, on, comp),
                    lister_reported(time, comp, on)});
    }
    [[nodiscard]] Expr answered(Time time, const Expr& comp, const Expr& on) const {
        return land(
            {implies(r.at(time, f.awaits_decision, {comp, on}), decision_answered(time, comp, on)),
             implies(lor({r.at(time, f.awaits_part, {comp, on}),
                          r.at(time, f.awaits_accept, {comp, on})}),
                     part_answered(time, comp, on))});
    }
    [[nodiscard]] Expr waits(Time time, const Expr& comp, const Expr& on) const {
        return lor({r.at(time, f.awaits_decision, {comp, on}),
                    r.at(time, f.awaits_part, {comp, on}),
                    r.at(time, f.awaits_accept, {comp, on})});
    }
    // What the relations are.
    [[nodiscard]] Expr definitions(Time time) const {
        return forall({c, w}, land({implies(waits(time, C, W), lnot(r.at(time, f.ended, {C}))),
                                    implies(r.at(time, f.part_travels, {C}), somewhere(time)),
                                    implies(r.at(time, f.failure_news, {C}), somewhere(time))}));
    }
};

Builder declare(Encoding& e) {
    Vocabulary& voc = e.vocabulary;
    const SortId comp = voc.uninterpreted("comp");
    e.comp = comp;
    const Symbols f{
        voc.relation("ended", {comp}, "its outcome is no longer running"),
        voc.relation("inbound", {comp}, "a message is in flight to it"),
        voc.relation("awaits_decision", {comp, comp},
                     "live, voted, and waits for the decision of the second, the leader it knows "
                     "of (waits_for)"),
        voc.relation("awaits_part", {comp, comp},
                     "live, leads its round, and waits for the second's part (leader_waits)"),
        voc.relation("awaits_accept", {comp, comp},
                     "live, leads its round, and a put of its parts waits for the second, the "
                     "holder of the getter end, to accept it"),
        voc.relation("knows_failed", {comp, comp},
                     "the first knows the second failed in the round: a ClosePort with its error "
                     "reached it, or the parts it holds say so (core: accounted)"),
        voc.relation("part_at", {comp, comp}, "the first's part is held by the second"),
        voc.relation("part_travels", {comp}, "its part is in a Submission in flight"),
        voc.relation("failure_news", {comp},
                     "its ClosePort, or a part naming it failed, is in flight"),
        voc.relation("deferred", {comp},
                     "a ClosePort of its waits for its blocked end's Unblock (sent when it "
                     "arrives: Ack waits)"),
        voc.relation("queued", {comp},
                     "its failure handler is queued behind the trigger (shutdown_guard lock or "
                     "none): it steps again, and its end settles the round"),
        voc.relation("lists", {comp, comp, comp},
                     "the first leads and waits for the third's part because it holds the "
                     "second's part, which lists the third (a submitter's failure, once known, "
                     "ends that wait: evaluate skips the peers a failed submitter listed)")};
    VarPool& vars = e.vars;
    const Var c = vars.fresh(comp, "c"), w = vars.fresh(comp, "w"), h = vars.fresh(comp, "h");
    const Var k = vars.fresh(comp, "k"), x = vars.fresh(comp, "x"), y = vars.fresh(comp, "y");
    const Var g = vars.fresh(comp, "g");
    return Builder{e,      Reader{e.vocabulary},
                   f,      c,
                   w,      h,
                   g,      k,
                   x,      y,
                   ref(c), ref(w),
                   ref(h), ref(g),
                   ref(k), ref(x),
                   ref(y)};
}

// Nothing in flight, no one waiting, no one ended, no part anywhere.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    const Expr &C = d.C, &W = d.W;
    d.e.init = forall(
        {d.c, d.w},
        land({lnot(d.r(f.ended, {C})), lnot(d.r(f.inbound, {C})), lnot(d.waits(Time::now, C, W)),
              lnot(d.r(f.part_at, {C, W})), lnot(d.r(f.part_travels, {C})),
              lnot(d.r(f.failure_news, {C})), lnot(d.r(f.deferred, {C})), lnot(d.r(f.queued, {C})),
              forall({d.g}, lnot(d.r(f.lists, {C, d.G, W}))), lnot(d.r(f.knows_failed, {C, W}))}));
}

// The frame: what a step of x (and y) leaves alone.
Expr frame_rules(const Builder& d) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &C = d.C, &W = d.W;
    const Expr kept = land({iff(r.next(f.ended, {C}), r(f.ended, {C})),
                            iff(r.next(f.deferred, {C}), r(f.deferred, {C})),
                            iff(r.next(f.queued, {C}), r(f.queued, {C})),
                            implies(r(f.inbound, {C}), r.next(f.inbound, {C})),
                            iff(r.next(f.awaits_decision, {C, W}), r(f.awaits_decision, {C, W})),
                            iff(r.next(f.awaits_part, {C, W}), r(f.awaits_part, {C, W})),
                            iff(r.next(f.knows_failed, {C, W}), r(f.knows_failed, {C, W}))});
    // A getter end moves only with a step of its holder, and lands at a stepping component.
    const Expr accept_kept = iff(r.next(f.awaits_accept, {C, W}), r(f.awaits_accept, {C, W}));
    return forall(
        {d.c, d.w},
        land({implies(lnot(d.stepping(C)), kept),
              implies(lnot(d.stepping(W)), iff(r.next(f.part_at, {C, W}), r(f.part_at, {C, W}))),
              implies(land({lnot(d.stepping(C)), lnot(d.stepping(W))}), accept_kept),
              forall({d.g}, implies(lnot(d.stepping(C)),
                                    iff(r.next(f.lists, {C, d.G, W}), r(f.lists, {C, d.G, W}))))}));
}

// A wait whose answer a step touched: the awaited component steps, the holder of the part steps
// (before or after), or the step took the part or a failure notice out of flight.
Expr touched(const Builder& d) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &C = d.C, &W = d.W, &H = d.H;
    auto holder_steps = [&](const Expr& part) {
        return exists({d.h}, land({d.stepping(H),
                                   lor({r(f.part_at, {part, H}), r.next(f.part_at, {part, H})})}));
    };
    auto landed = [&](const Expr& part) {
        return land({r(f.part_travels, {part}), lnot(r.next(f.part_travels, {part}))});
    };
    const Expr knower_steps = exists(
        {d.h},
        land({d.stepping(H), lor({r(f.knows_failed, {H, W}), r.next(f.knows_failed, {H, W})})}));
    auto news_taken = [&](const Expr& comp) {
        return land({r(f.failure_news, {comp}), lnot(r.next(f.failure_news, {comp}))});
    };
    // The failure report of a submitter that lists W: it steps, its news is taken, or one that
    // knows of it steps.
    const Expr lister_touched = exists(
        {d.g}, land({lor({r(f.lists, {C, d.G, W}), r.next(f.lists, {C, d.G, W})}),
                     lor({d.stepping(d.G), news_taken(d.G),
                          exists({d.h}, land({d.stepping(H),
                                              lor({r(f.knows_failed, {H, d.G}),
                                                   r.next(f.knows_failed, {H, d.G})})}))})}));
    return lor({d.stepping(W), holder_steps(C), holder_steps(W), knower_steps, landed(C), landed(W),
                news_taken(W), lister_touched});
}

void add_step(Builder& d, const Rules& rules) {
    const Expr &C = d.C, &W = d.W;
    std::vector<Expr> local{truth()};
    if (rules.answered_locally) {
        // waiter: after its step, a stepping component's own waits are answered.
        local.push_back(implies(d.stepping(C), d.answered(Time::next, C, W)));
        // answerer: so are the waits whose answer the step touched.
        local.push_back(implies(touched(d), d.answered(Time::next, C, W)));
    }
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step of x (and of y, a receiver a forwarded message steps at once): a vote and its "
        "Submission, a part forwarded or merged, a decision, an end inside the round with its "
        "failed part and ClosePorts, a ClosePort that names a failed peer",
        {d.x, d.y},
        land({d.definitions(Time::next), frame_rules(d),
              forall({d.c, d.w}, land(std::move(local)))})});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Expr &C = d.C, &W = d.W;
    d.e.invariants.push_back(InvariantDecl{
        "decision_definitions",
        "waiting components are live; a part or a failure notice that travels is a message in "
        "flight",
        d.definitions(Time::now)});
    d.e.invariants.push_back(InvariantDecl{
        "decision_waits_answered",
        "every wait for a decision will be answered: a message to the waiter, the leader able to "
        "act, or the waiter's part on its way (travelling, or held by another that can act); "
        "every leader's wait for a part or an accept too: a message to it, the peer able to act, "
        "its failure known to the leader or to another that can act or on its way, or its part "
        "on its way. Able to act: live, or a message to take, or a ClosePort that waits for an "
        "Unblock",
        forall({d.c, d.w}, d.answered(Time::now, C, W))});
    // At a quiet state, able to act is: live, or an ended component whose ClosePort waits for an
    // Unblock (the Ack waits proof: only a cycle of puts of ports leaves such a wait unanswered).
    const Expr quiet = lnot(d.somewhere(Time::now));
    auto acts = [&](const Expr& comp) { return d.can_act(Time::now, comp); };
    auto held_by_actor = [&](const Expr& part) {
        return exists({d.h}, land({neq(d.H, C), d.r(f.part_at, {part, d.H}), acts(d.H)}));
    };
    auto known_to_actor = [&](const Expr& failed) {
        return exists({d.h}, land({neq(d.H, C), d.r(f.knows_failed, {d.H, failed}), acts(d.H)}));
    };
    // A submitter that lists `peer` ended, and its failure is still to reach the leader.
    auto lister_failing = [&](const Expr& peer) {
        return exists({d.g}, land({d.r(f.lists, {C, d.G, peer}), d.r(f.ended, {d.G}),
                                   lor({acts(d.G), known_to_actor(d.G)})}));
    };
    d.e.properties.push_back(PropertyDecl{
        "DF-1",
        "decision part: with nothing in flight, a component waiting for its leader's decision "
        "waits for a leader that can act or has its part at another component that can act (or "
        "its own failure handler is queued); a leader waits for a part or an accept of a peer that "
        "can act, of one it knows failed, of one whose part or failure another that can act "
        "holds, or of one listed by a submitter that ended and whose failure is still to reach "
        "it. Can act: live, or ended with "
        "a ClosePort that waits for an Unblock (the Ack waits proof); from local rules of the "
        "code that conformance checks on every step",
        forall({d.c, d.w},
               land({implies(land({d.r(f.awaits_decision, {C, W}), quiet}),
                             lor({acts(W), d.r(f.queued, {C}), held_by_actor(C)})),
                     implies(land({lor({d.r(f.awaits_part, {C, W}), d.r(f.awaits_accept, {C, W})}),
                                   quiet}),
                             lor({acts(W), d.r(f.queued, {C}), d.r(f.knows_failed, {C, W}),
                                  held_by_actor(W), lister_failing(W), known_to_actor(W)}))})),
        {"decision_definitions", "decision_waits_answered"}});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line = state.get(f.ended, {c}, time) ? "ended" : "live";
    line += state.get(f.inbound, {c}, time) ? ", a message on its way to it"
                                            : ", nothing in flight to it";
    if (state.get(f.part_travels, {c}, time)) line += ", its part travels";
    if (state.get(f.failure_news, {c}, time)) line += ", news of its failure travels";
    if (state.get(f.deferred, {c}, time)) line += ", a ClosePort of its waits for an Unblock";
    if (state.get(f.queued, {c}, time)) line += ", its failure handler queued";
    for (std::uint32_t w = 0; w < state.size(0); ++w) {
        const std::string name = concat("c", std::to_string(w));
        if (state.get(f.part_at, {c, w}, time)) line += concat(", its part held by ", name);
        if (state.get(f.awaits_decision, {c, w}, time)) {
            line += concat(", waits for the decision of ", name);
        }
        if (state.get(f.awaits_part, {c, w}, time)) {
            line += concat(", leads and waits for the part of ", name);
            if (state.get(f.knows_failed, {c, w}, time)) line += " (known failed)";
        }
        if (state.get(f.awaits_accept, {c, w}, time)) {
            line += concat(", leads and waits for ", name, " to accept a put");
            if (state.get(f.knows_failed, {c, w}, time)) line += " (known failed)";
        }
    }
    return line;
}

}  // namespace

}  // namespace decision_wait

Encoding decision_wait_encoding(const pcore::Variants& variants) {
    using namespace decision_wait;
    Encoding e;
    e.protocol = "decision waits";
    Builder builder = declare(e);
    add_init(builder);
    add_step(builder, rules_of(variants));
    add_invariants(builder);
    const Symbols f = builder.f;
    wire_comps(e, f, abstract_world, describe);
    return e;
}

}  // namespace psmt
