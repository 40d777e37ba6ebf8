// Channel order, symbolically (core: put, on_data, the getter's accept, forward of data reaching
// a moved port, the pending data a port carries when it moves, report_failed_put; the
// observers' ChannelProgress): per channel, the getter accepts what the putter sent, in order,
// without loss or duplicates, across any number of hand-offs and components.
//
//   put #0  put #1  put #2                    (one channel; #k earlier than #k+1)
//     |       |       |
//   the route to the getter end: its pending data (wherever the end is, in a port or in a
//   message that moves it), then Data in flight on one link, in queue order
//     pending [#0, #1] ... link [#2]          #0 ahead of #1 ahead of #2
//   accept: the head of the route only (nothing ahead of it); the observers' next_accept grows
//
// Put elements are named by (channel, seq). `earlier(y, x)`: the same channel, a smaller seq,
// written from the names in both states. `taken(x)`: x's seq is below the observers'
// next_accept of its channel. `ahead(y, x)`: y's copy reaches the getter end before x's, by
// position (pending order; pending before in flight; queue order on one link).
// `closed_end(x)`: the getter end of x's channel is closed, or its holder ended, or it is gone:
// nothing of that channel is accepted any more.
//
// Properties (contract §7): PT-1 as the observers check it at each accept: the accepted put
// was sent, not accepted before, carries its value, and is the channel's next. Local rules of
// the code, each checked by conformance on every step:
//   fifo:    two copies of one channel keep their order while both are held;
//   put:     a new put is behind every earlier put of its channel that is not taken (or the
//            channel's getter end is closed), and is not taken;
//   vanish:  a copy goes untaken only where the getter end is closed (DataMessageFailed, an
//            end), and a closed end stays closed;
//   accept:  a get takes the head of its channel, from an open end, and its only copy;
//   values:  no step changes the value a copy carries.
// With transfer_blocks_peer=off or a weaker network, the code breaks fifo, and PT-1 gets a CTI.
#include <algorithm>
#include <map>

#include "concat.hpp"
#include "pmodel/world.hpp"
#include "psmt/encoding.hpp"

namespace psmt {

// Its own namespace: a unity build compiles the encodings in one unit.
namespace channel_order {

namespace {

struct Symbols {
    SymbolId earlier, taken, held, ahead, closed_end, corrupt, pt1;
};

std::vector<std::uint32_t> put_key(pcore::ChannelId channel, std::uint32_t seq) {
    return {channel.creator, channel.serial, seq};
}

// Where a copy of a put is: in the pending data of its channel's getter end (at `index`), or in
// flight on a link (`link`, the queue index of its message).
struct Position {
    bool pending = false;
    std::size_t link = 0;
    std::size_t index = 0;
};

using PutName = std::pair<pcore::ChannelId, std::uint32_t>;

// What the abstraction gathers from a world before it writes the relations.
struct Census {
    std::map<PutName, std::int64_t> recorded;  // the observers' put records: their values
    std::map<pcore::ChannelId, bool> closed;   // getter ends found: closed, or held by one ended
    std::map<PutName, std::vector<Position>> copies;
    std::map<PutName, bool> corrupt;  // a copy whose value is not the recorded one

