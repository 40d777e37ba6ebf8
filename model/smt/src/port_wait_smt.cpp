// Port waits, symbolically (core: runnable and waits_for's port cases; close_all_ports and the
// ClosePort a failed or finished component sends for every end it holds; the hand-off that
// moves an end in a message; the get or select that fails on a closed port): DF-1's closing
// part for any number of components and channels.
//
//   c blocked on its end of ch (a get, a select arm, a put whose peer moves)
//     the other end travels in a message ........................ it lands, and its new
//                                                                  holder answers for it
//     the other end is held by e: e live, or e has a message to take
//     e ends -------> ClosePort for ch in flight ---> c's end closes: the get fails
//
// The words: a blocked component always has a message in flight, or a live peer that
// can still act, that will unblock or fail it. At a quiet state (nothing in flight) the other
// end of every port a live component is blocked on is held by a live component.
//
// One action, a step of x (and of y, a receiver a forwarded message steps at once), bounded by
// local rules of the code, each checked by conformance on every step:
//   frame:     a component that does not step keeps its end, its waits and the ends it holds,
//              and takes no message; a travelling end lands only at a stepping component;
//   closing:   a ClosePort is taken only where it closes the end (no one else stays blocked
//              on its channel);
//   waiter:    a stepping component's own waits are answered after its step;
//   holder:    the ends a stepping component holds (or held) stay answered: it is live, or it
//              has a message to take, or it sent the ClosePort, or the end travels on.
// With error_relay=none a failed component stops without a ClosePort (no waiter or holder
// rule), and with transfer_blocks_peer=off or a weaker network an end or a ClosePort goes
// astray (no rule about them): DF-1 gets a CTI.
#include <algorithm>
#include <set>

#include "concat.hpp"
#include "message_target.hpp"
#include "pcore/component.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace port_wait {

