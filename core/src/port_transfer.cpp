// Port hand-off (seed 004 "Creation of Components"; reowolf-notes §1.5, §3.6).
//
// A creator C hands port q to a new component N (spawn), or a sender S hands it to a receiver R
// inside a data message (put ... ports). For each moving port whose peer p is owned by a third
// component P:
//
//   C --PeerChangeBlockPort(p)--> P      P stops putting on p
//   C <--------Acknowledge------- P      every message P sent on p has now reached C (FIFO)
//   C: messages for q go on to N (spawn: straight into N's inbox, N is not running yet;
//      put ports: inside the data message itself)
//   C/R --PeerChangeUnblockPort(p, N/R, new id)--> P     P re-targets p
//   C: schedules N once every Ack is in (PT-2)
//
// Case 1 (p moves too) and case 2 (p stays with C) need no messages. Closed ports move closed
// and skip the protocol. With transfer_blocks_peer=off the Block/Ack round is skipped: P
// re-targets at once and messages still in flight to C reach N late (breaks PT-1).
//
// A port that has moved keeps a forwarding record; anything still addressed to it is passed on.
// Upholds PT-1, PT-2, LC-1, LC-3.
#include "internal.hpp"

namespace pcore::detail {

namespace {

void set_target(Message& message, const PortRef& target) {
    std::visit(
        [&](auto& concrete) {
            using T = std::decay_t<decltype(concrete)>;
            if constexpr (std::is_same_v<T, Data> || std::is_same_v<T, PeerChangeBlockPort> ||
                          std::is_same_v<T, PeerChangeUnblockPort> ||
                          std::is_same_v<T, ClosePort>) {
                concrete.target = target;
            }
        },
        message);
}

std::uint32_t start_block(Step& step, PortId ours, const Port& port) {
    const std::uint32_t control_id = step.state.next_control_id++;
    step.state.control.push_back(
        ControlEntry{control_id, ControlKind::block_peer, ours, port.peer_comp});
    step.send(port.peer_comp, PeerChangeBlockPort{PortRef{port.peer_port, CompId::none()},
                                                  step.state.self, control_id});
    return control_id;
}

// The sender holds a handle on `to` here (its port leads there): the message carries one more.
void send_unblock(Step& step, CompId to, PortId their_port, CompId new_comp, PortId new_port) {
    step.emit(RefInc{new_comp});  // the handle travels with the message
    step.emit(RefInc{to});        // and one on its receiver, released when it arrives
    step.send(to,
              PeerChangeUnblockPort{PortRef{their_port, CompId::none()}, new_comp, new_port, true});
}

// The port just adopted as `adopted` names as its peer our own end `kept`, which moved on
// meanwhile: the Unblock goes where `kept` went. Our adopted end stays blocked, peered with the
// forwarding record, until the Unblock of kept's mover reaches it; it holds no handle on us.
void unblock_moved_peer(Step& step, PortId kept, PortId adopted) {
    // The handle on us that the data brought (we were its peer_comp) goes on with the Unblock,
    // which names us as the new owner.
    Port& port = step.port(adopted);
    port.peer_comp = step.state.self;
    port.peer_port = kept;
    port.blocked = true;
    forward(step, step.port(kept), kept,
            PeerChangeUnblockPort{PortRef{kept, CompId::none()}, step.state.self, adopted, false});
}

int index_of_port(const std::vector<PortId>& ports, PortId port) {
    for (std::size_t index = 0; index < ports.size(); ++index) {
        if (ports[index] == port) return static_cast<int>(index);
    }
    return -1;
}

// A put of ports that will not happen (the sender failed, or fails with it at once): our own
// ends that waited for the new owner wait no more. The peers we blocked wait for our Unblock
// or our ClosePort; the caller leaves the moving ports `transferring` until the end sends
// their ClosePorts, at once even where the peer end is moving too (an Unblock naming us
// would be one more message on a path the ClosePort may overtake, and two crossing movers
// that both gave up would each wait for the other's: DF-2).
void release_own_ends(Step& step, const std::vector<PortId>& bundle) {
    for (PortId moving : bundle) {
        // Closed or not: an end the ending sender closed with everything else (both ends ours,
        // so no ClosePort) still leaves its peer waiting, and the exit waits for that peer.
        const Port& port = step.port(moving);
        if (port.peer_comp == step.state.self && index_of_port(bundle, port.peer_port) < 0) {
            step.port(port.peer_port).blocked = false;
        }
    }
}

// Data waiting in a moving slot moves with it, and so must the ports inside it: we adopted
// them when the data arrived, and only the getter that accepts the data will bind them.
// Renames each carried port from its id here to its id at the next owner.
template <class Rename>
void rename_carried(std::vector<Data>& pending, Rename&& rename) {
    for (Data& data : pending) {
        for (TransferredPort& carried : data.ports) carried.old_id = rename(carried.old_id);
    }
}

// The ports of one bundle renamed at the next hop (ours: the id at the sender; theirs: ours).
PortId renamed_id(const std::vector<PortPair>& renamed, PortId at_sender) {
    for (const PortPair& pair : renamed) {
        if (pair.ours == at_sender) return pair.theirs;
    }
    PCORE_ASSERT(false);  // a bundle carries every port its waiting data names
    return PortId::none();
}

}  // namespace

std::vector<PortId> with_carried_ports(const ComponentState& state, std::vector<PortId> moving) {
    for (std::size_t index = 0; index < moving.size(); ++index) {
        const Port& port = state.ports[moving[index].value()];
        for (const Data& data : port.pending) {
            for (const TransferredPort& carried : data.ports) {
                if (std::find(moving.begin(), moving.end(), carried.old_id) == moving.end()) {
                    moving.push_back(carried.old_id);
                }
            }
        }
    }
    return moving;
}

void forward(Step& step, const Port& port, PortId port_id, Message message) {
    const PortRef target = port.moved_to_port.valid() ? PortRef{port.moved_to_port, CompId::none()}
                                                      : PortRef{port_id, step.state.self};
    if (const auto* failed = std::get_if<DataMessageFailed>(&message)) {
        // The put it reports on was ours and its round is over for us: the port has left.
        if (failed->holds_receiver_ref) step.emit(RefDec{step.state.self});
        return;
    }
    if (auto* unblock = std::get_if<PeerChangeUnblockPort>(&message);
        unblock != nullptr && unblock->holds_receiver_ref) {
        // The handle was on us; the next owner gets the message without one.
        unblock->holds_receiver_ref = false;
        step.emit(RefDec{step.state.self});
    }
    set_target(message, target);
    const PendingTransfer& transfer = step.state.transfer;
    if (transfer.active && transfer.is_spawn && transfer.new_comp == port.moved_to) {
        step.emit(SendImmediate{port.moved_to, std::move(message)});
    } else {
        step.send(port.moved_to, std::move(message));
    }
}

void run_spawn(Step& step, const Instruction& instruction) {
    ComponentState& creator = step.state;
    const CompId fresh = step.context.next_comp_id;
    const Program& callee = step.scenario().definitions[instruction.definition].program;
    const auto& arg_slots = step.program().lists[instruction.list];
    std::vector<PortId> params;
    params.reserve(arg_slots.size());
    for (Slot slot : arg_slots) params.push_back(creator.slots[slot]);
    // The arguments, then the ports inside data waiting at them (no slot at the new component
    // until a get binds them).
    const std::vector<PortId> args = with_carried_ports(creator, params);
    const auto index_at_new = [&](PortId ours) {
        return PortId(static_cast<std::uint32_t>(index_of_port(args, ours)));
    };

    ComponentState created;
    created.self = fresh;
    created.creator = creator.self;
    created.definition = instruction.definition;
    created.mode = Mode::waiting_for_creator;
    created.slots.assign(callee.slot_count, PortId::none());
    created.round.highest = fresh;

    // Pass 1: the new component's ports and the handles it will hold.
    for (std::size_t index = 0; index < args.size(); ++index) {
        Port& source = step.port(args[index]);
        Port moved;
        moved.kind = source.kind;
        moved.channel = source.channel;
        moved.closed = source.closed;
        moved.has_close_error = source.has_close_error;
        moved.close_error = source.close_error;
        moved.closer_failed_in_round = source.closer_failed_in_round;
        moved.close_in_sync = source.close_in_sync;
        moved.close_rounds = source.close_rounds;
        if (source.closed) {
            // No handle: nothing is sent on it any more. The leader still needs to know who
            // closed it when that peer failed inside the round (SY-4, DF-3).
            moved.peer_comp = source.peer_comp;
            moved.peer_port = source.peer_port;
        }
        moved.rounds_completed = source.rounds_completed;
        moved.adopted_used_by = source.adopted_used_by;  // a carried port: whose round it was in
        moved.next_put_seq = source.next_put_seq;
        moved.pending = std::move(source.pending);
        source.pending.clear();
        rename_carried(moved.pending, index_at_new);
        if (!source.closed) {
            const int peer_index =
                source.peer_comp == creator.self ? index_of_port(args, source.peer_port) : -1;
            if (peer_index >= 0) {  // case 1: both ends move
                moved.peer_comp = fresh;
                moved.peer_port = PortId(static_cast<std::uint32_t>(peer_index));
            } else {  // cases 2 and 3: the peer stays with the creator or a third component
                moved.peer_comp = source.peer_comp;
                moved.peer_port = source.peer_port;
                moved.holds_ref = true;
                auto& peers = created.peers;
                auto it = std::lower_bound(
                    peers.begin(), peers.end(), moved.peer_comp,
                    [](const PeerLink& link, CompId comp) { return link.comp < comp; });
                if (it == peers.end() || it->comp != moved.peer_comp) {
                    it = peers.insert(it, PeerLink{moved.peer_comp, 0});
                }
                ++it->ports;
            }
        }
        created.ports.push_back(std::move(moved));
        if (index < params.size()) created.slots[index] = PortId(static_cast<std::uint32_t>(index));
    }
    const std::vector<PeerLink> created_peers = created.peers;
    step.emit(SpawnComponent{std::move(created), instruction.name});
    for (const PeerLink& link : created_peers) step.emit(RefInc{link.comp});

    // Pass 2: the creator's side of each case.
    const bool blocks = step.variants().transfer_blocks_peer == OnOff::on;
    std::vector<PortPair> awaiting;
    for (std::size_t index = 0; index < args.size(); ++index) {
        const PortId ours = args[index];
        const PortId theirs = PortId(static_cast<std::uint32_t>(index));
        Port& source = step.port(ours);
        source.moved = true;
        source.moved_to = fresh;
        source.moved_to_port = theirs;
        if (source.closed) continue;  // closed ports skip the protocol (§1.5)
        if (source.peer_comp == creator.self) {
            if (index_of_port(args, source.peer_port) >= 0) continue;  // case 1
            // Case 2: our remaining end now leads to the new component.
            const PortId kept = source.peer_port;
            step.port(kept).peer_comp = fresh;
            step.port(kept).peer_port = theirs;
            attach_peer(step, kept, false);
            continue;
        }
        // Case 3: the peer is a third component.
        if (blocks) {
            start_block(step, ours, source);
            awaiting.push_back(PortPair{ours, theirs});
        } else {
            send_unblock(step, source.peer_comp, source.peer_port, fresh, theirs);
            detach_peer(step, ours);
        }
    }
    ++creator.pc;
    if (awaiting.empty()) {
        step.emit(ScheduleComponent{fresh});
        return;
    }
    creator.mode = Mode::transferring;
    creator.transfer = PendingTransfer{true, true, fresh, std::move(awaiting), PortId::none(), {}};
}

void run_put_ports(Step& step, const Instruction& instruction) {
    ComponentState& sender = step.state;
    const PortId put_port = sender.slots[instruction.slot_a];
    if (step.port(put_port).kind != PortKind::putter) {
        fail_local(step, builtin_error::wrong_direction);
        return;
    }
    if (step.port(put_port).closed) {
        const Port& closed = step.port(put_port);
        if (closed.has_close_error) {
            fail_remote(step, closed.close_error);
        } else {
            fail_local(step, builtin_error::peer_closed);
        }
        return;
    }
    const bool blocks = step.variants().transfer_blocks_peer == OnOff::on;
    std::vector<PortId> bundle;
    for (Slot slot : step.program().lists[instruction.list]) {
        bundle.push_back(sender.slots[slot]);
        sender.slots[slot] = PortId::none();
    }
    bundle = with_carried_ports(sender, std::move(bundle));
    bool awaiting = false;
    for (PortId moving : bundle) {
        Port& port = step.port(moving);
        port.transferring = true;
        if (port.closed) continue;
        if (port.peer_comp == sender.self) {
            if (index_of_port(bundle, port.peer_port) >= 0) continue;
            step.port(port.peer_port).blocked = true;  // our own end waits for the new owner
            continue;
        }
        if (blocks) {
            start_block(step, moving, port);
            awaiting = true;
        }
    }
    sender.transfer = PendingTransfer{true, false, CompId::none(), {}, put_port, std::move(bundle)};
    if (awaiting) {
        sender.mode = Mode::transferring;
        return;
    }
    complete_transfer(step);
}

bool transfer_ready(const ComponentState& state) {
    // Every Ack of the hand-off is in (an ended sender only clears it up).
    const PendingTransfer& transfer = state.transfer;
    if (!transfer.active) return false;
    for (const ControlEntry& entry : state.control) {
        if (entry.kind == ControlKind::block_peer) return false;
    }
    if (transfer.is_spawn || state.mode == Mode::busy_exit || state.mode == Mode::exited) {
        return true;
    }
    // A put waits while its own port's peer is moving, as a plain put does: we acknowledged
    // that Block, so the mover counts on no more data from us at the old place (LC-1: the
    // data reached the old owner after it was freed).
    const Port& put_port = state.ports[transfer.put_port.value()];
    return put_port.closed || !put_port.blocked;
}

void complete_transfer(Step& step) {
    ComponentState& state = step.state;
    PendingTransfer transfer = std::move(state.transfer);
    state.transfer = PendingTransfer{};
    if (state.mode == Mode::transferring) state.mode = Mode::running;
    if (transfer.is_spawn) {
        for (const PortPair& move : transfer.moves) {
            const Port& source = step.port(move.ours);
            if (!source.closed) {
                send_unblock(step, source.peer_comp, source.peer_port, transfer.new_comp,
                             move.theirs);
            }
            // Until now our handle kept P alive to answer the Block.
            detach_peer(step, move.ours);
        }
        step.emit(ScheduleComponent{transfer.new_comp});
        return;
    }
    if (step.ended()) {
        // The sender failed while waiting: its ports were closed with everything else (the
        // moving ones at once, see close_all_ports); our own ends wait no more.
        for (PortId moving : transfer.bundle) step.port(moving).transferring = false;
        release_own_ends(step, transfer.bundle);
        return;
    }
    if (step.port(transfer.put_port).closed) {
        // The receiver ended while we waited for the Acks: the put fails like any put on a
        // closed port, and the ports stay ours (closed with the rest when we end, at once for
        // those whose peers we blocked).
        release_own_ends(step, transfer.bundle);
        const Port& closed = step.port(transfer.put_port);
        if (closed.has_close_error) {
            fail_remote(step, closed.close_error);
        } else {
            fail_local(step, builtin_error::peer_closed);
        }
        return;
    }
    const CompId receiver = step.port(transfer.put_port).peer_comp;
    std::vector<TransferredPort> carried;
    for (PortId moving : transfer.bundle) {
        Port& port = step.port(moving);
        TransferredPort travelling;
        travelling.kind = port.kind;
        travelling.old_id = moving;
        travelling.peer_comp = port.peer_comp;
        travelling.peer_port = port.peer_port;
        travelling.channel = port.channel;
        travelling.closed = port.closed;
        travelling.has_close_error = port.has_close_error;
        travelling.closer_failed_in_round = port.closer_failed_in_round;
        travelling.close_in_sync = port.close_in_sync;
        travelling.close_rounds = port.close_rounds;
        travelling.close_error = port.close_error;
        travelling.rounds_completed = port.rounds_completed;
        travelling.used_in_round = port.used_in_round || port.adopted_used_by.valid();
        travelling.blocked = port.blocked && !port.closed;
        travelling.pending = std::move(port.pending);
        port.pending.clear();
        travelling.next_put_seq = port.next_put_seq;
        const int peer_index =
            port.peer_comp == state.self ? index_of_port(transfer.bundle, port.peer_port) : -1;
        if (peer_index >= 0) {
            travelling.peer_in_bundle = true;
            travelling.peer_bundle_index = static_cast<std::uint32_t>(peer_index);
        } else if (!port.closed) {
            step.emit(RefInc{port.peer_comp});  // the receiver's handle travels with the data
        }
        detach_peer(step, moving);
        port.transferring = false;
        port.moved = true;
        port.moved_to = receiver;
        port.moved_to_port = PortId::none();
        carried.push_back(std::move(travelling));
    }
    emit_put(step, transfer.put_port, 0, std::move(carried));
    ++state.pc;
}

void pass_ports_through(Step& step, CompId from, CompId next, Data& data) {
    std::vector<PortPair> renamed;  // id at `from` -> id of our record
    for (TransferredPort& travelling : data.ports) {
        const PortId id = new_port(step.state, travelling.kind, travelling.channel);
        Port& record = step.port(id);
        record.closed = travelling.closed;
        record.moved = true;
        record.moved_to = next;
        record.adopted_from = from;
        record.adopted_port = travelling.old_id;
        renamed.push_back(PortPair{travelling.old_id, id});
        travelling.old_id = id;
    }
    const auto id_here = [&](PortId at_from) { return renamed_id(renamed, at_from); };
    for (TransferredPort& travelling : data.ports) rename_carried(travelling.pending, id_here);
}

void adopt_ports(Step& step, CompId from, Data& data) {
    ComponentState& state = step.state;
    std::vector<PortId> adopted;
    std::vector<PortPair> renamed;  // id at the sender -> id here
    for (TransferredPort& travelling : data.ports) {
        const PortId id = new_port(state, travelling.kind, travelling.channel);
        Port& port = step.port(id);
        port.closed = travelling.closed;
        port.has_close_error = travelling.has_close_error;
        port.closer_failed_in_round = travelling.closer_failed_in_round;
        port.close_in_sync = travelling.close_in_sync;
        port.close_rounds = travelling.close_rounds;
        port.close_error = travelling.close_error;
        port.rounds_completed = travelling.rounds_completed;
        port.next_put_seq = travelling.next_put_seq;
        port.pending = std::move(travelling.pending);
        travelling.pending.clear();
        if (travelling.closed) {  // no handle; the closer's identity for the leader (SY-4)
            port.peer_comp = travelling.peer_comp;
            port.peer_port = travelling.peer_port;
        }
        port.adopted_from = from;
        port.adopted_port = travelling.old_id;
        if (travelling.used_in_round) port.adopted_used_by = data.header.sender;
        port.blocked = travelling.blocked;
        adopted.push_back(id);
        renamed.push_back(PortPair{travelling.old_id, id});
    }
    // Data waiting at a carried port names the ports inside it by their ids at the sender;
    // they travel in the same bundle.
    const auto id_here = [&](PortId at_sender) { return renamed_id(renamed, at_sender); };
    for (PortId id : adopted) rename_carried(step.port(id).pending, id_here);
    for (std::size_t index = 0; index < data.ports.size(); ++index) {
        TransferredPort& travelling = data.ports[index];
        const PortId id = adopted[index];
        travelling.old_id = id;  // from now on: the id at this component, for `bind`
        if (travelling.closed) continue;
        Port& port = step.port(id);
        if (travelling.peer_in_bundle) {
            port.peer_comp = state.self;
            port.peer_port = adopted[travelling.peer_bundle_index];
            continue;
        }
        port.peer_comp = travelling.peer_comp;
        port.peer_port = travelling.peer_port;
        if (travelling.peer_comp == state.self && step.port(travelling.peer_port).moved) {
            // Both ends were handed off at once and the other end has left us since: our
            // Unblock follows it, as any message for it would.
            unblock_moved_peer(step, travelling.peer_port, id);
            continue;
        }
        if (travelling.peer_comp == state.self) {
            // The other end is ours: join them locally.
            step.emit(RefDec{state.self});
            const PortId kept = travelling.peer_port;
            detach_peer(step, kept);
            Port& home = step.port(kept);
            home.peer_comp = state.self;
            home.peer_port = id;
            home.blocked = false;
            if (home.close_deferred) {
                // We closed our end while the other was on its way (we are ending, or the data
                // reached us after our end): the ClosePort it waited to send has come home.
                erase_close_entry(step, kept);
                home.close_deferred = false;
                home.close_sent = false;
                step.port(id).closed = true;
            }
            continue;
        }
        attach_peer(step, id, true);
        send_unblock(step, travelling.peer_comp, travelling.peer_port, state.self, id);
    }
}

namespace {

// Whether Blocks and Unblocks of the peer end still matter to this port: it is open, or closed
// by us with its ClosePort waiting for the peer end to settle (the ClosePort must go to the
// owner the last Unblock names).
bool follows_hand_offs(const Port& port) {
    return !port.closed || port.close_deferred;
}

}  // namespace

void on_peer_change_block_port(Step& step, const PeerChangeBlockPort& message) {
    const PortId port_id = resolve(step.state, message.target);
    PCORE_ASSERT(port_id.valid() || !step.in_order_links());
    if (!port_id.valid()) return;
    Port& port = step.port(port_id);
    if (port.moved && !port.closed) {
        // Both ends are moving at once. Everything we sent on the port is ahead of our Ack on
        // the link to the requester, and so is any Block of ours it may still have to answer
        // (crossing hand-offs: our own move's Block must reach the requester's end while that
        // end is still there). The next owner only blocks.
        if (!message.answered) step.send(message.requester, Acknowledge{message.control_id});
        PeerChangeBlockPort passed = message;
        passed.answered = true;
        forward(step, port, port_id, std::move(passed));
        return;
    }
    // A port that left closed is answered here, as its closed next owner would.
    const bool settling = follows_hand_offs(port) && !port.moved;
    if (port.blocked && settling && message.requester != port.peer_comp) {
        // A later owner is moving the port on before the previous owner's Unblock (which
        // names it) reached us: that Unblock is on another link and may come later. Blocking
        // now would be undone by the stale Unblock; answer once we know the requester.
        port.deferred_blocks.push_back(message);
        return;
    }
    if (settling) port.blocked = true;
    if (!message.answered) step.send(message.requester, Acknowledge{message.control_id});
}

namespace {

// Blocks deferred until the Unblock that names their requester as our peer.
void take_deferred_blocks(Step& step, PortId port_id) {
    Port& port = step.port(port_id);
    for (std::size_t index = 0; index < port.deferred_blocks.size();) {
        const PeerChangeBlockPort block = port.deferred_blocks[index];
        const bool settling = follows_hand_offs(port);
        if (settling && block.requester != port.peer_comp) {
            ++index;
            continue;
        }
        port.deferred_blocks.erase(port.deferred_blocks.begin() +
                                   static_cast<std::ptrdiff_t>(index));
        // A ClosePort of ours still waiting for the port to settle waits on: the requester is
        // moving the port on, and only its Unblock names the owner that must get it.
        if (settling) port.blocked = true;
        if (!block.answered) step.send(block.requester, Acknowledge{block.control_id});
    }
}

}  // namespace

namespace {

// False when the message went on to the port's next owner (forward() released our handle).
bool take_unblock(Step& step, const PeerChangeUnblockPort& message) {
    const PortId port_id = resolve(step.state, message.target);
    PCORE_ASSERT(port_id.valid() || !step.in_order_links());
    if (!port_id.valid()) {
        step.emit(RefDec{message.new_comp});
        return true;
    }
    Port& port = step.port(port_id);
    if (port.moved && port.closed) {
        // It left closed: its next owner sends nothing on it and may be gone already.
        step.emit(RefDec{message.new_comp});
        return true;
    }
    if (port.moved) {
        forward(step, port, port_id, message);
        return false;
    }
    port.blocked = false;
    if (port.closed && !port.close_deferred) {
        step.emit(RefDec{message.new_comp});  // nothing will be sent there any more
        take_deferred_blocks(step, port_id);
        return true;
    }
    detach_peer(step, port_id);
    port.peer_comp = message.new_comp;
    port.peer_port = message.new_port;
    attach_peer(step, port_id, true);
    take_deferred_blocks(step, port_id);  // may block again: the new owner moves it on
    if (port.close_deferred) {
        for (ControlEntry& entry : step.state.control) {
            if (entry.kind == ControlKind::close_port && entry.port == port_id) {
                entry.awaited_from = message.new_comp;
            }
        }
        if (!port.blocked) send_close_port(step, port_id);
    }
    return true;
}

}  // namespace

void on_peer_change_unblock_port(Step& step, const PeerChangeUnblockPort& message) {
    const bool taken = take_unblock(step, message);
    if (taken && message.holds_receiver_ref) step.emit(RefDec{step.state.self});
    try_finish_exit(step);  // an ended component may have waited for this Unblock only
}

}  // namespace pcore::detail
