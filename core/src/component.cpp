// Dispatch of inputs to handlers, and the queries the world asks of a component.
#include <algorithm>

#include "internal.hpp"

namespace pcore {

namespace detail {

void Step::send(CompId to, Message message) {
    effects.push_back(Send{to, std::move(message)});
}

}  // namespace detail

const char* message_name(const Message& message) {
    static constexpr const char* names[] = {
        "Data",      "PeerChangeBlockPort", "Acknowledge",          "PeerChangeUnblockPort",
        "ClosePort", "DataMessageFailed",   "NotificationOfLeader", "Submission",
        "Decision",  "CancelRequest"};
    static_assert(std::size(names) == std::variant_size_v<Message>);
    return names[message.index()];
}

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::waiting_for_creator:
            return "waiting_for_creator";
        case Mode::running:
            return "running";
        case Mode::transferring:
            return "transferring";
        case Mode::sync_end:
            return "sync_end";
        case Mode::busy_exit:
            return "busy_exit";
        case Mode::exited:
            return "exited";
    }
    return "?";
}

const char* outcome_name(OutcomeKind kind) {
    switch (kind) {
        case OutcomeKind::running:
            return "running";
        case OutcomeKind::completed:
            return "completed";
        case OutcomeKind::failed:
            return "failed";
        case OutcomeKind::cancelled:
            return "cancelled";
    }
    return "?";
}

const char* layer_name(CancelLayer layer) {
    switch (layer) {
        case CancelLayer::os:
            return "os";
        case CancelLayer::component:
            return "component";
        case CancelLayer::round:
            return "round";
    }
    return "?";
}

EndCause cause_of(const Outcome& outcome, CompId self) {
    switch (outcome.kind) {
        case OutcomeKind::running:
        case OutcomeKind::completed:
            return EndCause::result;
        case OutcomeKind::cancelled:
            return outcome.error.origin == self ? EndCause::own_cancel : EndCause::foreign_cancel;
        case OutcomeKind::failed:
            return outcome.remote ? EndCause::remote_error : EndCause::local_error;
    }
    return EndCause::result;
}

const char* cause_name(EndCause cause) {
    switch (cause) {
        case EndCause::result:
            return "result";
        case EndCause::own_cancel:
            return "cancel requested by this side";
        case EndCause::foreign_cancel:
            return "cancel not requested by this side";
        case EndCause::remote_error:
            return "remote error";
        case EndCause::local_error:
            return "local error";
    }
    return "?";
}

ComponentState make_host(const CompiledScenario& scenario) {
    ComponentState host;
    host.self = CompId(0);
    host.creator = CompId::none();
    host.definition = scenario.main_definition;
    const Program& program = scenario.definitions[host.definition].program;
    host.slots.assign(program.slot_count, PortId::none());
    host.round.highest = host.self;
    return host;
}

bool receptive(const ComponentState& state) {
    // A component stuck in its own failure handler (shutdown_guard=lock) handles nothing more.
    return state.mode != Mode::waiting_for_creator && !state.shutdown.deadlocked;
}

namespace {

// A port of the wrong direction (it arrived through `bind`) makes the statement fail at once.
bool port_ready_for_put(const ComponentState& state, PortId id) {
    const Port& port = state.ports[id.value()];
    return port.kind == PortKind::getter || port.closed || (!port.blocked && !port.transferring);
}

bool port_ready_for_get(const ComponentState& state, PortId id) {
    const Port& port = state.ports[id.value()];
    return port.kind == PortKind::putter || !port.pending.empty() || port.closed;
}

bool port_movable(const ComponentState& state, PortId id) {
    const Port& port = state.ports[id.value()];
    // Closed ports move without the protocol, but not while an Unblock is still on its way to
    // us (a crossing ClosePort closed it first): it would find us gone.
    return !port.blocked && (port.closed || !port.transferring);
}

// The ports in these slots and those inside data waiting at them (they move along).
bool ports_movable(const ComponentState& state, const std::vector<Slot>& slots) {
    std::vector<PortId> moving;
    moving.reserve(slots.size());
    for (Slot slot : slots) moving.push_back(state.slots[slot]);
    for (PortId id : detail::with_carried_ports(state, std::move(moving))) {
        if (!port_movable(state, id)) return false;
    }
    return true;
}

}  // namespace