namespace {

struct Symbols {
    SymbolId ended, inbound, blocked, other_at, travels, closing, unblocking;
};

std::vector<std::uint32_t> chan_key(pcore::ChannelId channel) {
    return {channel.creator, channel.serial};
}

pcore::PortKind opposite(pcore::PortKind kind) {
    return kind == pcore::PortKind::getter ? pcore::PortKind::putter : pcore::PortKind::getter;
}

bool travels_in(const pcore::Data& data, pcore::ChannelId channel, pcore::PortKind kind) {
    for (const pcore::TransferredPort& port : data.ports) {
        if (port.channel == channel && port.kind == kind) return true;
        for (const pcore::Data& pending : port.pending) {
            if (travels_in(pending, channel, kind)) return true;
        }
    }
    return false;
}

// The open ends a live component is blocked on (contract: waits_for's port cases).
std::vector<const pcore::Port*> blocked_ends(const pmodel::World& world, std::uint32_t index) {
    const pcore::ComponentState& state = world.comps()[index].state;
    const pcore::CompiledScenario& compiled = *world.scenario().compiled;
    if (state.outcome.kind != pcore::OutcomeKind::running || world.freed(pcore::CompId(index)) ||
        state.shutdown.deadlocked || state.mode != pcore::Mode::running ||
        pcore::runnable(state, compiled)) {
        return {};
    }
    const pcore::Program& program = compiled.definitions[state.definition].program;
    if (state.pc >= program.code.size()) return {};
    const pcore::Instruction& instruction = program.code[state.pc];
    std::vector<pcore::PortId> arms;
    if (instruction.op == pcore::Op::select) {
        for (const pcore::SelectBranch& branch : program.select_branches[instruction.list]) {
            arms.push_back(state.slots[branch.port]);
        }
    } else if (instruction.op == pcore::Op::get || instruction.op == pcore::Op::put_value ||
               instruction.op == pcore::Op::put_ports) {
        arms.push_back(state.slots[instruction.slot_a]);
    }
    std::vector<const pcore::Port*> ends;
    for (pcore::PortId arm : arms) {
        const pcore::Port& port = state.ports[arm.value()];
        if (!port.closed && !port.moved) ends.push_back(&port);
    }
    return ends;
}

// The channels a ClosePort in flight is about (by the closer's end).
std::set<pcore::ChannelId> closing_channels(const pmodel::World& world) {
    std::set<pcore::ChannelId> closing;
    for (const pmodel::Link& link : world.links()) {
        for (const pcore::Message& message : link.queue) {
            const auto* close = std::get_if<pcore::ClosePort>(&message);
            if (close == nullptr || close->closer.value() >= world.comps().size()) continue;
            const auto& ports = world.comps()[close->closer.value()].state.ports;
            if (close->closer_port.value() < ports.size()) {
                closing.insert(ports[close->closer_port.value()].channel);
            }
        }
    }
    return closing;
}

// The channels an Unblock in flight is about (by the end its target names at the receiver): a
// holder whose ClosePort waits for its end to unblock sends it once the Unblock arrives, even
// when an old owner of the moved end forwards the Unblock to it first.
std::set<pcore::ChannelId> unblocking_channels(const pmodel::World& world) {
    std::set<pcore::ChannelId> unblocking;
    for (const pmodel::Link& link : world.links()) {
        for (const pcore::Message& message : link.queue) {
            const auto* unblock = std::get_if<pcore::PeerChangeUnblockPort>(&message);
            if (unblock == nullptr) continue;
            if (const pcore::Port* port = port_at(world, link.to, unblock->target)) {
                unblocking.insert(port->channel);
            }
        }
    }
    return unblocking;
}

// Where the other end of `port` is: its holder, or kTravels, or kNowhere.
constexpr std::int64_t kTravels = -1;
constexpr std::int64_t kNowhere = -2;

std::int64_t other_end(const pmodel::World& world, const pcore::Port& port) {
    const pcore::PortKind kind = opposite(port.kind);
    if (const std::optional<std::uint32_t> holder = end_holder(world, port.channel, kind)) {
        return *holder;
    }
    for (const pmodel::Link& link : world.links()) {
        for (const pcore::Message& message : link.queue) {
            const auto* data = std::get_if<pcore::Data>(&message);
            if (data != nullptr && travels_in(*data, port.channel, kind)) return kTravels;
        }
    }
    return kNowhere;
}

void clear(const Symbols& f, Structure& out, Time time) {
    const std::uint32_t comps = out.size(0);
    const std::uint32_t chans = out.size(1);
    for (std::uint32_t a = 0; a < comps; ++a) {
        out.set(f.ended, {a}, 0, time);
        out.set(f.inbound, {a}, 0, time);
        for (std::uint32_t ch = 0; ch < chans; ++ch) {
            out.set(f.blocked, {a, ch}, 0, time);
            out.set(f.travels, {a, ch}, 0, time);
            for (std::uint32_t e = 0; e < comps; ++e) out.set(f.other_at, {a, ch, e}, 0, time);
        }
    }
    for (std::uint32_t ch = 0; ch < chans; ++ch) {
        out.set(f.closing, {ch}, 0, time);
        out.set(f.unblocking, {ch}, 0, time);
    }
}

void abstract_world(const Symbols& f,
                    SortId chan,
                    const pmodel::World& world,
                    ElementNames& names,
                    Structure& out,
                    Time time) {
    clear(f, out, time);
    const auto count = static_cast<std::uint32_t>(world.comps().size());
    for (const pmodel::Link& link : world.links()) {
        if (!link.queue.empty() && link.to.value() < count) {
            out.set(f.inbound, {link.to.value()}, 1, time);
        }
    }
    for (pcore::ChannelId channel : closing_channels(world)) {
        out.set(f.closing, {names.of(chan, chan_key(channel))}, 1, time);
    }
    for (pcore::ChannelId channel : unblocking_channels(world)) {
        out.set(f.unblocking, {names.of(chan, chan_key(channel))}, 1, time);
    }
    for (std::uint32_t index = 0; index < count; ++index) {
        const bool live = world.comps()[index].state.outcome.kind == pcore::OutcomeKind::running;
        out.set(f.ended, {index}, live ? 0 : 1, time);
        for (const pcore::Port* port : blocked_ends(world, index)) {
            const std::uint32_t ch = names.of(chan, chan_key(port->channel));
            out.set(f.blocked, {index, ch}, 1, time);
            const std::int64_t holder = other_end(world, *port);
            if (holder == kTravels) out.set(f.travels, {index, ch}, 1, time);
            if (holder >= 0) {
                out.set(f.other_at, {index, ch, static_cast<std::uint32_t>(holder)}, 1, time);
            }
        }
    }
}

std::uint32_t chan_count(const pmodel::World& world) {
    std::set<pcore::ChannelId> channels = closing_channels(world);
    channels.merge(unblocking_channels(world));
    for (const pmodel::CompSlot& slot : world.comps()) {
        for (const pcore::Port& port : slot.state.ports) channels.insert(port.channel);
    }
    return static_cast<std::uint32_t>(channels.size());
}

// Which rules of the code hold in a design (conformance found each broken where it is off).
struct Rules {
    // waiter and holder: off where a failed component stops without a word (error_relay=none:
    // RayFed before its proposal): its peers block on it, and nothing will answer them.
    bool answered_locally = true;
    // A travelling end lands, and a ClosePort is taken only where it closes: off where a
    // hand-off does not block the peer (transfer_blocks_peer=off) or the network reorders
    // (fifo_channel, unordered): there an end can reach a component that ended and vanish, and
    // a ClosePort can reach an old holder.
    bool handoffs_hold = true;
};

Rules rules_of(const pcore::Variants& variants) {
    Rules rules;
    rules.answered_locally = variants.error_relay == pcore::ErrorRelay::forward;
    rules.handoffs_hold = variants.transfer_blocks_peer == pcore::OnOff::on &&
                          variants.network == pcore::NetworkOrder::fifo_pair;
    return rules;
}

struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    SortId chan;
    Var c, z, h, k, ch, x, y;
    Expr C, Z, H, K, CH, X, Y;