    void pending_of(const std::vector<pcore::Data>& pending) {
        for (std::size_t index = 0; index < pending.size(); ++index) {
            add(pending[index], Position{true, 0, index});
        }
    }
    void add(const pcore::Data& data, Position position) {
        const PutName name{data.channel, data.seq};
        copies[name].push_back(position);
        const auto record = recorded.find(name);
        if (record != recorded.end() && record->second != data.value) corrupt[name] = true;
        for (const pcore::TransferredPort& port : data.ports) {
            if (port.kind == pcore::PortKind::getter) closed.emplace(port.channel, port.closed);
            pending_of(port.pending);
        }
    }
};

Census gather(const pmodel::World& world) {
    Census census;
    for (const pmodel::PutRecord& record : world.ghost().puts) {
        census.recorded[{record.channel, record.seq}] = record.value;
    }
    for (const pmodel::CompSlot& slot : world.comps()) {
        const bool ended = slot.state.outcome.kind != pcore::OutcomeKind::running;
        for (const pcore::Port& port : slot.state.ports) {
            if (port.kind != pcore::PortKind::getter || port.moved) continue;
            census.closed[port.channel] = port.closed || ended;
            census.pending_of(port.pending);
        }
    }
    for (std::size_t link = 0; link < world.links().size(); ++link) {
        std::size_t index = 0;
        for (const pcore::Message& message : world.links()[link].queue) {
            if (const auto* data = std::get_if<pcore::Data>(&message)) {
                census.add(*data, Position{false, link, index});
            }
            ++index;
        }
    }
    return census;
}

// Whether the copy at `y` reaches the getter end before the copy at `x` (same channel).
bool before(const Position& y, const Position& x) {
    if (y.pending && x.pending) return y.index < x.index;
    if (y.pending) return true;
    if (x.pending) return false;
    return y.link == x.link && y.index < x.index;
}

std::uint32_t next_accept(const pmodel::World& world, pcore::ChannelId channel) {
    for (const pmodel::ChannelProgress& progress : world.ghost().channels) {
        if (progress.channel == channel) return progress.next_accept;
    }
    return 0;
}

void clear(const Symbols& f, Structure& out, Time time) {
    const std::uint32_t puts = out.size(1);
    for (std::uint32_t x = 0; x < puts; ++x) {
        for (SymbolId unary : {f.taken, f.held, f.closed_end, f.corrupt})
            out.set(unary, {x}, 0, time);
        // `earlier` is written for both states at once (abstract_world): the first state clears.
        for (std::uint32_t y = 0; y < puts; ++y) {
            if (time == Time::now) {
                out.set(f.earlier, {x, y}, 0, Time::now);
                out.set(f.earlier, {x, y}, 0, Time::next);
            }
            out.set(f.ahead, {x, y}, 0, time);
        }
    }
    for (std::uint32_t c = 0; c < out.size(0); ++c) out.set(f.pt1, {c}, 0, time);
}

void abstract_world(const Symbols& f,
                    SortId put,
                    const pmodel::World& world,
                    ElementNames& names,
                    Structure& out,
                    Time time) {
    clear(f, out, time);
    const Census census = gather(world);
    for (const auto& [name, value] : census.recorded) {
        (void)names.of(put, put_key(name.first, name.second));
    }
    for (const auto& [name, positions] : census.copies) {
        (void)names.of(put, put_key(name.first, name.second));
    }
    // Every put named in this step, also one this world no longer mentions (its record dropped,
    // its data gone): what it is follows from its name.
    std::map<PutName, std::uint32_t> known;
    for (const auto& [key, element] : names.named(put)) {
        known[{pcore::ChannelId{key[0], key[1]}, key[2]}] = element;
    }
    for (const auto& [name, x] : known) {
        const std::uint32_t next = next_accept(world, name.first);
        out.set(f.taken, {x}, name.second < next ? 1 : 0, time);
        const auto closed = census.closed.find(name.first);
        // No getter end anywhere: it is gone with its freed holder.
        out.set(f.closed_end, {x}, closed == census.closed.end() || closed->second ? 1 : 0, time);
        out.set(f.corrupt, {x}, census.corrupt.count(name) != 0 ? 1 : 0, time);
        const auto copies = census.copies.find(name);
        out.set(f.held, {x}, copies != census.copies.end() ? 1 : 0, time);
        for (const auto& [other, y] : known) {
            if (other.first != name.first || other.second >= name.second) continue;
            // What a name is, the same in both states: a put the other state does not mention
            // is still earlier than the later ones of its channel.
            out.set(f.earlier, {y, x}, 1, Time::now);
            out.set(f.earlier, {y, x}, 1, Time::next);
            const auto ahead = census.copies.find(other);
            if (copies == census.copies.end() || ahead == census.copies.end()) continue;
            // Every copy of y before every copy of x.
            bool first = true;
            for (const Position& at_y : ahead->second) {
                for (const Position& at_x : copies->second) first = first && before(at_y, at_x);
            }
            if (first) out.set(f.ahead, {y, x}, 1, time);
        }
    }
    for (const pmodel::Violation& violation : world.violations()) {
        if (violation.property == "PT-1" && !violation.comps.empty() &&
            violation.comps[0].value() < out.size(0)) {
            out.set(f.pt1, {violation.comps[0].value()}, 1, time);
        }
    }
}

std::uint32_t put_count(const pmodel::World& world) {
    const Census census = gather(world);
    std::size_t count = census.recorded.size();
    for (const auto& [name, positions] : census.copies) count += census.recorded.count(name) == 0;
    return static_cast<std::uint32_t>(count);
}

// ---- The encoding ---------------------------------------------------------------------------

struct Builder {
    Encoding& e;
    Reader r;
    Symbols f;
    SortId put;
    Var x, y, c;
    Expr X, Y, C;
};

Builder declare(Encoding& e) {
    Vocabulary& voc = e.vocabulary;
    const SortId comp = voc.uninterpreted("comp");
    const SortId put = voc.uninterpreted("put");
    e.comp = comp;
    const Symbols f{
        voc.relation("earlier", {put, put},
                     "the same channel, and the first was put before the second"),
        voc.relation("taken", {put}, "ghost: below the observers' next_accept of its channel"),
        voc.relation("held", {put}, "a copy of its Data is in flight or pending somewhere"),
        voc.relation("ahead", {put, put},
                     "the first's copy reaches the getter end before the second's"),
        voc.relation("closed_end", {put},
                     "the getter end of its channel is closed, held by one that ended, or gone"),
        voc.relation("corrupt", {put}, "a copy carries another value than was put"),
        voc.relation("pt1", {comp}, "ghost: the observers found PT-1 at this getter")};
    VarPool& vars = e.vars;
    const Var x = vars.fresh(put, "x"), y = vars.fresh(put, "y"), c = vars.fresh(comp, "c");
    return Builder{e, Reader{e.vocabulary}, f, put, x, y, c, ref(x), ref(y), ref(c)};
}

// What the relations are, in state `time`: taken is a prefix of its channel; an end's closing
// is the channel's; ahead only between held copies of one channel.
Expr definitions(const Builder& d, Time time) {
    const auto at = [&](SymbolId symbol, std::vector<Expr> args) {
        return time == Time::now ? d.r(symbol, std::move(args)) : d.r.next(symbol, std::move(args));
    };
    const Symbols& f = d.f;
    return forall(
        {d.x, d.y},
        land({implies(land({at(f.earlier, {d.Y, d.X}), at(f.taken, {d.X})}), at(f.taken, {d.Y})),
              implies(at(f.earlier, {d.Y, d.X}),
                      iff(at(f.closed_end, {d.Y}), at(f.closed_end, {d.X}))),
              implies(at(f.ahead, {d.Y, d.X}),
                      land({at(f.earlier, {d.Y, d.X}), at(f.held, {d.Y}), at(f.held, {d.X})}))}));
}

// Which rules of the code hold in a design (conformance found each broken where it is off).
struct Rules {
    // Copies keep their order, a put goes behind the earlier ones, and a copy goes untaken only
    // where the getter end is closed: off where a hand-off does not block the putter
    // (transfer_blocks_peer=off) or the network reorders (fifo_channel, unordered). There data
    // overtakes data, and data reaching a port's old owner after it ended goes silently.
    bool fifo = true;
};

Rules rules_of(const pcore::Variants& variants) {
    Rules rules;
    rules.fifo = variants.transfer_blocks_peer == pcore::OnOff::on &&
                 variants.network == pcore::NetworkOrder::fifo_pair;
    return rules;
}

void add_init(Builder& d) {
    const Symbols& f = d.f;
    d.e.init = land({forall({d.x}, land({lnot(d.r(f.held, {d.X})), lnot(d.r(f.taken, {d.X})),
                                         lnot(d.r(f.corrupt, {d.X}))})),
                     forall({d.c}, lnot(d.r(f.pt1, {d.C}))), definitions(d, Time::now)});
}

// The rules about two puts of one channel (y earlier than x).
Expr order_rules(const Builder& d, const Rules& rules) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &X = d.X, &Y = d.Y;
    const Expr both_held =
        land({r(f.held, {Y}), r(f.held, {X}), r.next(f.held, {Y}), r.next(f.held, {X})});
    const Expr new_x = land({lnot(r(f.held, {X})), r.next(f.held, {X})});
    const Expr behind =
        lor({land({r.next(f.held, {Y}), r.next(f.ahead, {Y, X})}), r.next(f.closed_end, {X})});
    std::vector<Expr> all{
        // accept: the head only, from an open end, its only copy.
        implies(land({lnot(r(f.taken, {X})), r.next(f.taken, {X}), r(f.held, {Y})}),
                lnot(r(f.ahead, {Y, X})))};
    if (rules.fifo) {
        all.push_back(implies(land({both_held, r(f.ahead, {Y, X})}), r.next(f.ahead, {Y, X})));
        all.push_back(
            implies(land({new_x, r(f.earlier, {Y, X}), lnot(r.next(f.taken, {Y}))}), behind));
    }
    return forall({d.x, d.y}, land(std::move(all)));
}

// The rules about one put.
Expr put_rules(const Builder& d, const Rules& rules) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr& X = d.X;
    const Expr newly_taken = land({lnot(r(f.taken, {X})), r.next(f.taken, {X})});
    std::vector<Expr> all{
        // put: a new copy is of a put not taken.
        implies(land({lnot(r(f.held, {X})), r.next(f.held, {X})}), lnot(r.next(f.taken, {X}))),
        implies(r(f.closed_end, {X}), r.next(f.closed_end, {X})),
        implies(r(f.taken, {X}), r.next(f.taken, {X})),
        // values: no step changes one.
        implies(lnot(r(f.corrupt, {X})), lnot(r.next(f.corrupt, {X})))};
    if (rules.fifo) {
        // accept: a put becomes taken as its only copy is accepted, from an open end (where
        // data overtakes data, the observers' next_accept also jumps over a lost put).
        all.push_back(implies(newly_taken, land({r(f.held, {X}), lnot(r.next(f.held, {X})),
                                                 lnot(r(f.closed_end, {X}))})));
        // vanish: untaken only where the getter end is closed.
        all.push_back(
            implies(land({r(f.held, {X}), lnot(r.next(f.held, {X})), lnot(r.next(f.taken, {X}))}),
                    r.next(f.closed_end, {X})));
    }
    return forall({d.x}, land(std::move(all)));
}

// The observers: a new PT-1 finding is an accept of a copy of a taken put, of a corrupt copy, or
// of a put with an earlier one not taken.
Expr finding_rule(const Builder& d) {
    const Symbols& f = d.f;
    const Reader& r = d.r;
    const Expr &X = d.X, &Y = d.Y, &C = d.C;
    const Expr skipped = land({lnot(r(f.taken, {X})), r.next(f.taken, {X}),
                               exists({d.y}, land({r(f.earlier, {Y, X}), lnot(r(f.taken, {Y}))}))});
    return forall(
        {d.c}, implies(land({lnot(r(f.pt1, {C})), r.next(f.pt1, {C})}),
                       exists({d.x}, land({r(f.held, {X}),
                                           lor({r(f.taken, {X}), r(f.corrupt, {X}), skipped})}))));
}

void add_step(Builder& d, const Rules& rules) {
    const Symbols& f = d.f;
    const Expr names_fixed = forall({d.x, d.y}, d.r.unchanged(f.earlier, {d.Y, d.X}));
    d.e.actions.push_back(ActionDecl{
        "step",
        "any step: a put (new Data), on_data (pending, or forwarded from a moved port), a get "
        "(accepts the head), a hand-off (pending data moves with the port), report_failed_put, an "
        "end (the getter end closes)",
        {},
        land({names_fixed, definitions(d, Time::next), order_rules(d, rules), put_rules(d, rules),
              finding_rule(d)})});
}

void add_invariants(Builder& d) {
    const Symbols& f = d.f;
    const Expr &X = d.X, &Y = d.Y;
    auto add = [&](std::string name, std::string words, Expr formula) {
        d.e.invariants.push_back(
            InvariantDecl{std::move(name), std::move(words), std::move(formula)});
    };
    add("channel_definitions",
        "taken is a prefix of each channel; an end's closing is its channel's; ahead only between "
        "held copies of one channel, the earlier first",
        definitions(d, Time::now));
    add("held_not_taken", "no copy of a put that was accepted is held",
        forall({d.x}, implies(d.r(f.held, {X}), lnot(d.r(f.taken, {X})))));
    add("values_intact", "every held copy carries the value that was put",
        forall({d.x}, lnot(d.r(f.corrupt, {X}))));
    add("route_ordered",
        "before a held copy, every earlier put of its channel that is not taken is held ahead of "
        "it, unless the channel's getter end is closed",
        forall({d.x, d.y},
               implies(
                   land({d.r(f.held, {X}), d.r(f.earlier, {Y, X}), lnot(d.r(f.taken, {Y}))}),
                   lor({land({d.r(f.held, {Y}), d.r(f.ahead, {Y, X})}), d.r(f.closed_end, {X})}))));
    add("no_pt1_so_far", "the observers have found no PT-1 violation (PT-1 itself, kept inductive)",
        forall({d.c}, lnot(d.r(f.pt1, {d.C}))));
    d.e.properties.push_back(PropertyDecl{
        "PT-1",
        "per channel, the getter accepts what the putter sent, in order, once each, across any "
        "number of hand-offs; from local rules of the code that conformance checks on every step",
        forall({d.c}, lnot(d.r(f.pt1, {d.C}))),
        {"channel_definitions", "held_not_taken", "values_intact", "route_ordered",
         "no_pt1_so_far"}});
}

std::string describe(const Symbols& f, const Structure& state, std::uint32_t c, Time time) {
    std::string line = state.get(f.pt1, {c}, time) ? "PT-1 found here" : "";
    // Puts are not a component's: the first component lists them all.
    if (c != 0) return line.empty() ? std::string("-") : line;
    for (std::uint32_t x = 0; x < state.size(1); ++x) {
        line += concat("; put p", std::to_string(x));
        const std::pair<SymbolId, const char*> facts[] = {{f.taken, " taken"},
                                                          {f.held, " held"},
                                                          {f.closed_end, " (end closed)"},
                                                          {f.corrupt, " corrupt"}};
        for (const auto& [symbol, words] : facts) {
            if (state.get(symbol, {x}, time)) line += words;
        }
        for (std::uint32_t y = 0; y < state.size(1); ++y) {
            if (state.get(f.earlier, {y, x}, time)) line += concat(", after p", std::to_string(y));
            if (state.get(f.ahead, {y, x}, time))
                line += concat(" (p", std::to_string(y), " ahead)");
        }
    }
    return line.empty() ? std::string("no put")
                        : (line.rfind("; ", 0) == 0 ? line.substr(2) : line);
}

}  // namespace

}  // namespace channel_order

}  // namespace psmt

namespace psmt {

Encoding channel_order_encoding(const pcore::Variants& variants) {
    using namespace channel_order;
    Encoding e;
    e.protocol = "channel order";
    Builder builder = declare(e);
    add_init(builder);
    add_step(builder, rules_of(variants));
    add_invariants(builder);
    const Symbols f = builder.f;
    const SortId put = builder.put;
    wire_one_sort(e, f, put, abstract_world, put_count, describe);
    return e;
}

}  // namespace psmt
