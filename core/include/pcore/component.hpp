// One component of the runtime: its state as a value, and the pure step function.
//
// Purpose: the per-component half of Reowolf 2.x's runtime protocols (seed 004; reowolf-notes
// §1-3): the PDL interpreter's signals (put/get/select/sync/channel/spawn/fail) and the handling
// of every message class. The world (model/) owns the links between components and applies the
// effects a step returns.
//
// Lifecycle of a component (Reowolf's CompMode, condensed):
//
//   waiting_for_creator --Schedule--> running <--------------------+
//                                     |  |  \--put ports/spawn--> transferring --all Acks--+
//                                     |  +--sync_end--> sync_end --Decision(Solution)-----+
//                                     |                     |
//                               end / error        Decision(Failure) / ClosePort(sync)
//                                     v                     v
//                                 busy_exit --all Acks--> exited --refcount 0--> freed (world)
//
// Properties this file upholds (ids of contract §7): PT-1, PT-2 (port hand-off), DF-1, DF-2,
// LC-1..LC-3 (closing and lifetime), SY-1..SY-4 (consensus), NM-1 (attribution).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "pcore/ids.hpp"
#include "pcore/message.hpp"
#include "pcore/program.hpp"
#include "pcore/variants.hpp"

namespace pcore {

enum class Mode : std::uint8_t {
    waiting_for_creator,  // created with ports; the creator has not scheduled it yet (PT-2)
    running,              // executing its program, inside or outside a sync block
    transferring,         // waiting for the Acks of a port hand-off (spawn or put ports)
    sync_end,             // submitted its local solution, waiting for the decision
    busy_exit,            // ended; its ClosePorts are out and their Acks are awaited
    exited,               // dropped its self reference; the world frees it at count 0
};

struct Port {
    PortKind kind = PortKind::putter;
    CompId peer_comp;  // putter: where data goes; getter: who sends (eventually consistent)
    PortId peer_port;
    ChannelId channel;          // ghost
    bool closed = false;        // the peer closed it, or we did; any later use fails
    bool blocked = false;       // the peer is moving: a put waits (PeerChangeBlockPort)
    bool transferring = false;  // we are handing this port off and wait for Acks
    bool moved = false;         // handed off: messages for it are forwarded
    bool holds_ref = false;     // counts towards our handle on peer_comp
    bool close_sent = false;    // we sent ClosePort and wait for its Ack
    // Closed while blocked: the ClosePort waits for PeerChangeUnblockPort to name the new owner
    // (the old owner may be gone by the time it would arrive there).
    bool close_deferred = false;
    std::uint32_t close_control_id = 0;
    bool has_close_error = false;         // the peer that closed it had failed with close_error
    bool closer_failed_in_round = false;  // ...inside the round this port is (or will be) in
    bool close_in_sync = false;           // what the closer's ClosePort said, kept so that
    std::uint32_t close_rounds = 0;       // the line above is judged again when a round ends
    ErrorInfo close_error;
    // Solution rounds in which this channel was used; both ends count the same rounds.
    std::uint32_t rounds_completed = 0;
    // The current round.
    std::uint32_t mapping = 0;  // last put (putter) or accepted (getter) mapping; 0 = none
    bool used_in_round = false;
    CompId accepted_peer_comp;  // the sender stamped on the last accepted message
    PortId accepted_peer_port;
    std::vector<Data> pending;  // arrived, not yet accepted (getter slot)
    // Port hand-off.
    CompId moved_to;
    PortId moved_to_port;  // none when the new owner's id is unknown (ports sent in data)
    CompId adopted_from;   // set when this port arrived inside a data message
    PortId adopted_port;
    // Arrived in a data message from this sender, which had used it in the round the data
    // belongs to (none otherwise): while that sender is our round peer, the channel took part
    // in our round before it reached us. The sender, not the hop that forwarded the data.
    CompId adopted_used_by;
    std::uint32_t next_put_seq = 0;  // ghost: PT-1 sequence numbers of the channel
    // Blocks from a later owner of the peer end that overtook the previous owner's Unblock.
    std::vector<PeerChangeBlockPort> deferred_blocks;
    friend bool operator==(const Port&, const Port&) = default;
};

// Handles held on a peer component: one while at least one port leads to it (reowolf-notes
// §3.7: `Peer { id, num_associated_ports, handle }`).
struct PeerLink {
    CompId comp;
    std::uint32_t ports = 0;
    friend bool operator==(const PeerLink&, const PeerLink&) = default;
};

enum class ControlKind : std::uint8_t { block_peer, close_port };

// An operation waiting for an Acknowledge (reowolf-notes §3.6 ControlEntry).
struct ControlEntry {
    std::uint32_t id = 0;
    ControlKind kind = ControlKind::block_peer;
    PortId port;          // our port concerned
    CompId awaited_from;  // who will answer
    friend bool operator==(const ControlEntry&, const ControlEntry&) = default;
};

struct PortPair {
    PortId ours;
    PortId theirs;
    friend bool operator==(const PortPair&, const PortPair&) = default;
};

// A hand-off in progress: spawn (new component waiting for its creator) or put ports.
struct PendingTransfer {
    bool active = false;
    bool is_spawn = false;
    CompId new_comp;              // spawn
    std::vector<PortPair> moves;  // spawn: our old port -> its port at new_comp
    PortId put_port;              // put ports: the port the data goes out on
    std::vector<PortId> bundle;   // put ports: the ports that travel
    friend bool operator==(const PendingTransfer&, const PendingTransfer&) = default;
};

struct RoundPeer {
    CompId comp;
    bool round_known = false;
    std::uint32_t round = 0;
    friend bool operator==(const RoundPeer&, const RoundPeer&) = default;
};

struct BufferedNotification {
    CompId from;
    NotificationOfLeader message;
    friend bool operator==(const BufferedNotification&, const BufferedNotification&) = default;
};

struct RoundState {
    bool active = false;          // from sync_begin until the decision
    std::uint32_t completed = 0;  // completed (Solution) rounds
    CompId highest;               // leader candidate
    CompId leader_via;            // the neighbour that told us of `highest`
    bool orphaned = false;        // cannot reach the leader: decides the parts it holds
    bool last_failed = false;     // our last decision as leader was Failure...
    ErrorInfo last_error;         // ...with this root cause (answers late parts)
    std::uint32_t mapping_counter = 0;
    std::vector<RoundPeer> peers;  // sorted by comp
    bool submitted = false;
    // A round cancel that reached us after our vote (round_cancel_after_vote=at_decision): it
    // waits for the decision. The canceller; none when there is no such cancel.
    CompId cancel_after_vote;
    std::vector<CompId> failed_peers;    // ClosePort(error) received in this round (sorted)
    std::vector<SolutionPart> combined;  // parts held while we believe we lead
    std::vector<BufferedNotification> buffered;
    // Round peers we could not yet tell of a higher leader: we hold no handle on them (the
    // channel's ends crossed in hand-offs and the Unblock naming them is on its way). Told as
    // soon as a handle on them arrives (sorted).
    std::vector<CompId> owed_notifications;
    friend bool operator==(const RoundState&, const RoundState&) = default;
};

enum class OutcomeKind : std::uint8_t { running, completed, failed, cancelled };

struct Outcome {
    OutcomeKind kind = OutcomeKind::running;
    // failed: the root cause with its provenance; cancelled: type builtin_error::cancelled,
    // origin = the canceller (none: the OS), layer, and the components it was relayed through.
    ErrorInfo error;
    bool remote = false;   // the error or cancel came from another component
    bool in_sync = false;  // ended inside a sync round
    friend bool operator==(const Outcome&, const Outcome&) = default;
};

// Why a component ended, in the order of contract §7 NM-3 (higher wins): tractor's rule that a
// real error is never masked by a cancellation, and a cancel this side asked for is absorbed.
enum class EndCause : std::uint8_t {
    result,          // the program completed
    own_cancel,      // a cancel this component requested came back (absorbed)
    foreign_cancel,  // a cancel requested by someone else (host, supervisor, peer, OS)
    remote_error,    // another component's error reached it
    local_error,     // its own error
};
[[nodiscard]] EndCause cause_of(const Outcome& outcome, CompId self);
[[nodiscard]] const char* cause_name(EndCause cause);

// A failure waiting for its handler step (shutdown_guard lock / none): the trigger and the
// handler are separate steps there, so the checker can interleave a second trigger.
struct QueuedEnd {
    Outcome outcome;
    bool decided = false;  // the round's decision is already known
    friend bool operator==(const QueuedEnd&, const QueuedEnd&) = default;
};

// RayFed's failure handler guard (seed 000, `_atomic_shutdown_flag`).
//
//   atomic_flag: test-and-set and handler in the trigger's own step: runs once.
//   lock:        main path: lock, set flag, [step] handler, unlock. A signal (os cancel, or a
//                failed send raising SIGINT) arriving in between runs its handler on the same
//                thread, which waits for the lock forever: `deadlocked`.
//   none:        check the flag at the trigger, set it in the handler step: two triggers
//                before the first handler step run the handler twice (NM-5).
struct ShutdownState {
    bool flag = false;
    bool lock_held = false;
    bool deadlocked = false;
    std::uint8_t handler_runs = 0;  // NM-5: at most one, exactly one for a failed end
    std::vector<QueuedEnd> queued;
    friend bool operator==(const ShutdownState&, const ShutdownState&) = default;
};

struct ComponentState {
    CompId self;
    CompId creator;
    std::uint32_t definition = 0;
    std::uint32_t pc = 0;
    Mode mode = Mode::running;
    bool in_sync = false;
    std::vector<PortId> slots;  // port variables; PortId::none() when empty
    std::vector<Port> ports;    // index = PortId
    std::vector<PeerLink> peers;
    std::uint32_t channel_counter = 0;
    std::uint32_t next_control_id = 1;
    std::vector<ControlEntry> control;
    PendingTransfer transfer;
    RoundState round;
    Outcome outcome;
    ShutdownState shutdown;
    friend bool operator==(const ComponentState&, const ComponentState&) = default;
};

// ---- Inputs and effects ------------------------------------------------------------------

struct RunInput {};  // execute the next statement
struct ReceiveInput {
    CompId from;
    Message message;
};
// Injected by the world (contract §5): crash fails the component with `Crash`; cancel is a
// component-layer cancel by the host; signal an OS signal (os layer, no canceller).
enum class FaultKind : std::uint8_t { crash, cancel, signal };
struct FaultInput {
    FaultKind kind = FaultKind::crash;
};
// timeouts=on: the component gave up waiting on a peer; it fails with `Timeout`.
struct TimeoutInput {};
using Input = std::variant<RunInput, ReceiveInput, FaultInput, TimeoutInput>;

struct Send {
    CompId to;
    Message message;
};
// Into the inbox of a component we created and have not scheduled: in the runtime this push is
// synchronous, so the world delivers it within the same step.
struct SendImmediate {
    CompId to;
    Message message;
};
struct SpawnComponent {
    ComponentState state;
    std::uint32_t name = 0;  // CompiledScenario::names index
};
struct ScheduleComponent {
    CompId comp;
};
// The `cancel` statement: the world resolves the instance name and sends a CancelRequest.
struct RequestCancel {
    std::uint32_t name = 0;  // CompiledScenario::names index
    CancelLayer layer = CancelLayer::component;
};
struct RefInc {
    CompId comp;
};
struct RefDec {
    CompId comp;
};
// Events for the observers (model/properties): what the component just did, never a verdict.
// The observers judge the properties from these and from what the world itself sees (messages
// sent and delivered, statements run, outcomes, frees); nothing here is read by the runtime.
//
// A put's data was taken by the program (a get or select accepted it): PT-1, LC-2, SY-1..SY-4.
struct FactAccepted {
    ChannelId channel;
    std::uint32_t seq = 0;
    std::int64_t value = 0;
};
// A cause of the component's end reached it while its end was not final (a result that came
// first, or the final exit, makes later ones moot). The observers rank the causes themselves
// (NM-2, NM-3) and take local errors as root errors (NM-1, NM-4).
struct FactCause {
    ErrorInfo error;
};
// The failure handler ran and reported the component's end to the host (NM-4, NM-5).
struct FactHandlerRun {};

using Effect = std::variant<Send,
                            SendImmediate,
                            SpawnComponent,
                            ScheduleComponent,
                            RefInc,
                            RefDec,
                            RequestCancel,
                            FactAccepted,
                            FactCause,
                            FactHandlerRun>;
using Effects = std::vector<Effect>;

struct StepContext {
    const CompiledScenario* scenario = nullptr;
    const Variants* variants = nullptr;
    CompId next_comp_id;  // the id a spawn in this step gets
};

// The initial state of the host: runs scenario.main_definition with no ports.
[[nodiscard]] ComponentState make_host(const CompiledScenario& scenario);

// Whether a RunInput would make progress (the `run` action is enabled).
[[nodiscard]] bool runnable(const ComponentState& state, const CompiledScenario& scenario);

// Whether the component can take messages now (a created component waits for its creator).
[[nodiscard]] bool receptive(const ComponentState& state);

// In place: the world mutates its own copy. Pure: no I/O, clocks, randomness or globals.
void step_in_place(ComponentState& state,
                   const StepContext& context,
                   const Input& input,
                   Effects& effects);

struct StepResult {
    ComponentState next;
    Effects effects;
};
// The value form, `step(state, input) -> (state', effects)`, used by tests.
[[nodiscard]] StepResult step(const ComponentState& state,
                              const StepContext& context,
                              const Input& input);

[[nodiscard]] const char* mode_name(Mode mode);
[[nodiscard]] const char* outcome_name(OutcomeKind kind);
[[nodiscard]] const char* layer_name(CancelLayer layer);  // "os", "component", "round"
// The canceller named for a cancellation no component asked for (an OS signal), in reports,
// traces and expect blocks.
inline constexpr const char* os_canceller_name = "os";

// What the component waits for, if it cannot run (DF-1 and the wait-for graph).
// What a leader in its sync_end still waits for, as its evaluate sees it: the parts of listed
// peers not yet accounted for (a submitter known failed lists no one it must wait for), and,
// once everyone listed is in and no failure is known, the putters of accepted puts that have
// not submitted (in `parts`) and the puts no getter has accepted yet (`puts`).
struct LeaderWaits {
    std::vector<CompId> parts;  // sorted
    std::vector<ChannelEntry> puts;
};
[[nodiscard]] LeaderWaits leader_waits(const RoundState& round, CompId self);

struct WaitsFor {
    std::vector<CompId> comps;
    std::string reason;
};
[[nodiscard]] WaitsFor waits_for(const ComponentState& state, const CompiledScenario& scenario);

}  // namespace pcore