    [[nodiscard]] Expr stepping(const Expr& comp) const { return lor({eq(comp, X), eq(comp, Y)}); }
    [[nodiscard]] Expr somewhere(Time time) const {
        return exists({k}, r.at(time, f.inbound, {K}));
    }
    // c's wait on ch will be answered: a message to c, the other end travelling, a ClosePort
    // for ch, or the other end's holder live or with a message to take.
    [[nodiscard]] Expr answered(Time time, const Expr& comp, const Expr& channel) const {
        return lor(
            {r.at(time, f.inbound, {comp}), r.at(time, f.travels, {comp, channel}),
             r.at(time, f.closing, {channel}), r.at(time, f.unblocking, {channel}),
             exists({h},
                    land({r.at(time, f.other_at, {comp, channel, H}),
                          lor({lnot(r.at(time, f.ended, {H})), r.at(time, f.inbound, {H})})}))});
    }
    // What the relations are.
    [[nodiscard]] Expr definitions(Time time) const {
        return forall(
            {c, ch, z},
            land({implies(r.at(time, f.travels, {C, CH}),
                          land({r.at(time, f.blocked, {C, CH}), somewhere(time)})),
                  implies(r.at(time, f.closing, {CH}), somewhere(time)),
                  implies(r.at(time, f.unblocking, {CH}), somewhere(time)),
                  implies(
                      r.at(time, f.other_at, {C, CH, Z}),
                      land({r.at(time, f.blocked, {C, CH}), lnot(r.at(time, f.travels, {C, CH}))})),
                  implies(r.at(time, f.blocked, {C, CH}), lnot(r.at(time, f.ended, {C})))}));
    }
};

