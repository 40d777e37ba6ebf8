// Port closing and component lifetime (seed 004 "Managing the Lifetime of Components" and
// "Handling Fatal Component Errors"; reowolf-notes §1.6, §1.9, §2.1, §3.7-3.9).
//
// An ending component E (normal end or error):
//
//   running --end/error--> busy_exit: ClosePort(in_sync, rounds_completed, error) on every open
//        port; data arriving now is answered with DataMessageFailed
//   busy_exit --last Acknowledge (a crossing ClosePort counts as one)--> exited: drop the self
//        reference; the world frees E when its count reaches 0
//
// A peer C receiving ClosePort marks its port closed (any later put fails, a get with nothing
// pending fails), acknowledges, and drops its handle on E. It fails at once only if it is in an
// undecided round that used the port and the in-sync information says E failed inside that
// same round (close_port_info variant). Upholds DF-2, LC-2, LC-3, SY-3, NM-1, NM-5.
#include <algorithm>

#include "internal.hpp"

namespace pcore::detail {

PortId new_port(ComponentState& state, PortKind kind, ChannelId channel) {
    Port port;
    port.kind = kind;
    port.channel = channel;
    state.ports.push_back(std::move(port));
    return PortId(static_cast<PortId::rep_type>(state.ports.size() - 1));
}

PortId resolve(const ComponentState& state, const PortRef& target) {
    if (!target.via.valid()) {
        return target.port.value() < state.ports.size() ? target.port : PortId::none();
    }
    for (std::uint32_t index = 0; index < state.ports.size(); ++index) {
        const Port& port = state.ports[index];
        if (port.adopted_from == target.via && port.adopted_port == target.port) {
            return PortId(index);
        }
    }
    return PortId::none();
}

void attach_peer(Step& step, PortId port_id, bool handle_given) {
    Port& port = step.port(port_id);
    PCORE_ASSERT(!port.holds_ref);
    const CompId peer = port.peer_comp;
    if (peer == step.state.self) {
        if (handle_given) step.emit(RefDec{peer});
        return;
    }
    auto& peers = step.state.peers;
    auto it = std::lower_bound(peers.begin(), peers.end(), peer,
                               [](const PeerLink& link, CompId comp) { return link.comp < comp; });
    bool gained = false;
    if (it == peers.end() || it->comp != peer) {
        it = peers.insert(it, PeerLink{peer, 0});
        if (!handle_given) step.emit(RefInc{peer});
        gained = true;
    } else if (handle_given) {
        step.emit(RefDec{peer});  // we already hold one
    }
    ++it->ports;
    port.holds_ref = true;
    if (gained) round_handle_gained(step, peer);
}

void detach_peer(Step& step, PortId port_id) {
    Port& port = step.port(port_id);
    if (!port.holds_ref) return;
    port.holds_ref = false;
    auto& peers = step.state.peers;
    auto it = std::lower_bound(peers.begin(), peers.end(), port.peer_comp,
                               [](const PeerLink& link, CompId comp) { return link.comp < comp; });
    PCORE_ASSERT(it != peers.end() && it->comp == port.peer_comp);
    if (--it->ports == 0) {
        const CompId peer = it->comp;
        peers.erase(it);
        step.emit(RefDec{peer});
    }
}

ErrorInfo relayed_error(const ComponentState& state) {
    ErrorInfo error = state.outcome.error;
    if (state.outcome.remote) error.relay.push_back(state.self);
    return error;
}

bool ends_with_error(const ComponentState& state) {
    return state.outcome.kind == OutcomeKind::failed ||
           state.outcome.kind == OutcomeKind::cancelled;
}

void send_close_port(Step& step, PortId port_id) {
    ComponentState& state = step.state;
    Port& port = step.port(port_id);
    const bool failed = ends_with_error(state);
    port.close_deferred = false;
    step.send(port.peer_comp,
              ClosePort{PortRef{port.peer_port, CompId::none()}, state.self, port_id,
                        port.close_control_id, state.outcome.in_sync, port.rounds_completed, failed,
                        failed ? relayed_error(state) : ErrorInfo{}});
}

bool took_part_in_round(const ComponentState& state, const Port& port) {
    if (port.used_in_round) return true;
    if (!port.adopted_used_by.valid() || !state.round.active) return false;
    const auto& peers = state.round.peers;
    return std::any_of(peers.begin(), peers.end(),
                       [&](const RoundPeer& peer) { return peer.comp == port.adopted_used_by; });
}

bool closer_failed_in_round_of(const Variants& variants,
                               bool closer_in_sync,
                               std::uint32_t closer_rounds,
                               std::uint32_t our_rounds) {
    switch (variants.close_port_info) {
        case ClosePortInfo::round_number:
            // Equal counts: the closer had not completed the round we are in.
            return closer_in_sync && closer_rounds == our_rounds;
        case ClosePortInfo::in_sync_flag:
            return closer_in_sync;
        case ClosePortInfo::none:
            return true;
    }
    return false;
}

void report_failed_put(Step& step, const Data& data) {
    if (step.variants().data_message_failed == OnOff::off) return;  // lost silently (LC-2)
    DataMessageFailed failed{data.sending_port, data.channel, data.seq, false, {}};
    if (ends_with_error(step.state)) {
        failed.has_error = true;
        failed.error = relayed_error(step.state);
    }
    // A handle on the putter travels with it (see DataMessageFailed): we hold one while the
    // port that brought the data still leads there.
    failed.holds_receiver_ref = true;
    step.emit(RefInc{data.header.sender});
    step.send(data.header.sender, failed);
}

namespace {

// error_relay=none: the failed party just stops (RayFed before its proposal): nobody is told.
bool silent_failure(const Step& step) {
    return step.variants().error_relay == ErrorRelay::none &&
           step.state.outcome.kind == OutcomeKind::failed;
}

void close_all_ports(Step& step) {
    ComponentState& state = step.state;
    const bool silent = silent_failure(step);
    for (std::uint32_t index = 0; index < state.ports.size(); ++index) {
        Port& port = state.ports[index];
        if (port.closed || port.moved) continue;
        port.closed = true;
        // Both ends are ours (unless the other end left while this one was on its way to us:
        // then the ClosePort waits for its mover's Unblock like any blocked port's).
        if (port.peer_comp == state.self && !state.ports[port.peer_port.value()].moved) continue;
        if (silent) {
            detach_peer(step, PortId(index));
            continue;
        }
        // Data that reached us but was never accepted is lost with us: its puts failed, and
        // their senders must hear it like the senders of data that arrives from now on.
        for (const Data& data : port.pending) report_failed_put(step, data);
        port.pending.clear();
        port.close_sent = true;
        port.close_control_id = state.next_control_id++;
        state.control.push_back(ControlEntry{port.close_control_id, ControlKind::close_port,
                                             PortId(index), port.peer_comp});
        // A blocked port waits for the Unblock naming its peer's new owner. Not one we were
        // handing off ourselves (both ends moved at once, and our hand-off ends with us): the
        // peer blocked for our move waits for our Unblock or this ClosePort, so it goes now
        // (deferring it too, both ends would wait for each other: DF-2).
        if (port.blocked && !port.transferring) {
            port.close_deferred = true;
            continue;
        }
        send_close_port(step, PortId(index));
    }
}

// Whether the closer failed inside the round this port is (or will next be) in, as far as the
// ClosePort's information tells (contract §8 close_port_info).
bool closer_failed_in_our_round(const Step& step, const Port& port, const ClosePort& message) {
    return closer_failed_in_round_of(step.variants(), message.in_sync, message.rounds_completed,
                                     port.rounds_completed);
}

}  // namespace

void erase_close_entry(Step& step, PortId port_id) {
    auto& control = step.state.control;
    control.erase(std::remove_if(control.begin(), control.end(),
                                 [&](const ControlEntry& entry) {
                                     return entry.kind == ControlKind::close_port &&
                                            entry.port == port_id;
                                 }),
                  control.end());
}

namespace {

// Seed 004: an error "inside a sync block, but the component has not interacted with other
// components through put/get calls" is, "from the point of view of the runtime", an error
// outside the block. Nobody has heard of such a round (peers are learnt from accepted data and
// from the notifications of those who accepted ours), so it is left without a vote and the
// ClosePorts say nonsync.
bool interacted_in_round(const ComponentState& state) {
    if (!state.round.peers.empty()) return true;
    return std::any_of(state.ports.begin(), state.ports.end(), [](const Port& port) {
        return port.used_in_round || port.adopted_used_by.valid();
    });
}

}  // namespace

void end_component(Step& step, const Outcome& how, bool decided) {
    ComponentState& state = step.state;
    if (step.ended()) return;
    const bool in_round = state.round.active && interacted_in_round(state);
    if (state.round.active && !in_round) state.round.active = false;
    state.outcome = how;
    state.outcome.in_sync = in_round;
    state.mode = Mode::busy_exit;
    state.in_sync = false;
    const bool silent = silent_failure(step);
    // Ports first: submitting can decide the round on the spot, and the exit must not finish
    // before the ClosePorts it owes are out.
    if (in_round && !silent) {
        // Peers that get our ClosePort(sync) fail in this round too (the cascade), so the
        // leader must not wait for parts from them.
        for (const Port& port : state.ports) {
            if (!port.closed && !port.moved && port.peer_comp != state.self) {
                round_note_failed_peer(step, port.peer_comp);
            }
        }
    }
    close_all_ports(step);
    if (in_round && !decided && !silent) {
        const ErrorInfo error = relayed_error(state);
        if (!state.round.submitted) {
            submit(step, true, error);
        } else {
            resubmit_failed(step, error);
        }
    }
    try_finish_exit(step);
}

void complete_component(Step& step) {
    end_component(step, Outcome{OutcomeKind::completed, {}, false, false}, false);
}

void close_open_ports(Step& step) {
    close_all_ports(step);
}

namespace {

// Whether `candidate` replaces `current` as the way the component ended (contract §8
// cancel_precedence). error_first is NM-3's order; cancel_overrides is tractor's masking bug:
// a cancellation that arrives while an error unwinds replaces it.
bool replaces(const Step& step, const Outcome& candidate, const Outcome& current) {
    const CompId self = step.state.self;
    if (step.variants().cancel_precedence == CancelPrecedence::cancel_overrides) {
        if (current.kind == OutcomeKind::cancelled) return false;
        if (candidate.kind == OutcomeKind::cancelled) return true;
    }
    return cause_of(candidate, self) > cause_of(current, self);
}

void merge_into(Step& step, Outcome& current, const Outcome& candidate) {
    if (!replaces(step, candidate, current)) return;
    const bool in_sync = current.in_sync;
    current = candidate;
    current.in_sync = in_sync;
}

// The failure handler: reports the end to the host and, the first time, ends the component.
void run_handler(Step& step, const Outcome& how, bool decided) {
    ShutdownState& shutdown = step.state.shutdown;
    if (shutdown.handler_runs < 0xFF) ++shutdown.handler_runs;
    step.emit(FactHandlerRun{});
    if (step.ended()) {
        merge_into(step, step.state.outcome, how);
        return;
    }
    end_component(step, how, decided);
}

}  // namespace

void trigger_end(Step& step, const Outcome& how, bool decided, EndPath path) {
    ComponentState& state = step.state;
    // Final already: an exited component, or one whose result came first (a result that
    // arrived before a cancel wins over it), or one stuck in its own handler.
    if (state.mode == Mode::exited || state.shutdown.deadlocked) return;
    if (state.mode == Mode::busy_exit && state.outcome.kind == OutcomeKind::completed) return;
    step.emit(FactCause{how.error});
    if (step.ended()) {
        merge_into(step, state.outcome, how);  // it arrived while the end unwinds
        return;
    }
    ShutdownState& shutdown = state.shutdown;
    switch (step.variants().shutdown_guard) {
        case ShutdownGuard::atomic_flag:
            shutdown.flag = true;
            run_handler(step, how, decided);
            return;
        case ShutdownGuard::none:
            // The flag was clear when we looked; it is set by the handler step, later.
            shutdown.queued.push_back(QueuedEnd{how, decided});
            return;
        case ShutdownGuard::lock:
            if (path == EndPath::signal) {
                if (shutdown.lock_held) {
                    shutdown.deadlocked = true;  // the signal handler waits on its own thread
                    return;
                }
                // The flag is only ever set under the lock, and the handler ends the component
                // before it lets go of it: a free lock with the flag set means we ended already.
                PCORE_ASSERT(!shutdown.flag);
                shutdown.flag = true;
                run_handler(step, how, decided);
                return;
            }
            if (shutdown.flag) {
                merge_into(step, shutdown.queued.front().outcome, how);
                return;
            }
            shutdown.flag = true;
            shutdown.lock_held = true;
            shutdown.queued.push_back(QueuedEnd{how, decided});
            return;
    }
}

void run_queued_handler(Step& step) {
    ShutdownState& shutdown = step.state.shutdown;
    PCORE_ASSERT(!shutdown.queued.empty());
    const QueuedEnd next = shutdown.queued.front();
    shutdown.queued.erase(shutdown.queued.begin());
    shutdown.flag = true;
    run_handler(step, next.outcome, next.decided);
    if (shutdown.queued.empty()) shutdown.lock_held = false;
}

void fail_local(Step& step, ErrorType type) {
    trigger_end(step, Outcome{OutcomeKind::failed, local_error(step, type), false, false}, false,
                EndPath::main);
}

Outcome outcome_for_error(const ComponentState& state, const ErrorInfo& error) {
    const OutcomeKind kind =
        error.type == builtin_error::cancelled ? OutcomeKind::cancelled : OutcomeKind::failed;
    // A cancel always came from elsewhere (its origin is the canceller, or the OS), so the
    // cancelled component relays it; an error of our own that came back is still ours.
    const bool remote = kind == OutcomeKind::cancelled || error.origin != state.self;
    return Outcome{kind, error, remote, false};
}

void fail_remote(Step& step, const ErrorInfo& error, EndPath path) {
    trigger_end(step, outcome_for_error(step.state, error), false, path);
}

void on_cancel(Step& step, CompId canceller, CancelLayer layer) {
    RoundState& round = step.state.round;
    // A round cancel targets the round in progress; when none is, it has nothing to cancel.
    if (layer == CancelLayer::round && !round.active) return;
    // After our vote the round is the leader's to decide (two-phase commit): the cancel waits
    // for the decision (on_decision) instead of leaving a round our peers may commit (SY-1).
    if (layer == CancelLayer::round && round.submitted && !step.ended() &&
        step.variants().round_cancel_after_vote == RoundCancelAfterVote::at_decision) {
        if (!round.cancel_after_vote.valid()) round.cancel_after_vote = canceller;
        return;
    }
    const ErrorInfo error{builtin_error::cancelled, canceller, {}, layer};
    trigger_end(step, outcome_for_error(step.state, error), false,
                layer == CancelLayer::os ? EndPath::signal : EndPath::main);
}

void try_finish_exit(Step& step) {
    ComponentState& state = step.state;
    if (state.mode != Mode::busy_exit || !state.control.empty() || state.transfer.active) return;
    // A blocked port has an Unblock on its way to us. It carries a handle on us unless an old
    // owner of the port forwarded it (forward() cannot give one: it may hold none on us), so
    // we stay until it is here (LC-1: a crossing ClosePort settled the port first).
    const auto awaits_unblock = [](const Port& port) { return port.blocked && !port.moved; };
    if (std::any_of(state.ports.begin(), state.ports.end(), awaits_unblock)) return;
    state.mode = Mode::exited;
    step.emit(RefDec{state.self});  // the self reference goes when every Ack is in (§1.6)
}

namespace {

// The port part of a ClosePort: records it and answers it (or takes it as our Ack).
void take_close_port(Step& step, PortId port_id, const ClosePort& message) {
    Port& port = step.port(port_id);
    // A mover that ended before its hand-off was done closes the port instead of unblocking
    // it. A ClosePort from anyone else (the new owner, whom the Unblock still on its way will
    // name) leaves the port waiting for that Unblock.
    if (message.closer == port.peer_comp) port.blocked = false;
    if (message.has_error) {
        port.has_close_error = true;
        port.close_error = message.error;
        // The leader counts such a closer as failed instead of waiting for its part.
        port.close_in_sync = message.in_sync;
        port.close_rounds = message.rounds_completed;
        port.closer_failed_in_round = closer_failed_in_our_round(step, port, message);
        if (step.state.round.active && port.closer_failed_in_round) {
            round_note_failed_peer(step, message.closer);
        }
    }
    if (port.close_sent && port.close_deferred) {
        // Our ClosePort was still waiting for the port to unblock and is not needed any more:
        // the other side closed first, so we answer it like any ClosePort.
        erase_close_entry(step, port_id);
        port.close_deferred = false;
        step.send(message.closer, Acknowledge{message.control_id});
    } else if (port.close_sent) {
        // Both ends closed at once: their ClosePort is our Acknowledge and ours is theirs
        // (model-findings.md §2); neither side answers.
        erase_close_entry(step, port_id);
    } else {
        port.closed = true;
        step.send(message.closer, Acknowledge{message.control_id});
    }
    detach_peer(step, port_id);
    // From now on the port names its closer (the leader's failed peers, SY-4), also when the
    // Unblock that would have named it as our peer is still on its way.
    port.peer_comp = message.closer;
    port.peer_port = message.closer_port;
}

}  // namespace

namespace {

// A peer closed its end inside our round: with its error when it failed, else ours.
void fail_closed_round(Step& step, const ClosePort& message) {
    if (message.has_error) {
        fail_remote(step, message.error, EndPath::main);
    } else {
        fail_local(step, builtin_error::peer_closed);
    }
}

}  // namespace

void on_close_port(Step& step, CompId from, const ClosePort& message) {
    (void)from;
    const PortId port_id = resolve(step.state, message.target);
    PCORE_ASSERT(port_id.valid() || !step.in_order_links());
    if (!port_id.valid()) return;
    // Whether the closer's end belongs to the round we are (or were, when we ended) in.
    const bool same_round = took_part_in_round(step.state, step.port(port_id)) &&
                            closer_failed_in_our_round(step, step.port(port_id), message);
    if (step.port(port_id).moved) {
        forward(step, step.port(port_id), port_id, message);
        // The port left in this round, after we used it: the closer's failure fails our
        // round as it would have had the port stayed (the new owner may never have used it,
        // and the leader would wait for the closer's part forever).
        if (same_round && !step.ended() && step.state.round.active) {
            fail_closed_round(step, message);
        }
        return;
    }
    const bool was_ended = step.ended();
    take_close_port(step, port_id, message);
    if (was_ended) {
        // We are unwinding an end of our own inside that round: the closer's error (or
        // cancel) is one more cause of it (NM-2, NM-3).
        if (message.has_error && same_round && step.state.outcome.in_sync) {
            fail_remote(step, message.error, EndPath::main);
        }
        try_finish_exit(step);
        return;
    }
    if (!step.state.round.active || !same_round) {
        try_finish_exit(step);
        return;
    }
    fail_closed_round(step, message);
}

void on_acknowledge(Step& step, const Acknowledge& message) {
    auto& control = step.state.control;
    auto it = std::find_if(control.begin(), control.end(), [&](const ControlEntry& entry) {
        return entry.id == message.control_id;
    });
    if (it == control.end()) return;  // the crossing ClosePort already counted as this Ack
    const ControlEntry entry = *it;
    control.erase(it);
    if (entry.kind == ControlKind::close_port) {
        detach_peer(step, entry.port);
    }
    // The last Ack of a hand-off: step_in_place completes it once this input is taken.
    try_finish_exit(step);
}

namespace {

void take_data_message_failed(Step& step, const DataMessageFailed& message) {
    if (step.ended() || !step.state.round.active) return;
    // RayFed's data-sending thread: a failed send stops the component through a signal to its
    // main thread (exit_on_sending_failure), the second path into the failure handler.
    if (message.has_error) {
        fail_remote(step, message.error, EndPath::signal);
    } else {
        trigger_end(step,
                    Outcome{OutcomeKind::failed, local_error(step, builtin_error::message_failed),
                            false, false},
                    false, EndPath::signal);
    }
}

}  // namespace

void on_data_message_failed(Step& step, const DataMessageFailed& message) {
    take_data_message_failed(step, message);
    if (message.holds_receiver_ref) step.emit(RefDec{step.state.self});
}

}  // namespace pcore::detail
