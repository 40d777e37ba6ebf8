// Consensus of a sync round (seed 004 "Annotating Data Messages"; reowolf-notes §1.7-1.8, §2.4,
// §3.5; model-findings.md §1).
//
// Each put gets a fresh mapping; putter and getter ends of a channel agree when both report the
// same mapping for the round. The leader is the highest component id discovered in the round:
//
//   sync_begin: highest = self
//   data accepted with header.highest > ours  -> adopt it, notify every round peer
//                                                (NotificationOfLeader), forward held parts
//   data accepted with header.highest < ours  -> tell the sender our higher id
//   sync_end: Submission(local part) -> highest   (the leader merges its own directly)
//   leader: every discovered participant submitted -> Decision to every submitter:
//           Solution iff no part failed and every channel entry has an agreeing twin
//
// Notifications carry the sender's round and, when known, the receiver's; one that cannot yet
// be matched to the receiver's current round is buffered until the data it follows is
// accepted (per-pair FIFO puts that data first). A participant that fails inside the round
// submits a failed part; with leader_holds_refs=on every part carries a handle on its
// submitter that the Decision brings back, which keeps failed participants reachable until the
// round ends (seed 004 §"Managing the Lifetime"). Upholds SY-1, SY-2, SY-4, DF-3.
#include "internal.hpp"