Builder declare(Encoding& e) {
    Vocabulary& voc = e.vocabulary;
    const SortId comp = voc.uninterpreted("comp");
    const SortId chan = voc.uninterpreted("chan");
    e.comp = comp;
    const Symbols f{
        voc.relation("ended", {comp}, "its outcome is no longer running"),
        voc.relation("inbound", {comp}, "a message is in flight to it"),
        voc.relation("blocked", {comp, chan},
                     "live, cannot run, and waits on its open end of the channel (a get, a select "
                     "arm, a put whose peer moves)"),
        voc.relation("other_at", {comp, chan, comp},
                     "the other end of the channel it is blocked on is held by the third"),
        voc.relation("travels", {comp, chan},
                     "the other end of the channel it is blocked on is in a message in flight"),
        voc.relation("closing", {chan}, "a ClosePort for the channel is in flight"),
        voc.relation("unblocking", {chan},
                     "an Unblock for an end of the channel is in flight (forwarded or not)")};
    VarPool& vars = e.vars;
    const Var c = vars.fresh(comp, "c"), z = vars.fresh(comp, "z"), h = vars.fresh(comp, "h");
    const Var k = vars.fresh(comp, "k"), ch = vars.fresh(chan, "ch");
    const Var x = vars.fresh(comp, "x"), y = vars.fresh(comp, "y");
    return Builder{e,      Reader{e.vocabulary},
                   f,      chan,
                   c,      z,
                   h,      k,
                   ch,     x,
                   y,      ref(c),
                   ref(z), ref(h),
                   ref(k), ref(ch),
                   ref(x), ref(y)};
}

// Nothing in flight, no one blocked, no one ended.
void add_init(Builder& d) {
    const Symbols& f = d.f;
    d.e.init =
        forall({d.c, d.ch}, land({lnot(d.r(f.ended, {d.C})), lnot(d.r(f.inbound, {d.C})),
                                  lnot(d.r(f.blocked, {d.C, d.CH})), lnot(d.r(f.closing, {d.CH})),
                                  lnot(d.r(f.unblocking, {d.CH})), d.definitions(Time::now)}));
}

// The frame: what a step of x (and y) leaves alone, and where ClosePorts and ends go.
Expr frame_rules(const Builder& d, const Rules& rules) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &C = d.C, &Z = d.Z, &CH = d.CH;
    std::vector<Expr> unmoved{iff(r.next(f.ended, {C}), r(f.ended, {C})),
                              implies(r(f.inbound, {C}), r.next(f.inbound, {C})),
                              iff(r.next(f.blocked, {C, CH}), r(f.blocked, {C, CH}))};
    if (rules.handoffs_hold) {
        unmoved.push_back(implies(r(f.travels, {C, CH}),
                                  lor({r.next(f.travels, {C, CH}), r.next(f.other_at, {C, CH, d.X}),
                                       r.next(f.other_at, {C, CH, d.Y})})));
        unmoved.push_back(implies(land({r(f.closing, {CH}), lnot(r.next(f.closing, {CH}))}),
                                  lnot(r(f.blocked, {C, CH}))));
    }
    // An Unblock is taken by the end it names (its holder, whose deferred ClosePort then goes,
    // or the waiter itself) or forwarded: the waits on its channel stay answered (like the
    // waiter and holder rules, not where a failed component stops without a word).
    Expr unblocked = truth();
    if (rules.handoffs_hold && rules.answered_locally) {
        unblocked = implies(land({r(f.unblocking, {CH}), lnot(r.next(f.unblocking, {CH})),
                                  r.next(f.blocked, {C, CH})}),
                            d.answered(Time::next, C, CH));
    }
    return forall(
        {d.c, d.ch, d.z},
        land({unblocked, implies(lnot(d.stepping(C)), land(std::move(unmoved))),
              implies(land({lnot(d.stepping(C)), lnot(d.stepping(Z)), r(f.other_at, {C, CH, Z})}),
                      r.next(f.other_at, {C, CH, Z}))}));
}

