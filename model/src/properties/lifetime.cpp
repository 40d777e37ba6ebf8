// LC-1 and LC-2 on what the world saw: messages in flight to a component when it is freed,
// and puts that were neither received nor reported failed. (LC-3 is the world's own count:
// World::on_effect(RefDec), World::free_if_unreferenced.)
#include <algorithm>
#include <sstream>

#include "pmodel/world.hpp"

namespace pmodel {

// LC-1: nothing may still be on its way to a freed component (its sender held no handle, or
// dropped it too early). Not counted: a CancelRequest (out of band: the registry drops it), and
// data a component sent itself (both ends of a channel were its own; its inbox dies with it).
void World::check_in_flight_at_free(CompId comp) {
    for (const Link& link : links_) {
        if (link.to != comp || link.from == comp) continue;
        for (const Message& message : link.queue) {
            if (std::holds_alternative<pcore::CancelRequest>(message)) continue;
            violation("LC-1", {link.from, comp},
                      name_of(link.from) + "'s " + pcore::message_name(message) +
                          " was still in "
                          "flight to " +
                          name_of(comp) + " when it was freed");
            return;
        }
    }
}

// The put's Data message still exists: in flight on a link, or delivered to a live component
// and waiting there to be got.
bool World::data_still_held(const PutRecord& put) const {
    auto same = [&put](const Message& message) {
        const auto* data = std::get_if<pcore::Data>(&message);
        return data != nullptr && data->channel == put.channel && data->seq == put.seq;
    };
    // In flight only counts when its receiver can still take it: a live component that takes
    // messages (not one stuck in its failure handler or never scheduled).
    for (const Link& link : links_) {
        const std::uint32_t to = link.to.value();
        const pcore::ComponentState& receiver = comps_[to].state;
        if (comps_.freed(to) || receiver.outcome.kind != pcore::OutcomeKind::running ||
            !pcore::receptive(receiver) || receiver.shutdown.deadlocked) {
            continue;
        }
        if (std::any_of(link.queue.begin(), link.queue.end(), same)) return true;
    }
    for (std::uint32_t index = 0; index < comps_.size(); ++index) {
        const pcore::ComponentState& state = comps_[index].state;
        if (comps_.freed(index) || state.outcome.kind != pcore::OutcomeKind::running) continue;
        for (const pcore::Port& port : state.ports) {
            for (const pcore::Data& data : port.pending) {
                if (data.channel == put.channel && data.seq == put.seq) return true;
            }
        }
    }
    return false;
}

// LC-2 on a terminal state: every put was accepted, reported failed to its sender, or its
// sender ended inside the round of the put (a round it did not complete takes its puts along),
// or its sender is still live inside that round, which never decided.
void World::check_conservation() {
    for (const PutRecord& put : ghost_->puts) {
        if (put.status != PutStatus::outstanding) continue;
        const SlotGhost& sender = comps_.ghost(put.sender.value());
        const bool latest_round = sender.rounds == put.sender_round + 1;
        const bool ended_in_that_round = latest_round && sender.last_round == RoundStatus::ended;
        // A live sender still waiting in the put's round, its data still in flight or held by
        // a live component that never got it: the round never decided (an application
        // deadlock, or DF-1/DF-3's business), so the put was not dropped: its fate is undecided,
        // not lost (scenario put-into-application-deadlock). Data that went with a component
        // that ended is lost (data_message_failed=off).
        const bool round_undecided =
            latest_round && sender.last_round == RoundStatus::open &&
            comps_[put.sender.value()].state.outcome.kind == pcore::OutcomeKind::running &&
            data_still_held(put);
        if (ended_in_that_round || round_undecided) continue;
        std::ostringstream detail;
        detail << "put #" << put.seq << " of " << name_of(put.sender) << " on channel "
               << put.channel.creator << "." << put.channel.serial
               << " was neither received nor reported failed";
        violation("LC-2", {put.sender}, detail.str());
        return;
    }
}

}  // namespace pmodel
