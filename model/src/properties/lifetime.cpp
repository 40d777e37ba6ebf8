// LC-1 and LC-2 on what the world saw: messages in flight to a component when it is freed,
// and puts that were neither received nor reported failed. (LC-3 is the world's own count:
// World::on_effect(RefDec), World::free_if_unreferenced.)
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

// LC-2 on a terminal state: every put was accepted, reported failed to its sender, or its
// sender ended inside the round of the put (a round it did not complete takes its puts along).
void World::check_conservation() {
    for (const PutRecord& put : ghost_->puts) {
        if (put.status != PutStatus::outstanding) continue;
        const SlotGhost& sender = comps_.ghost(put.sender.value());
        const bool ended_in_that_round =
            sender.rounds == put.sender_round + 1 && sender.last_round == RoundStatus::ended;
        if (ended_in_that_round) continue;
        std::ostringstream detail;
        detail << "put #" << put.seq << " of " << name_of(put.sender) << " on channel "
               << put.channel.creator << "." << put.channel.serial
               << " was neither received nor reported failed";
        violation("LC-2", {put.sender}, detail.str());
        return;
    }
}

}  // namespace pmodel