void add_step(Builder& d, const Rules& rules) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &C = d.C, &CH = d.CH;
    // waiter: after its step, a stepping component's own waits are answered.
    std::vector<Expr> local{truth()};
    if (rules.answered_locally) {
        local.push_back(implies(land({d.stepping(C), r.next(f.blocked, {C, CH})}),
                                d.answered(Time::next, C, CH)));
        // holder: the ends a stepping component holds or held stay answered.
        const Expr held = lor({r(f.other_at, {C, CH, d.X}), r(f.other_at, {C, CH, d.Y}),
                               r.next(f.other_at, {C, CH, d.X}), r.next(f.other_at, {C, CH, d.Y})});
        local.push_back(
            implies(land({r.next(f.blocked, {C, CH}), held}), d.answered(Time::next, C, CH)));
    }
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step of x (and of y, a receiver a forwarded message steps at once): a get or select "
        "that blocks or fails on a closed port, an end with its ClosePorts (close_all_ports), a "
        "hand-off, a ClosePort taken",
        {d.x, d.y},
        land({d.definitions(Time::next), frame_rules(d, rules),
              forall({d.c, d.ch}, land(std::move(local)))})});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Expr &C = d.C, &CH = d.CH;
    d.e.invariants.push_back(InvariantDecl{
        "wait_definitions",
        "a travelling end or a ClosePort is a message in flight; blocked components are live; "
        "the other end is held or travels, not both",
        d.definitions(Time::now)});
    d.e.invariants.push_back(InvariantDecl{
        "waits_answered",
        "every port wait of a live component will be answered: a message to it, the other end "
        "travelling, a ClosePort for the channel, or the other end's holder live or with a "
        "message to take",
        forall({d.c, d.ch}, implies(d.r(f.blocked, {C, CH}), d.answered(Time::now, C, CH)))});
    d.e.properties.push_back(PropertyDecl{
        "DF-1",
        "closing part, port waits: with nothing in flight, the other end of every port a live "
        "component is blocked on is held by a live component (a peer that ended has failed the "
        "wait with its ClosePort); from local rules of the code that conformance checks on every "
        "step",
        forall({d.c, d.ch}, implies(land({d.r(f.blocked, {C, CH}), lnot(d.somewhere(Time::now))}),
                                    exists({d.h}, land({d.r(f.other_at, {C, CH, d.H}),
                                                        lnot(d.r(f.ended, {d.H}))})))),
        {"wait_definitions", "waits_answered"}});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line = state.get(f.ended, {c}, time) ? "ended" : "live";
    line += state.get(f.inbound, {c}, time) ? ", a message on its way to it"
                                            : ", nothing in flight to it";
    for (std::uint32_t ch = 0; ch < state.size(1); ++ch) {
        if (!state.get(f.blocked, {c, ch}, time)) continue;
        line += concat(", blocked on channel ch", std::to_string(ch));
        if (state.get(f.travels, {c, ch}, time)) line += " (its other end travels)";
        for (std::uint32_t e = 0; e < state.size(0); ++e) {
            if (state.get(f.other_at, {c, ch, e}, time)) {
                line += concat(" (other end at c", std::to_string(e), ")");
            }
        }
        if (state.get(f.closing, {ch}, time)) line += " (a ClosePort for it in flight)";
        if (state.get(f.unblocking, {ch}, time)) line += " (an Unblock for it in flight)";
    }
    return line;
}

}  // namespace

}  // namespace port_wait

}  // namespace psmt

namespace psmt {

Encoding port_wait_encoding(const pcore::Variants& variants) {
    using namespace port_wait;
    Encoding e;
    e.protocol = "port waits";
    Builder builder = declare(e);
    add_init(builder);
    add_step(builder, rules_of(variants));
    add_invariants(builder);
    const Symbols f = builder.f;
    const SortId chan = builder.chan;
    wire_one_sort(e, f, chan, abstract_world, chan_count, describe);
    return e;
}

}  // namespace psmt