bool runnable(const ComponentState& state, const CompiledScenario& scenario) {
    if (state.shutdown.deadlocked) return false;
    if (!state.shutdown.queued.empty()) return true;  // the failure handler's own step
    if (state.mode != Mode::running) return false;
    const Program& program = scenario.definitions[state.definition].program;
    if (state.pc >= program.code.size()) return true;  // implicit exit
    const Instruction& instruction = program.code[state.pc];
    switch (instruction.op) {
        case Op::put_value:
            return port_ready_for_put(state, state.slots[instruction.slot_a]);
        case Op::put_ports:
            return port_ready_for_put(state, state.slots[instruction.slot_a]) &&
                   ports_movable(state, program.lists[instruction.list]);
        case Op::spawn:
            return ports_movable(state, program.lists[instruction.list]);
        case Op::get:
            return port_ready_for_get(state, state.slots[instruction.slot_a]);
        case Op::select: {
            // Some arm can take data now, or every arm is dead (the select fails): contract §4.
            bool every_arm_dead = true;
            for (const SelectBranch& branch : program.select_branches[instruction.list]) {
                const Port& port = state.ports[state.slots[branch.port].value()];
                if (port.kind == PortKind::putter) return true;  // fails: wrong direction
                const bool dead = detail::dead_arm(port);
                if (!dead && !port.pending.empty()) return true;
                every_arm_dead = every_arm_dead && dead;
            }
            return every_arm_dead;
        }
        case Op::channel:
        case Op::sync_begin:
        case Op::sync_end:
        case Op::jump:
        case Op::fail:
        case Op::cancel:
        case Op::exit:
            return true;
    }
    return false;
}

namespace {

void take_input(detail::Step& step, const Input& input);

}  // namespace

void step_in_place(ComponentState& state,
                   const StepContext& context,
                   const Input& input,
                   Effects& effects) {
    detail::Step step{state, context, effects};
    take_input(step, input);
    // A put-ports hand-off whose Acks are all in may still wait for its own port to be
    // unblocked (or closed, or for the sender to end): any input can be the one that frees it.
    if (detail::transfer_ready(state)) {
        detail::complete_transfer(step);
        detail::try_finish_exit(step);
    }
}

namespace {

void take_input(detail::Step& step, const Input& input) {
    ComponentState& state = step.state;
    if (std::holds_alternative<RunInput>(input)) {
        PCORE_ASSERT(runnable(state, step.scenario()));
        if (!state.shutdown.queued.empty()) {
            detail::run_queued_handler(step);
        } else {
            detail::run(step);
        }
        return;
    }
    if (const auto* fault = std::get_if<FaultInput>(&input)) {
        switch (fault->kind) {
            case FaultKind::crash:
                detail::fail_local(step, builtin_error::crash);
                break;
            case FaultKind::cancel:
                detail::on_cancel(step, CompId(0), CancelLayer::component);
                break;
            case FaultKind::signal:
                detail::on_cancel(step, CompId::none(), CancelLayer::os);
                break;
        }
        return;
    }
    if (std::holds_alternative<TimeoutInput>(input)) {
        detail::fail_local(step, builtin_error::timeout);
        return;
    }
    const auto& receive = std::get<ReceiveInput>(input);
    std::visit(
        [&](const auto& message) {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, Data>) {
                detail::on_data(step, receive.from, message);
            } else if constexpr (std::is_same_v<T, PeerChangeBlockPort>) {
                detail::on_peer_change_block_port(step, message);
            } else if constexpr (std::is_same_v<T, Acknowledge>) {
                detail::on_acknowledge(step, message);
            } else if constexpr (std::is_same_v<T, PeerChangeUnblockPort>) {
                detail::on_peer_change_unblock_port(step, message);
            } else if constexpr (std::is_same_v<T, ClosePort>) {
                detail::on_close_port(step, receive.from, message);
            } else if constexpr (std::is_same_v<T, DataMessageFailed>) {
                detail::on_data_message_failed(step, message);
            } else if constexpr (std::is_same_v<T, NotificationOfLeader>) {
                detail::on_notification_of_leader(step, receive.from, message);
            } else if constexpr (std::is_same_v<T, Submission>) {
                detail::on_submission(step, message);
            } else if constexpr (std::is_same_v<T, Decision>) {
                detail::on_decision(step, message);
            } else {
                static_assert(std::is_same_v<T, CancelRequest>, "every message has a handler");
                detail::on_cancel(step, message.canceller, message.layer);
            }
        },
        receive.message);
}

}  // namespace