namespace pcore::detail {

namespace {

// Sending needs a reference on the receiver (reowolf-notes §3.7). A peer whose ports to us are
// all closed has ended or is ending; it needs no news of the leader.
bool holds_handle(const ComponentState& state, CompId comp) {
    return std::any_of(state.peers.begin(), state.peers.end(),
                       [&](const PeerLink& link) { return link.comp == comp; });
}

void try_decide(Step& step);
void merge_part(Step& step, SolutionPart part);

// We hand on an error that did not start here: we are one more hop of its relay path.
void note_relay(const Step& step, ErrorInfo& error) {
    const CompId self = step.state.self;
    if (error.origin == self) return;
    if (!error.relay.empty() && error.relay.back() == self) return;
    error.relay.push_back(self);
}

void insert_sorted(std::vector<CompId>& ids, CompId id) {
    auto at = std::lower_bound(ids.begin(), ids.end(), id);
    if (at == ids.end() || *at != id) ids.insert(at, id);
}

// The next hop towards the leader: the neighbour that told us of it, else the leader itself.
CompId leader_route(const RoundState& round) {
    return round.leader_via.valid() ? round.leader_via : round.highest;
}

// Parts travel hop by hop towards the leader, through the neighbour that told us of it
// (reowolf-notes §1.7: sync messages follow ports). When that neighbour failed inside the round
// we are cut off: we decide the parts we hold (the round fails; we know a participant failed).
void send_towards_leader(Step& step, std::vector<SolutionPart> parts) {
    RoundState& round = step.state.round;
    const CompId target = leader_route(round);
    if (round.highest != step.state.self && !round.orphaned &&
        std::binary_search(round.failed_peers.begin(), round.failed_peers.end(), target)) {
        round.orphaned = true;
    }
    // An ended participant whose way to the leader closed holds no reference to send on (the
    // next hop may be freed): it is cut off too. Its round fails anyway: it ended inside it.
    // (Found by the exhaustive checker with one injected cancel: the ClosePort of a port whose
    // peer end was moving went out only after the end, so the cascade missed that neighbour.)
    if (round.highest != step.state.self && !round.orphaned && step.ended() &&
        !holds_handle(step.state, target)) {
        round.orphaned = true;
    }
    if (round.highest != step.state.self && !round.orphaned) {
        // Failures we pass on, we relay (NM-1: the relay path names every component the error
        // travelled through; tractor's relay_uid).
        for (SolutionPart& part : parts) {
            if (part.failed && part.submitter != step.state.self) note_relay(step, part.error);
        }
        step.send(target, Submission{std::move(parts)});
        return;
    }
    for (SolutionPart& part : parts) merge_part(step, std::move(part));
    try_decide(step);
}

// Parts we held as a (former) leader candidate go on towards the leader.
void forward_held_parts(Step& step) {
    RoundState& round = step.state.round;
    if (round.combined.empty()) return;
    std::vector<SolutionPart> forwarded = std::move(round.combined);
    round.combined.clear();
    send_towards_leader(step, std::move(forwarded));
}

void notify(Step& step, const RoundPeer& peer) {
    if (!holds_handle(step.state, peer.comp)) {
        insert_sorted(step.state.round.owed_notifications, peer.comp);
        return;
    }
    const RoundState& round = step.state.round;
    step.send(peer.comp,
              NotificationOfLeader{SyncHeader{step.state.self, round.highest, round.completed},
                                   peer.round_known, peer.round});
}

void reply_with_higher(Step& step, CompId to, std::uint32_t their_round) {
    if (!holds_handle(step.state, to)) {
        insert_sorted(step.state.round.owed_notifications, to);
        return;
    }
    const RoundState& round = step.state.round;
    step.send(to, NotificationOfLeader{SyncHeader{step.state.self, round.highest, round.completed},
                                       true, their_round});
}

void process_notification(Step& step, CompId from, const NotificationOfLeader& message) {
    round_note_peer(step, from, true, message.header.sender_round);
    if (message.header.highest > step.state.round.highest) {
        round_learn_highest(step, message.header.highest, from);
    } else if (message.header.highest < step.state.round.highest) {
        reply_with_higher(step, from, message.header.sender_round);
    }
}

void replay_buffered(Step& step, CompId from, std::uint32_t sender_round) {
    auto& buffered = step.state.round.buffered;
    for (std::size_t index = 0; index < buffered.size();) {
        if (buffered[index].from == from &&
            buffered[index].message.header.sender_round == sender_round) {
            const BufferedNotification entry = std::move(buffered[index]);
            buffered.erase(buffered.begin() + static_cast<std::ptrdiff_t>(index));
            process_notification(step, entry.from, entry.message);
        } else {
            ++index;
        }
    }
}

bool has_part(const RoundState& round, CompId submitter) {
    return std::any_of(round.combined.begin(), round.combined.end(),
                       [&](const SolutionPart& part) { return part.submitter == submitter; });
}

void merge_part(Step& step, SolutionPart part) {
    RoundState& round = step.state.round;
    auto it = std::lower_bound(
        round.combined.begin(), round.combined.end(), part.submitter,
        [](const SolutionPart& held, CompId comp) { return held.submitter < comp; });
    if (it != round.combined.end() && it->submitter == part.submitter) {
        // A submitter's failure after submitting supersedes its earlier part; one handle stays.
        const bool keep_old_ref = it->holds_ref;
        if (part.update && part.failed) {
            if (part.holds_ref && keep_old_ref) step.emit(RefDec{part.submitter});
            part.holds_ref = part.holds_ref || keep_old_ref;
            *it = std::move(part);
        } else if (part.holds_ref) {
            step.emit(RefDec{part.submitter});
        }
        return;
    }
    part.update = false;
    round.combined.insert(it, std::move(part));
}

CompId highest_in_parts(const RoundState& round) {
    CompId top = round.highest;
    for (const SolutionPart& part : round.combined) {
        if (part.submitter > top) top = part.submitter;
        for (CompId peer : part.peers) {
            if (peer > top) top = peer;
        }
    }
    return top;
}

// A listed peer is accounted for once it submitted, or once a ClosePort carrying its error
// reached a submitter in the round (the failure cascade stands in for its part).
bool accounted(const RoundState& round, CompId peer) {
    if (has_part(round, peer)) return true;
    return std::any_of(round.combined.begin(), round.combined.end(), [&](const SolutionPart& part) {
        return std::find(part.failed_peers.begin(), part.failed_peers.end(), peer) !=
               part.failed_peers.end();
    });
}

// A submitter known to have failed in the round: its part failed, or a ClosePort said so. The
// peers only it listed are its business: cut off from us, it decides the parts it holds
// (send_towards_leader), and a late part gets our failure decision (on_submission).
bool submitter_failed(const RoundState& round, CompId submitter) {
    return std::any_of(round.combined.begin(), round.combined.end(), [&](const SolutionPart& part) {
        return (part.submitter == submitter && part.failed) ||
               std::binary_search(part.failed_peers.begin(), part.failed_peers.end(), submitter);
    });
}

enum class Verdict { incomplete, solution, failure };

bool has_getter_twin(const RoundState& round, const ChannelEntry& putter) {
    return std::any_of(round.combined.begin(), round.combined.end(), [&](const SolutionPart& part) {
        return std::any_of(part.entries.begin(), part.entries.end(), [&](const ChannelEntry& e) {
            return e.kind == PortKind::getter && e.peer_comp == putter.comp &&
                   e.peer_port == putter.port;
        });
    });
}

// Whether a submitter declared the getter end of `putter`'s channel idle in its vote.
bool held_idle(const RoundState& round, const ChannelEntry& putter) {
    return std::any_of(round.combined.begin(), round.combined.end(), [&](const SolutionPart& part) {
        return std::any_of(part.idle_getters.begin(), part.idle_getters.end(),
                           [&](const ChannelEntry& e) {
                               return e.peer_comp == putter.comp && e.peer_port == putter.port;
                           });
    });
}

bool failed_leader(const RoundState& round, CompId self) {
    return std::any_of(round.combined.begin(), round.combined.end(), [&](const SolutionPart& part) {
        return part.submitter == self && part.failed;
    });
}

// A peer that failed inside the round fails the round (SY-4), part or no part.
bool any_failure(const RoundState& round) {
    return std::any_of(round.combined.begin(), round.combined.end(), [](const SolutionPart& part) {
        return part.failed || !part.failed_peers.empty();
    });
}

// Whether every getter entry agrees with its putter's mapping and every put has a getter twin
// (a put whose getter end's holder voted without accepting it has none: no solution).
bool puts_agree(const RoundState& round) {
    for (const SolutionPart& part : round.combined) {
        for (const ChannelEntry& entry : part.entries) {
            if (entry.kind == PortKind::putter) {
                if (!has_getter_twin(round, entry)) return false;
                continue;
            }
            bool twin = false;
            for (const SolutionPart& other : round.combined) {
                if (other.submitter != entry.peer_comp) continue;
                for (const ChannelEntry& putter : other.entries) {
                    if (putter.kind != PortKind::putter || putter.port != entry.peer_port) continue;
                    if (putter.mapping != entry.mapping) return false;
                    twin = true;
                }
            }
            if (!twin) return false;
        }
    }
    return true;
}

// Every channel end needs its twin: a putter entry waits for the getter that will accept it
// (the putter cannot know who that is: its port may be moving), a getter entry names the
// putter it heard from. With a failed part the round fails as soon as everyone listed is in.
// What it still waits for is pcore::leader_waits (the observers' wait edges too).
Verdict evaluate(const RoundState& round, CompId self) {
    if (!has_part(round, self)) {
        // Cut off after our own part left: the round has failed (the neighbour on the way to
        // the leader failed inside it), so the parts that reach us get that verdict now; our
        // own decision comes from the leader, which answers late parts.
        return round.orphaned && !round.combined.empty() ? Verdict::failure : Verdict::incomplete;
    }
    // A leader that failed inside the round decides Failure at once with the parts it holds:
    // the verdict cannot change, and a part still on its way comes from a neighbour whose
    // Ack (behind it on the same link) keeps us alive to answer it (late parts, on_submission).
    // Waiting instead could wait forever for a participant whose failure never reaches us.
    if (failed_leader(round, self)) return Verdict::failure;
    const LeaderWaits waits = leader_waits(round, self);
    if (!waits.parts.empty() || !waits.puts.empty()) return Verdict::incomplete;
    if (any_failure(round)) return Verdict::failure;
    return puts_agree(round) ? Verdict::solution : Verdict::failure;
}

// The root cause among failed parts: a part that failed on its own error, else the first.
const SolutionPart* root_failure(const std::vector<SolutionPart>& parts) {
    const SolutionPart* first = nullptr;
    for (const SolutionPart& part : parts) {
        if (!part.failed) continue;
        if (part.error.origin == part.submitter) return &part;
        if (first == nullptr) first = &part;
    }
    return first;
}

bool has_own_part(const std::vector<SolutionPart>& parts, CompId self) {
    return std::any_of(parts.begin(), parts.end(),
                       [&](const SolutionPart& part) { return part.submitter == self; });
}

// Why a cut-off participant fails the parts it holds: its own end, or the error of the
// neighbour on the way to the leader that failed inside the round (NM-1: a real root cause).
ErrorInfo cut_off_cause(const Step& step) {
    const ComponentState& state = step.state;
    if (ends_with_error(state)) return relayed_error(state);
    for (const Port& port : state.ports) {
        if (port.closer_failed_in_round && port.has_close_error &&
            port.peer_comp == leader_route(state.round)) {
            return port.close_error;
        }
    }
    for (const Port& port : state.ports) {
        if (port.closer_failed_in_round && port.has_close_error) return port.close_error;
    }
    return local_error(step, builtin_error::inconsistent_round);
}

void decide(Step& step, bool agreed) {
    RoundState& round = step.state.round;
    std::vector<SolutionPart> parts = std::move(round.combined);
    round.combined.clear();
    Decision decision;
    decision.leader = step.state.self;
    if (const SolutionPart* failed = root_failure(parts)) {
        decision.solution = false;
        decision.error = failed->error;
    } else if (round.orphaned && !has_own_part(parts, step.state.self)) {
        decision.solution = false;
        decision.error = cut_off_cause(step);
    } else if (!agreed) {
        decision.solution = false;
        decision.error = local_error(step, builtin_error::inconsistent_round);
    } else {
        decision.solution = true;
    }
    // A Failure decision relays its root cause to every submitter (NM-1).
    if (!decision.solution) note_relay(step, decision.error);
    round.last_failed = !decision.solution;
    round.last_error = decision.error;
    for (const SolutionPart& part : parts) decision.submitters.push_back(part.submitter);
    bool own_part = false;
    bool own_ref = false;
    for (const SolutionPart& part : parts) {
        if (part.submitter == step.state.self) {
            own_part = true;
            own_ref = part.holds_ref;
            continue;
        }
        Decision copy = decision;
        copy.holds_ref = part.holds_ref;
        step.send(part.submitter, std::move(copy));
    }
    if (own_part) {
        decision.holds_ref = own_ref;
        on_decision(step, decision);
    }
}

void try_decide(Step& step) {
    RoundState& round = step.state.round;
    if (!round.active) return;
    if (round.highest != step.state.self && !round.orphaned) return;
    const CompId top = highest_in_parts(round);
    if (top > round.highest && !round.orphaned) {
        round_learn_highest(step, top, CompId::none());
        return;
    }
    const Verdict verdict = evaluate(round, step.state.self);
    if (verdict != Verdict::incomplete) decide(step, verdict == Verdict::solution);
}

void conclude_round(Step& step) {
    RoundState& round = step.state.round;
    // Notifications still buffered from this round's peers are stale now.
    auto& buffered = round.buffered;
    buffered.erase(std::remove_if(buffered.begin(), buffered.end(),
                                  [&](const BufferedNotification& entry) {
                                      for (const RoundPeer& peer : round.peers) {
                                          if (peer.comp == entry.from && peer.round_known &&
                                              entry.message.header.sender_round <= peer.round) {
                                              return true;
                                          }
                                      }
                                      return false;
                                  }),
                   buffered.end());
    round.active = false;
    round.submitted = false;
    round.cancel_after_vote = CompId::none();
    round.peers.clear();
    round.failed_peers.clear();
    round.owed_notifications.clear();
    step.state.in_sync = false;
    // A port handed to us in this round's data: its use in the round is over.
    for (Port& port : step.state.ports) port.adopted_used_by = CompId::none();
}

}  // namespace

void round_begin(Step& step) {
    ComponentState& state = step.state;
    RoundState& round = state.round;
    round.active = true;
    round.highest = state.self;
    round.leader_via = CompId::none();
    round.orphaned = false;
    round.mapping_counter = 0;
    round.peers.clear();
    round.submitted = false;
    round.cancel_after_vote = CompId::none();
    round.failed_peers.clear();
    round.owed_notifications.clear();
    state.in_sync = true;
    for (Port& port : state.ports) {
        port.mapping = 0;
        port.used_in_round = false;
    }
}

void round_note_peer(Step& step, CompId comp, bool round_known, std::uint32_t peer_round) {
    if (comp == step.state.self) return;
    auto& peers = step.state.round.peers;
    auto it = std::lower_bound(peers.begin(), peers.end(), comp,
                               [](const RoundPeer& peer, CompId id) { return peer.comp < id; });
    if (it == peers.end() || it->comp != comp) {
        peers.insert(it, RoundPeer{comp, round_known, peer_round});
    } else if (round_known) {
        it->round_known = true;
        it->round = peer_round;
    }
}

void round_learn_highest(Step& step, CompId highest, CompId source) {
    RoundState& round = step.state.round;
    if (highest <= round.highest) return;
    round.highest = highest;
    round.leader_via = source;
    for (const RoundPeer& peer : round.peers) {
        if (peer.comp != source) notify(step, peer);
    }
    if (!round.orphaned) forward_held_parts(step);
}

void round_handle_gained(Step& step, CompId comp) {
    RoundState& round = step.state.round;
    auto& owed = round.owed_notifications;
    const auto at = std::lower_bound(owed.begin(), owed.end(), comp);
    if (!round.active || at == owed.end() || *at != comp) return;
    owed.erase(at);
    const auto peer = std::find_if(round.peers.begin(), round.peers.end(),
                                   [&](const RoundPeer& known) { return known.comp == comp; });
    if (peer != round.peers.end()) notify(step, *peer);
}

void round_after_accept(Step& step, const Data& data) {
    const SyncHeader& header = data.header;
    round_note_peer(step, header.sender, true, header.sender_round);
    if (header.highest > step.state.round.highest) {
        round_learn_highest(step, header.highest, header.sender);
    } else if (header.highest < step.state.round.highest) {
        reply_with_higher(step, header.sender, header.sender_round);
    }
    replay_buffered(step, header.sender, header.sender_round);
}

void emit_put(Step& step, PortId port_id, std::int64_t value, std::vector<TransferredPort> ports) {
    ComponentState& state = step.state;
    RoundState& round = state.round;
    Port& port = step.port(port_id);
    port.mapping = ++round.mapping_counter;
    port.used_in_round = true;
    Data data;
    data.header = SyncHeader{state.self, round.highest, round.completed};
    data.target = PortRef{port.peer_port, CompId::none()};
    data.sending_port = port_id;
    data.mapping = port.mapping;
    for (std::uint32_t index = 0; index < state.ports.size(); ++index) {
        const Port& other = state.ports[index];
        if (other.kind == PortKind::putter && other.mapping != 0 && !other.moved) {
            data.annotations.push_back(PortAnnotation{PortId(index), other.mapping});
        }
    }
    data.value = value;
    data.ports = std::move(ports);
    data.channel = port.channel;
    data.seq = port.next_put_seq++;
    // The putter does not learn its receiver here: the port may be moving, and the receiver
    // announces itself when it accepts (reowolf-notes §1.7: "a transmitting port only knows its
    // own identity").
    step.send(port.peer_comp, std::move(data));
}

namespace {

// A getter end we hold, know the putter end of, and did not use in the round (nor did an
// earlier owner that handed it to us in the round). We have voted: we cannot accept on it any
// more in this round, and it cannot leave us before the decision.
bool is_idle_getter(const Port& port) {
    return port.kind == PortKind::getter && !port.moved && !port.closed && !port.blocked &&
           !port.used_in_round && !port.adopted_used_by.valid() && port.peer_comp.valid();
}

ChannelEntry idle_entry(const ComponentState& state, std::uint32_t index) {
    const Port& port = state.ports[index];
    ChannelEntry entry;
    entry.kind = PortKind::getter;
    entry.comp = state.self;
    entry.port = PortId(index);
    entry.peer_comp = port.peer_comp;
    entry.peer_port = port.peer_port;
    return entry;
}

SolutionPart build_part(Step& step, bool failed, const ErrorInfo& error) {
    ComponentState& state = step.state;
    RoundState& round = state.round;
    SolutionPart part;
    part.submitter = state.self;
    part.submitter_round = round.completed;
    part.failed = failed;
    part.error = error;
    std::vector<CompId> peers;
    for (const RoundPeer& peer : round.peers) peers.push_back(peer.comp);
    for (std::uint32_t index = 0; index < state.ports.size(); ++index) {
        const Port& port = state.ports[index];
        if (is_idle_getter(port)) part.idle_getters.push_back(idle_entry(state, index));
        // Only ports used in the round: data still waiting in a slot may belong to the
        // sender's next round (it finished this one with someone else), so it says nothing
        // about who takes part in ours. Arrival serves out-of-order detection only.
        if (port.moved || !port.used_in_round) continue;
        ChannelEntry entry;
        entry.kind = port.kind;
        entry.comp = state.self;
        entry.port = PortId(index);
        entry.mapping = port.mapping;
        if (port.kind == PortKind::getter) {
            entry.peer_comp = port.accepted_peer_comp;
            entry.peer_port = port.accepted_peer_port;
        } else {
            entry.peer_comp = port.peer_comp;
            entry.peer_port = port.peer_port;
        }
        part.entries.push_back(entry);
    }
    std::sort(peers.begin(), peers.end());
    part.failed_peers = round.failed_peers;
    // A peer whose ClosePort(sync) reached us before our round began failed in the round we
    // then shared with it (its data may still have been accepted).
    for (const Port& port : state.ports) {
        if (!port.closer_failed_in_round) continue;
        if (std::binary_search(peers.begin(), peers.end(), port.peer_comp) ||
            took_part_in_round(state, port)) {
            insert_sorted(part.failed_peers, port.peer_comp);
        }
    }
    part.peers = std::move(peers);
    part.holds_ref = step.variants().leader_holds_refs == OnOff::on;
    return part;
}

}  // namespace

namespace {

void submit_part(Step& step, SolutionPart part) {
    if (part.holds_ref) step.emit(RefInc{step.state.self});
    std::vector<SolutionPart> parts;
    parts.push_back(std::move(part));
    send_towards_leader(step, std::move(parts));
}

}  // namespace

void submit(Step& step, bool failed, const ErrorInfo& error) {
    step.state.round.submitted = true;
    submit_part(step, build_part(step, failed, error));
}

void resubmit_failed(Step& step, const ErrorInfo& error) {
    SolutionPart part = build_part(step, true, error);
    part.update = true;
    submit_part(step, std::move(part));
}

void round_note_failed_peer(Step& step, CompId comp) {
    RoundState& round = step.state.round;
    insert_sorted(round.failed_peers, comp);
    if (round.active && leader_route(round) == comp && round.highest != step.state.self) {
        round.orphaned = true;  // our way to the leader is gone; what we hold, we decide
        try_decide(step);
    }
}

void on_notification_of_leader(Step& step, CompId from, const NotificationOfLeader& message) {
    RoundState& round = step.state.round;
    if (!round.active) {
        // The sender may be a round ahead of us; keep it until we accept its data.
        if (!step.ended()) round.buffered.push_back(BufferedNotification{from, message});
        return;
    }
    if (message.receiver_round_known) {
        if (message.receiver_round == round.completed) {
            process_notification(step, from, message);
        } else if (message.receiver_round > round.completed) {
            round.buffered.push_back(BufferedNotification{from, message});
        }
        return;
    }
    auto it = std::find_if(round.peers.begin(), round.peers.end(),
                           [&](const RoundPeer& peer) { return peer.comp == from; });
    if (it == round.peers.end() || !it->round_known || message.header.sender_round > it->round) {
        round.buffered.push_back(BufferedNotification{from, message});
    } else if (message.header.sender_round == it->round) {
        process_notification(step, from, message);
    }
}

void on_submission(Step& step, const Submission& message) {
    RoundState& round = step.state.round;
    if (!round.active) {
        // Parts for a round we already decided (we failed in it and decided early, or they
        // took a longer way): answer with that decision. Each part's handle makes it safe.
        for (const SolutionPart& part : message.parts) {
            if (round.last_failed && !part.failed) {
                Decision late;
                late.solution = false;
                late.error = round.last_error;
                late.leader = step.state.self;
                late.submitters = {part.submitter};
                late.holds_ref = part.holds_ref;
                step.send(part.submitter, std::move(late));
            } else if (part.holds_ref) {
                step.emit(RefDec{part.submitter});
            }
        }
        return;
    }
    std::vector<SolutionPart> passed_on;
    for (const SolutionPart& part : message.parts) {
        if (part.update && !has_part(round, part.submitter) && !round.orphaned &&
            round.highest != step.state.self) {
            passed_on.push_back(part);  // we no longer hold its earlier part: pass it on
            continue;
        }
        merge_part(step, part);
    }
    if (!passed_on.empty()) send_towards_leader(step, std::move(passed_on));
    const CompId top = highest_in_parts(round);
    if (top > round.highest && !round.orphaned) {
        round_learn_highest(step, top, CompId::none());
    } else if (round.highest != step.state.self && !round.orphaned) {
        forward_held_parts(step);
    } else {
        try_decide(step);
    }
}

void on_decision(Step& step, const Decision& message) {
    ComponentState& state = step.state;
    RoundState& round = state.round;
    if (round.active) {
        if (message.solution) {
            if (!step.ended()) {
                ++round.completed;
                for (Port& port : state.ports) {
                    if (took_part_in_round(state, port)) ++port.rounds_completed;
                    // A closer that failed in the round after this one (its ClosePort
                    // overtook our decision) failed inside the round this port goes into.
                    if (port.has_close_error) {
                        port.closer_failed_in_round =
                            closer_failed_in_round_of(step.variants(), port.close_in_sync,
                                                      port.close_rounds, port.rounds_completed);
                    }
                }
                if (state.mode == Mode::sync_end) {
                    state.mode = Mode::running;
                    ++state.pc;
                }
            }
            conclude_round(step);
        } else {
            if (!step.ended()) {
                trigger_end(step, outcome_for_error(state, message.error), true, EndPath::main);
            }
            if (round.cancel_after_vote.valid()) {
                // The round cancel that waited for the decision: one more cause of the end.
                const ErrorInfo cancel{
                    builtin_error::cancelled, round.cancel_after_vote, {}, CancelLayer::round};
                trigger_end(step, outcome_for_error(state, cancel), true, EndPath::main);
            }
            conclude_round(step);
        }
    }
    if (message.holds_ref) step.emit(RefDec{state.self});
    try_finish_exit(step);
}

}  // namespace pcore::detail

namespace pcore {

// Follows evaluate: a failed leader decides at once; else every peer listed by a submitter not
// known failed must be accounted for; then, with no failure known, every accepted put needs its
// putter's part and every put a getter that accepts it (unless the getter end was held idle).
LeaderWaits leader_waits(const RoundState& round, CompId self) {
    using namespace detail;
    LeaderWaits waits;
    if (!has_part(round, self) || failed_leader(round, self)) return waits;
    for (const SolutionPart& part : round.combined) {
        if (submitter_failed(round, part.submitter)) continue;
        for (CompId peer : part.peers) {
            if (!accounted(round, peer) && peer != self) insert_sorted(waits.parts, peer);
        }
    }
    if (!waits.parts.empty() || any_failure(round)) return waits;
    for (const SolutionPart& part : round.combined) {
        for (const ChannelEntry& entry : part.entries) {
            if (entry.kind == PortKind::getter) {
                if (!has_part(round, entry.peer_comp)) insert_sorted(waits.parts, entry.peer_comp);
            } else if (!has_getter_twin(round, entry) && !held_idle(round, entry)) {
                waits.puts.push_back(entry);
            }
        }
    }
    return waits;
}

}  // namespace pcore
