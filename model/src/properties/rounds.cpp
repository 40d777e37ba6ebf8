// SY-1..SY-4: sync rounds judged from what every participant did, including those that ended
// inside the round (docs/properties.md, "Sync rounds").
//
// Two rounds are linked when a put of one was accepted in the other; linked rounds must
// conclude alike: both commit (the participant moved past its sync_end) or both end. When the
// second of two linked rounds concludes, the link is judged:
//
//   committed X, ended Y:  Y ended after its vote by an external kill,
//                          or by the ClosePort of one that did         -> allowed (2PC window)
//                          Y failed by a ClosePort of a committed peer -> SY-3
//                          Y failed by a Failure decision               -> SY-1
//                          Y ended after its vote otherwise              -> SY-1
//                          Y ended before its vote                      -> SY-4
//
// SY-2: when a participant commits, every put it made in that round was accepted (a put the
// getter never took, or that was reported failed, leaves no agreeing twin).
// SY-5: ...and no component accepted two of them in another order than they were made (seed
// 004, "Annotating Data Messages": "It is impossible for a round where messages are received
// out of order to complete").
#include <algorithm>

#include "pmodel/world.hpp"

namespace pmodel {

namespace {

// How round `round` of a component went, as far as it has.
RoundStatus status_of(const SlotGhost& facts, std::uint32_t round) {
    if (round + 1 < facts.rounds) return RoundStatus::committed;
    return facts.last_round;
}

bool concluded(RoundStatus status) {
    return status == RoundStatus::committed || status == RoundStatus::ended;
}

// A participant killed from outside after its vote, or failed after its vote by the
// ClosePort(sync) of one that was (its failure is that kill's, cascading).
bool window_of(const World& world, CompId comp, int depth) {
    const SlotGhost& facts = world.slot_ghost(comp);
    if (!facts.trigger_after_submit || depth > 64) return false;
    if (facts.trigger == EndTrigger::external) return true;
    return facts.trigger == EndTrigger::close_port && facts.trigger_from.valid() &&
           facts.trigger_from != comp && window_of(world, facts.trigger_from, depth + 1);
}

}  // namespace

bool in_commit_window(const World& world, CompId comp) {
    return window_of(world, comp, 0);
}

void World::round_entered(CompId comp) {
    SlotGhost& facts = comps_.ghost_at(comp.value());
    ++facts.rounds;
    facts.last_round = RoundStatus::open;
    facts.submitted = false;
    facts.puts_in_round = 0;
}

void World::round_concluded(CompId comp, ApplyResult& result) {
    const SlotGhost facts = comps_.ghost(comp.value());
    const std::uint32_t round = facts.rounds - 1;
    if (facts.last_round == RoundStatus::committed) judge_round_puts(comp, round);
    // Settled puts of the round are judged: only unsettled ones stay (LC-2).
    if (std::any_of(ghost_->puts.begin(), ghost_->puts.end(), [&](const PutRecord& put) {
            return put.sender == comp && put.sender_round == round &&
                   put.status != PutStatus::outstanding;
        })) {
        std::erase_if(edit_ghost().puts, [&](const PutRecord& put) {
            return put.sender == comp && put.sender_round == round &&
                   put.status != PutStatus::outstanding;
        });
    }
    std::vector<RoundLink> ready;
    for (const RoundLink& link : ghost_->links) {
        const bool mine = (link.putter == comp && link.putter_round == round) ||
                          (link.getter == comp && link.getter_round == round);
        if (!mine) continue;
        const CompId other = link.putter == comp ? link.getter : link.putter;
        const std::uint32_t other_round =
            link.putter == comp ? link.getter_round : link.putter_round;
        result.round_ghost.push_back(other);
        if (concluded(status_of(comps_.ghost(other.value()), other_round))) ready.push_back(link);
    }
    if (ready.empty()) return;
    std::erase_if(edit_ghost().links, [&](const RoundLink& link) {
        return std::binary_search(ready.begin(), ready.end(), link);
    });
    for (const RoundLink& link : ready) judge_link(link, result);
}

// Y's round ended while a linked round of X committed: which property that breaks.
void World::judge_link(const RoundLink& link, ApplyResult& /*result*/) {
    const RoundStatus putter = status_of(comps_.ghost(link.putter.value()), link.putter_round);
    const RoundStatus getter = status_of(comps_.ghost(link.getter.value()), link.getter_round);
    if (putter == getter) return;
    const CompId committed = putter == RoundStatus::committed ? link.putter : link.getter;
    const CompId ended = putter == RoundStatus::committed ? link.getter : link.putter;
    const SlotGhost& facts = comps_.ghost(ended.value());
    const std::string who = name_of(ended);
    const std::string peer = name_of(committed);
    if (in_commit_window(*this, ended)) return;
    if (facts.trigger == EndTrigger::close_port && facts.trigger_from == committed) {
        violation("SY-3", {ended, committed},
                  who + " was failed by a ClosePort of " + peer +
                      ", which had completed the round they shared (decided Solution)");
    } else if (facts.trigger == EndTrigger::decision) {
        violation("SY-1", {ended, committed},
                  who + " got Failure for a round that " + peer + " committed (Solution)");
    } else if (facts.trigger_after_submit) {
        violation("SY-1", {ended, committed},
                  who + " ended " + pcore::outcome_name(comps_[ended.value()].state.outcome.kind) +
                      " after its vote in a round that " + peer + " committed");
    } else {
        violation("SY-4", {ended, committed},
                  who + " failed inside a round that " + peer + " still committed (Solution)");
    }
}

void World::judge_round_puts(CompId comp, std::uint32_t round) {
    for (const PutRecord& put : ghost_->puts) {
        if (put.sender != comp || put.sender_round != round) continue;
        if (put.status == PutStatus::accepted && put.overtaken) {
            violation("SY-5", {put.acceptor, comp},
                      name_of(put.acceptor) + " accepted put #" + std::to_string(put.seq) +
                          " of channel " + std::to_string(put.channel.creator) + "." +
                          std::to_string(put.channel.serial) + " after a later put of " +
                          name_of(comp) + ", in a round that committed (Solution)");
            return;
        }
        if (put.status == PutStatus::accepted) continue;
        violation(
            "SY-2", {comp},
            name_of(comp) + " committed a round (Solution) in which its put #" +
                std::to_string(put.seq) + " of channel " + std::to_string(put.channel.creator) +
                "." + std::to_string(put.channel.serial) +
                (put.status == PutStatus::failed ? " was reported failed" : " was never accepted"));
        return;
    }
}

}  // namespace pmodel
