// Shared helpers of the core's handlers. Not part of the public interface.
#pragma once

#include <algorithm>
#include <cassert>

#include "pcore/component.hpp"

// Programmer errors crash (TigerStyle); operating errors are handled as values.
#define PCORE_ASSERT(cond) assert(cond)

namespace pcore::detail {

// The state being stepped plus where its effects go.
struct Step {
    ComponentState& state;
    const StepContext& context;
    Effects& effects;

    [[nodiscard]] const Variants& variants() const { return *context.variants; }
    [[nodiscard]] const CompiledScenario& scenario() const { return *context.scenario; }
    [[nodiscard]] const Program& program() const {
        return scenario().definitions[state.definition].program;
    }
    [[nodiscard]] Port& port(PortId id) { return state.ports[id.value()]; }
    // Whether each pair of components has one in-order link (the protocol's assumption). The
    // network variants weaken it, and then a message may reach a component that has no record
    // of its port yet or any more: it is dropped, and the observers judge what follows.
    [[nodiscard]] bool in_order_links() const {
        return variants().network == NetworkOrder::fifo_pair;
    }
    [[nodiscard]] bool ended() const {
        return state.mode == Mode::busy_exit || state.mode == Mode::exited;
    }
    void send(CompId to, Message message);
    void emit(Effect effect) { effects.push_back(std::move(effect)); }
};

// ---- handles (lifetime.cpp) ----
// Counts `port` towards our handle on its peer. With `handle_given`, a message brought a handle
// on the peer; it is kept if we had none, dropped otherwise.
void attach_peer(Step& step, PortId port, bool handle_given);
// Stops counting `port` towards its peer; the last port drops the handle.
void detach_peer(Step& step, PortId port);
[[nodiscard]] PortId new_port(ComponentState& state, PortKind kind, ChannelId channel);
// Finds the local port a message addresses (directly or through adoption records).
[[nodiscard]] PortId resolve(const ComponentState& state, const PortRef& target);

// ---- ending (lifetime.cpp) ----
// Which thread of the component a failure arrives on (RayFed's threading model, seed 000): its
// own execution, or a signal (an OS signal, a failed send raising SIGINT).
enum class EndPath : std::uint8_t { main, signal };
// Ends the component once: records the outcome, submits a failure into an undecided round,
// closes every open port. `decided` says the round's decision is already known.
void end_component(Step& step, const Outcome& how, bool decided);
// The program finished: no handler, no guard.
void complete_component(Step& step);
// Every other end goes through here: the cause is recorded (NM-2/3), then the shutdown guard
// decides when (and how often: NM-5) the failure handler runs. While the component unwinds,
// a later cause merges by precedence.
void trigger_end(Step& step, const Outcome& how, bool decided, EndPath path);
// The handler step of shutdown_guard lock / none.
void run_queued_handler(Step& step);
void fail_local(Step& step, ErrorType type);
void fail_remote(Step& step, const ErrorInfo& error, EndPath path = EndPath::main);
[[nodiscard]] Outcome outcome_for_error(const ComponentState& state, const ErrorInfo& error);
void on_cancel(Step& step, CompId canceller, CancelLayer layer);
// The error an ending component hands on: a relayed one names the relay (tractor relay_uid).
[[nodiscard]] ErrorInfo relayed_error(const ComponentState& state);
[[nodiscard]] bool ends_with_error(const ComponentState& state);
// close_port_info: whether a closer (in sync or not, with its count of the channel's Solution
// rounds) failed inside the round a port with `our_rounds` is in or will next be in.
[[nodiscard]] bool closer_failed_in_round_of(const Variants& variants,
                                             bool closer_in_sync,
                                             std::uint32_t closer_rounds,
                                             std::uint32_t our_rounds);
// Whether this channel end took part in our current round: we used it, or it came to us in
// data from a round peer that had used it in the round (the closer's failure is then ours too).
[[nodiscard]] bool took_part_in_round(const ComponentState& state, const Port& port);
// DataMessageFailed for a put that reached us after (or unaccepted at) our end.
void report_failed_put(Step& step, const Data& data);
void try_finish_exit(Step& step);
// An ended component closes ports it still received (ports that arrived inside data).
void close_open_ports(Step& step);
// Forgets the ClosePort a port of ours owes or waits an Ack for (no one is left to answer).
void erase_close_entry(Step& step, PortId port);
// Sends the ClosePort a closed port owes (its control entry exists already).
void send_close_port(Step& step, PortId port);
void on_close_port(Step& step, CompId from, const ClosePort& message);
void on_acknowledge(Step& step, const Acknowledge& message);
void on_data_message_failed(Step& step, const DataMessageFailed& message);

// ---- port transfer (port_transfer.cpp) ----
void run_spawn(Step& step, const Instruction& instruction);
void run_put_ports(Step& step, const Instruction& instruction);
// Every Ack of the hand-off is in and, for put ports, the put's own port is not blocked.
[[nodiscard]] bool transfer_ready(const ComponentState& state);
void complete_transfer(Step& step);
void on_peer_change_block_port(Step& step, const PeerChangeBlockPort& message);
void on_peer_change_unblock_port(Step& step, const PeerChangeUnblockPort& message);
// The ports that move when `moving` moves: these, and the ports inside data waiting at them
// (adopted on arrival, bound by the get that takes the data), in a fixed order.
[[nodiscard]] std::vector<PortId> with_carried_ports(const ComponentState& state,
                                                     std::vector<PortId> moving);
// Data for a moved port goes on to its new owner.
void forward(Step& step, const Port& port, PortId port_id, Message message);
// The ports inside data that reached us from `from` (the sender, or the hop that forwarded
// it): adoption records name that hop and the port's id there.
void adopt_ports(Step& step, CompId from, Data& data);
// Data carrying ports passes through us on its way to `next`: each carried port gets a
// forwarding record here, so that the Unblocks and Blocks its previous owner forwards to us
// (addressed through us as the hop) find their way on.
void pass_ports_through(Step& step, CompId from, CompId next, Data& data);

// ---- consensus (consensus.cpp) ----
void round_begin(Step& step);
void round_note_peer(Step& step, CompId comp, bool round_known, std::uint32_t round);
void round_learn_highest(Step& step, CompId highest, CompId source);
void round_after_accept(Step& step, const Data& data);
// We hold a handle on `comp` again: a leader notification owed to it goes out now.
void round_handle_gained(Step& step, CompId comp);
void submit(Step& step, bool failed, const ErrorInfo& error);
// The component failed after submitting a successful part: its failed part supersedes it.
void resubmit_failed(Step& step, const ErrorInfo& error);
void round_note_failed_peer(Step& step, CompId comp);
void on_notification_of_leader(Step& step, CompId from, const NotificationOfLeader& message);
void on_submission(Step& step, const Submission& message);
void on_decision(Step& step, const Decision& message);
// Sends one put's data (value or ports) on `port`; the caller checked it is usable.
void emit_put(Step& step, PortId port, std::int64_t value, std::vector<TransferredPort> ports);

// ---- interpreter (interpreter.cpp) ----
// A select arm that can never be chosen: its get could only fail.
[[nodiscard]] bool dead_arm(const Port& port);
void run(Step& step);
void on_data(Step& step, CompId from, Data data);

[[nodiscard]] inline ErrorInfo local_error(const Step& step, ErrorType type) {
    return ErrorInfo{type, step.state.self, {}};
}

}  // namespace pcore::detail
