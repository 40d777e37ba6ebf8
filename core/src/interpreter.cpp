// The PDL interpreter's signals (reowolf-notes §3.4: put, get, select, sync start/end,
// create-channel, create-component, error), one statement per `run` action, and the arrival of
// data messages.
#include <algorithm>

#include "internal.hpp"

namespace pcore::detail {

// An arm is dead when its get could only fail: the port is closed with nothing left to get,
// or its peer failed inside the round (then even data that is here cannot be taken, as for a
// get: seed 004, "C cannot receive from E if it is failing"). Contract §4: a dead arm is never
// chosen; the select fails, as such a get would, only when every arm is dead.
bool dead_arm(const Port& port) {
    return (port.closed && port.pending.empty()) || port.closer_failed_in_round;
}

namespace {

void run_channel(Step& step, const Instruction& instruction) {
    ComponentState& state = step.state;
    const ChannelId channel{state.self.value(), state.channel_counter++};
    const PortId putter = new_port(state, PortKind::putter, channel);
    const PortId getter = new_port(state, PortKind::getter, channel);
    // The creator owns both ends (seed 004 "Creation of Channels"): no handles are involved.
    step.port(putter).peer_comp = state.self;
    step.port(putter).peer_port = getter;
    step.port(getter).peer_comp = state.self;
    step.port(getter).peer_port = putter;
    state.slots[instruction.slot_a] = putter;
    state.slots[instruction.slot_b] = getter;
    ++state.pc;
}

void run_put_value(Step& step, const Instruction& instruction) {
    const PortId port = step.state.slots[instruction.slot_a];
    if (step.port(port).kind != PortKind::putter) {
        fail_local(step, builtin_error::wrong_direction);
        return;
    }
    if (step.port(port).closed) {
        // A put on a closed port is a fatal error for the putter (seed 004). When the peer had
        // failed, this component fails because of that error (provenance kept).
        const Port& closed = step.port(port);
        if (closed.has_close_error) {
            fail_remote(step, closed.close_error);
        } else {
            fail_local(step, builtin_error::peer_closed);
        }
        return;
    }
    emit_put(step, port, instruction.value, {});
    ++step.state.pc;
}

// A get on a closed port with nothing pending is fatal (reowolf-notes §3.9 item 2).
void fail_on_closed_get(Step& step, const Port& port) {
    if (port.has_close_error) {
        fail_remote(step, port.close_error);
    } else {
        fail_local(step, builtin_error::peer_closed);
    }
}

// Whether the getter `port` is known to be fed by putter `putter` of component `sender`: by the
// runtime's record of its peer, by the sender of a message waiting in its slot (seed 004, option
// 3: "learn about the peer component/port ID the moment the message arrives in the slot"), or
// by the sender of the last message it accepted. The record alone goes stale while the putter
// end moves: its new owner's data can arrive before the Unblock that names it
// (`out-of-order-after-hand-off`).
bool fed_by(const Port& port, CompId sender, PortId putter) {
    if (port.peer_comp == sender && port.peer_port == putter) return true;
    if (port.used_in_round && port.accepted_peer_comp == sender &&
        port.accepted_peer_port == putter) {
        return true;
    }
    return std::any_of(port.pending.begin(), port.pending.end(), [&](const Data& waiting) {
        return waiting.header.sender == sender && waiting.sending_port == putter;
    });
}

// Option 3 of the design notes (§1.8): the sender's annotations name the mapping each of its
// putter ports had when this message left. If another of our getter ports is fed by one of
// those putters and has not yet accepted that put, accepting this message would overtake it.
bool overtakes_earlier_put(const Step& step, PortId port_id, const Data& data) {
    if (step.variants().ordering == Ordering::none) return false;
    for (std::uint32_t index = 0; index < step.state.ports.size(); ++index) {
        if (index == port_id.value()) continue;
        const Port& other = step.state.ports[index];
        if (other.kind != PortKind::getter || other.moved || other.closed) continue;
        for (const PortAnnotation& annotation : data.annotations) {
            if (annotation.mapping != 0 && annotation.mapping != other.mapping &&
                fed_by(other, data.header.sender, annotation.port)) {
                return true;
            }
        }
    }
    return false;
}

void accept(Step& step, PortId port_id, const Instruction* get_instruction) {
    Port& port = step.port(port_id);
    Data data = std::move(port.pending.front());
    port.pending.erase(port.pending.begin());
    port.mapping = data.mapping;
    port.used_in_round = true;
    port.accepted_peer_comp = data.header.sender;
    port.accepted_peer_port = data.sending_port;
    step.emit(FactAccepted{data.channel, data.seq, data.value});
    round_after_accept(step, data);
    if (get_instruction != nullptr && get_instruction->list != no_list) {
        const auto& binds = step.program().lists[get_instruction->list];
        for (std::size_t index = 0; index < binds.size() && index < data.ports.size(); ++index) {
            step.state.slots[binds[index]] = data.ports[index].old_id;
        }
    }
    if (get_instruction != nullptr && get_instruction->expects &&
        data.value != get_instruction->value) {
        fail_local(step, builtin_error::unexpected_value);
    }
}

void run_get(Step& step, const Instruction& instruction) {
    const PortId port_id = step.state.slots[instruction.slot_a];
    Port& port = step.port(port_id);
    if (port.kind != PortKind::getter) {
        fail_local(step, builtin_error::wrong_direction);
        return;
    }
    if (port.pending.empty() || port.closer_failed_in_round) {
        // A peer that failed inside the round cannot complete it: using the port fails us
        // even if its data is here (seed 004: "C cannot receive from E if it is failing").
        fail_on_closed_get(step, port);
        return;
    }
    if (overtakes_earlier_put(step, port_id, port.pending.front())) {
        fail_local(step, builtin_error::out_of_order);
        return;
    }
    ++step.state.pc;
    accept(step, port_id, &instruction);
}

void run_select(Step& step, const Instruction& instruction) {
    const auto& branches = step.program().select_branches[instruction.list];
    for (const SelectBranch& branch : branches) {
        if (step.port(step.state.slots[branch.port]).kind != PortKind::getter) {
            fail_local(step, builtin_error::wrong_direction);
            return;
        }
    }
    for (const SelectBranch& branch : branches) {
        const PortId port_id = step.state.slots[branch.port];
        const Port& port = step.port(port_id);
        if (port.pending.empty() || dead_arm(port)) continue;
        if (overtakes_earlier_put(step, port_id, port.pending.front())) {
            fail_local(step, builtin_error::out_of_order);
            return;
        }
        step.state.pc = branch.target;
        accept(step, port_id, nullptr);
        return;
    }
    // Runnable with no live arm holding data: every arm is dead. A failed peer's error first.
    const Port* dead = &step.port(step.state.slots[branches.front().port]);
    for (const SelectBranch& branch : branches) {
        const Port& port = step.port(step.state.slots[branch.port]);
        if (port.has_close_error) {
            dead = &port;
            break;
        }
    }
    fail_on_closed_get(step, *dead);
}

}  // namespace

void run(Step& step) {
    ComponentState& state = step.state;
    const Program& program = step.program();
    if (state.pc >= program.code.size()) {
        complete_component(step);
        return;
    }
    const Instruction& instruction = program.code[state.pc];
    switch (instruction.op) {
        case Op::channel:
            run_channel(step, instruction);
            break;
        case Op::spawn:
            run_spawn(step, instruction);
            break;
        case Op::sync_begin:
            ++state.pc;
            round_begin(step);
            break;
        case Op::sync_end:
            // The pc stays on sync_end until the decision arrives (on_decision moves it on).
            state.mode = Mode::sync_end;
            submit(step, false, {});
            break;
        case Op::put_value:
            run_put_value(step, instruction);
            break;
        case Op::put_ports:
            run_put_ports(step, instruction);
            break;
        case Op::get:
            run_get(step, instruction);
            break;
        case Op::select:
            run_select(step, instruction);
            break;
        case Op::jump:
            state.pc = instruction.target;
            break;
        case Op::fail:
            fail_local(step, instruction.error);
            break;
        case Op::cancel:
            ++state.pc;
            step.emit(RequestCancel{instruction.name, instruction.layer});
            break;
        case Op::exit:
            complete_component(step);
            break;
    }
}

void on_data(Step& step, CompId from, Data data) {
    const PortId port_id = resolve(step.state, data.target);
    if (!port_id.valid()) return;  // stale address; cannot happen with FIFO links
    if (step.port(port_id).moved) {
        const CompId next = step.port(port_id).moved_to;
        pass_ports_through(step, from, next, data);  // may grow the port table
        forward(step, step.port(port_id), port_id, std::move(data));
        return;
    }
    if (!data.ports.empty()) {
        adopt_ports(step, from, data);  // may grow the port table
        if (step.ended()) close_open_ports(step);
    }
    Port& port = step.port(port_id);
    if (step.ended()) {
        // Seed 004 "Managing the Lifetime": data that reaches an exiting component is answered
        // with DataMessageFailed, except on ports the peer itself closed (it is ending too).
        const bool closed_by_peer = port.closed && !port.close_sent;
        if (!closed_by_peer) report_failed_put(step, data);
        return;
    }
    port.pending.push_back(std::move(data));
}

}  // namespace pcore::detail
