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
    if (it == peers.end() || it->comp != peer) {
        it = peers.insert(it, PeerLink{peer, 0});
        if (!handle_given) step.emit(RefInc{peer});
    } else if (handle_given) {
        step.emit(RefDec{peer});  // we already hold one
    }
    ++it->ports;
    port.holds_ref = true;
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

namespace {

// The error an ending component hands on: a relayed error names the relay (tractor relay_uid).
ErrorInfo error_to_relay(const Step& step) {
    ErrorInfo error = step.state.outcome.error;
    if (step.state.outcome.remote) error.relay.push_back(step.state.self);
    return error;
}

}  // namespace

void send_close_port(Step& step, PortId port_id) {
    ComponentState& state = step.state;
    Port& port = step.port(port_id);
    const bool failed = state.outcome.kind == OutcomeKind::failed;
    port.close_deferred = false;
    step.send(port.peer_comp,
              ClosePort{PortRef{port.peer_port, CompId::none()}, state.self, port_id,
                        port.close_control_id, state.outcome.in_sync, port.rounds_completed, failed,
                        failed ? error_to_relay(step) : ErrorInfo{}});
}

namespace {

void close_all_ports(Step& step) {
    ComponentState& state = step.state;
    for (std::uint32_t index = 0; index < state.ports.size(); ++index) {
        Port& port = state.ports[index];
        if (port.closed || port.moved) continue;
        port.closed = true;
        if (port.peer_comp == state.self) continue;  // both ends are ours
        port.close_sent = true;
        port.close_control_id = state.next_control_id++;
        state.control.push_back(ControlEntry{port.close_control_id, ControlKind::close_port,
                                             PortId(index), port.peer_comp});
        if (port.blocked) {
            port.close_deferred = true;
            continue;
        }
        send_close_port(step, PortId(index));
    }
}

// Whether the closer failed inside the round this port is (or will next be) in, as far as the
// ClosePort's information tells (contract §8 close_port_info).
bool closer_failed_in_our_round(const Step& step, const Port& port, const ClosePort& message) {
    switch (step.variants().close_port_info) {
        case ClosePortInfo::round_number:
            // Equal counts: the closer had not completed the round we are in.
            return message.in_sync && message.rounds_completed == port.rounds_completed;
        case ClosePortInfo::in_sync_flag:
            return message.in_sync;
        case ClosePortInfo::none:
            return true;
    }
    return false;
}

// Whether a ClosePort makes this component fail now: it is in an undecided round that used
// the port, and the closer failed inside that round.
bool close_fails_round(const Step& step, const Port& port, const ClosePort& message) {
    return step.state.round.active && port.used_in_round &&
           closer_failed_in_our_round(step, port, message);
}

void erase_close_entry(Step& step, PortId port_id) {
    auto& control = step.state.control;
    control.erase(std::remove_if(control.begin(), control.end(),
                                 [&](const ControlEntry& entry) {
                                     return entry.kind == ControlKind::close_port &&
                                            entry.port == port_id;
                                 }),
                  control.end());
}

}  // namespace

void end_component(
    Step& step, OutcomeKind kind, const ErrorInfo& error, bool remote, bool decided) {
    ComponentState& state = step.state;
    if (step.ended()) return;  // the failure handler runs once (NM-5)
    const bool in_round = state.round.active;
    state.outcome = Outcome{kind, error, remote, in_round};
    state.mode = Mode::busy_exit;
    state.in_sync = false;
    step.emit(FactEnded{in_round, state.round.completed});
    // Ports first: submitting can decide the round on the spot, and the exit must not finish
    // before the ClosePorts it owes are out.
    if (in_round) {
        // Peers that get our ClosePort(sync) fail in this round too (the cascade), so the
        // leader must not wait for parts from them.
        for (const Port& port : state.ports) {
            if (!port.closed && !port.moved && port.peer_comp != state.self) {
                round_note_failed_peer(step, port.peer_comp);
            }
        }
    }
    close_all_ports(step);
    if (in_round && !decided) {
        if (!state.round.submitted) {
            submit(step, true, error);
        } else {
            state.round.failed_after_submit = true;
            resubmit_failed(step, error);
        }
    }
    try_finish_exit(step);
}

void close_open_ports(Step& step) {
    close_all_ports(step);
}

void fail_local(Step& step, ErrorType type) {
    end_component(step, OutcomeKind::failed, local_error(step, type), false);
}

void fail_remote(Step& step, const ErrorInfo& error) {
    if (error.origin == step.state.self) {
        end_component(step, OutcomeKind::failed, error, false);
        return;
    }
    end_component(step, OutcomeKind::failed, error, true);
}

void try_finish_exit(Step& step) {
    ComponentState& state = step.state;
    if (state.mode != Mode::busy_exit || !state.control.empty() || state.transfer.active) return;
    state.mode = Mode::exited;
    step.emit(RefDec{state.self});  // the self reference goes when every Ack is in (§1.6)
}

void on_close_port(Step& step, CompId from, const ClosePort& message) {
    (void)from;
    const PortId port_id = resolve(step.state, message.target);
    PCORE_ASSERT(port_id.valid());
    if (!port_id.valid()) return;
    Port& port = step.port(port_id);
    if (port.moved) {
        forward(step, port, port_id, message);
        return;
    }
    if (message.has_error) {
        port.has_close_error = true;
        port.close_error = message.error;
        // The leader counts such a closer as failed instead of waiting for its part.
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
        detach_peer(step, port_id);
        try_finish_exit(step);
        return;
    }
    if (port.close_sent) {
        // Both ends closed at once: their ClosePort is our Acknowledge and ours is theirs
        // (model-findings.md §2); neither side answers.
        erase_close_entry(step, port_id);
        detach_peer(step, port_id);
        try_finish_exit(step);
        return;
    }
    port.closed = true;
    step.send(message.closer, Acknowledge{message.control_id});
    detach_peer(step, port_id);
    if (step.ended() || !close_fails_round(step, port, message)) return;
    if (message.has_error) {
        fail_remote(step, message.error);
    } else {
        fail_local(step, builtin_error::peer_closed);
    }
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
    } else {
        const bool more_blocks = std::any_of(
            control.begin(), control.end(),
            [](const ControlEntry& other) { return other.kind == ControlKind::block_peer; });
        if (!more_blocks && step.state.transfer.active) complete_transfer(step);
    }
    try_finish_exit(step);
}

void on_data_message_failed(Step& step, const DataMessageFailed& message) {
    step.emit(FactPutFailed{message.channel, message.seq});
    if (step.ended() || !step.state.round.active) return;
    if (message.has_error) {
        fail_remote(step, message.error);
    } else {
        fail_local(step, builtin_error::message_failed);
    }
}

}  // namespace pcore::detail