StepResult step(const ComponentState& state, const StepContext& context, const Input& input) {
    StepResult result{state, {}};
    step_in_place(result.next, context, input, result.effects);
    return result;
}

namespace {

// A put of ports waits, its Acks in, while its own put port's peer end moves (transfer_ready):
// on the mover, whose Unblock names the new owner. That mover may be the putter itself, when
// the bundle carries the put port's own peer end (data addressed to an end it carries), or a
// putter whose bundle carries ours: such waits never end (an application deadlock).
void add_put_port_wait(const ComponentState& state, WaitsFor& waits) {
    const PendingTransfer& transfer = state.transfer;
    if (!transfer.active || transfer.is_spawn || !transfer.put_port.valid() ||
        transfer.put_port.value() >= state.ports.size()) {
        return;
    }
    const Port& put_port = state.ports[transfer.put_port.value()];
    if (put_port.closed || !put_port.blocked) return;
    waits.reason += ", and for the Unblock of its put port's peer end";
    if (std::find(waits.comps.begin(), waits.comps.end(), put_port.peer_comp) ==
        waits.comps.end()) {
        waits.comps.push_back(put_port.peer_comp);  // itself included: a wait on itself
    }
}

// Whoever should accept a put of the round (the putter cannot know who that is: the getter end
// may be moving): the part names where the putter's port led at its vote; our own port knows
// better once an Unblock has named the getter end's new holder.
CompId put_acceptor(const ComponentState& state, const ChannelEntry& put) {
    if (put.comp == state.self && put.port.value() < state.ports.size()) {
        return state.ports[put.port.value()].peer_comp;
    }
    return put.peer_comp;
}

}  // namespace

WaitsFor waits_for(const ComponentState& state, const CompiledScenario& scenario) {
    WaitsFor waits;
    auto add = [&](CompId comp) {
        if (comp.valid() && comp != state.self &&
            std::find(waits.comps.begin(), waits.comps.end(), comp) == waits.comps.end()) {
            waits.comps.push_back(comp);
        }
    };
    if (state.shutdown.deadlocked) {
        waits.reason =
            "is stuck in its failure handler: the signal handler waits for the "
            "shutdown lock its own thread holds";
        return waits;
    }
    switch (state.mode) {
        case Mode::waiting_for_creator:
            waits.reason = "waits to be scheduled by its creator";
            add(state.creator);
            break;
        case Mode::running: {
            if (runnable(state, scenario)) break;
            const Program& program = scenario.definitions[state.definition].program;
            const Instruction& instruction = program.code[state.pc];
            if (instruction.op == Op::get) {
                waits.reason = "blocked on get";
                add(state.ports[state.slots[instruction.slot_a].value()].peer_comp);
            } else if (instruction.op == Op::select) {
                waits.reason = "blocked on select";
                for (const SelectBranch& branch : program.select_branches[instruction.list]) {
                    add(state.ports[state.slots[branch.port].value()].peer_comp);
                }
            } else {
                waits.reason = "blocked on a port whose peer is moving";
                add(state.ports[state.slots[instruction.slot_a].value()].peer_comp);
            }
            break;
        }
        case Mode::transferring:
        case Mode::busy_exit:
            waits.reason = state.mode == Mode::transferring ? "waits for hand-off Acks"
                                                            : "waits for ClosePort Acks";
            for (const ControlEntry& entry : state.control) add(entry.awaited_from);
            add_put_port_wait(state, waits);
            break;
        case Mode::sync_end:
            if (state.round.highest != state.self) {
                waits.reason = "waits for the leader's decision";
                add(state.round.highest);
            } else {
                waits.reason = "leads the round and waits for submissions";
                const LeaderWaits leader = leader_waits(state.round, state.self);
                for (CompId peer : leader.parts) add(peer);
                for (const ChannelEntry& put : leader.puts) add(put_acceptor(state, put));
            }
            break;
        case Mode::exited:
            break;
    }
    return waits;
}

}  // namespace pcore
