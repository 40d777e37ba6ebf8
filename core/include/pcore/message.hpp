// Messages between components: a closed variant of plain aggregates.
//
// Three classes, as in the runtime design notes (seed 004 §"Brief description"):
//   data     Data                         a put's payload, annotated with port mappings
//   control  PeerChangeBlockPort, Acknowledge, PeerChangeUnblockPort, ClosePort,
//            DataMessageFailed            runtime bookkeeping (hand-off, closing)
//   sync     NotificationOfLeader, Submission, Decision   consensus of a sync round
//
// Reference handles travel inside messages: a message that hands its receiver a reference to a
// component (the new owner in PeerChangeUnblockPort, the peers of transferred ports, the
// submitters in a Submission, the recipient in a Decision) was sent with that component's
// count already incremented, and the receiver keeps or drops it. See docs/lifetime.md.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "pcore/ids.hpp"

namespace pcore {

enum class PortKind : std::uint8_t { putter, getter };

// An error as a value with provenance: what failed, where it started, which components it
// travelled through (tractor's src_uid / relay_uid). A cancellation travels the same way, with
// type builtin_error::cancelled, the canceller as origin (none: the OS) and its layer, so that
// ClosePort, DataMessageFailed and Decision carry either without a second code path.
struct ErrorInfo {
    ErrorType type;
    CompId origin;
    std::vector<CompId> relay;
    CancelLayer layer = CancelLayer::os;  // cancellations only
    friend bool operator==(const ErrorInfo&, const ErrorInfo&) = default;
};

// Addresses a port at the receiving component. `via` is set when the sender only knows the
// port by the id it had at a previous owner (a port that travelled inside a data message):
// the receiver resolves (via, port) through its adoption records.
struct PortRef {
    PortId port;
    CompId via = CompId::none();
    friend bool operator==(const PortRef&, const PortRef&) = default;
};

// Every data message and leader notification carries the sender's view of the round.
struct SyncHeader {
    CompId sender;
    CompId highest;                  // the highest component id the sender knows in this round
    std::uint32_t sender_round = 0;  // the sender's completed-round counter
    friend bool operator==(const SyncHeader&, const SyncHeader&) = default;
};

// The mapping a sender's putter port had when the message left (0: unused in the round).
struct PortAnnotation {
    PortId port;
    std::uint32_t mapping = 0;
    friend bool operator==(const PortAnnotation&, const PortAnnotation&) = default;
};

struct Data;

// A port travelling inside a data message, with the messages that were waiting in its slot.
struct TransferredPort {
    PortKind kind = PortKind::putter;
    PortId old_id;     // its id at the sender
    CompId peer_comp;  // where the other end lives (the receiver takes a handle)
    PortId peer_port;
    ChannelId channel;  // ghost
    bool closed = false;
    bool peer_in_bundle = false;  // the other end travels in the same message
    std::uint32_t peer_bundle_index = 0;
    bool has_close_error = false;
    bool closer_failed_in_round = false;
    bool close_in_sync = false;
    std::uint32_t close_rounds = 0;
    ErrorInfo close_error;
    std::uint32_t rounds_completed = 0;
    bool used_in_round = false;  // the sender used it in the round this data belongs to
    // The peer end was moving when it left (a crossing hand-off): the receiver waits for the
    // Unblock of the peer's mover, which follows the port's forwarding records.
    bool blocked = false;
    std::vector<Data> pending;
    std::uint32_t next_put_seq = 0;  // ghost: PT-1 sequence numbers continue at the new owner
    friend bool operator==(const TransferredPort&, const TransferredPort&) = default;
};

// A put's payload. Exists because data is the only thing PDL programs exchange; the runtime
// annotates it so that the receiver can discover peers and detect out-of-order acceptance.
struct Data {
    SyncHeader header;
    PortRef target;
    PortId sending_port;
    std::uint32_t mapping = 0;  // the mapping this put gave the sending port
    std::vector<PortAnnotation> annotations;
    std::int64_t value = 0;
    std::vector<TransferredPort> ports;  // non-empty for `put ... ports`
    ChannelId channel;                   // ghost
    std::uint32_t seq = 0;               // ghost: per-channel put sequence number
    friend bool operator==(const Data&, const Data&) = default;
};

// Asks the owner of a port whose peer is moving to stop putting on it, so that every message
// it sent before is known to have reached the old owner once the Acknowledge comes back.
struct PeerChangeBlockPort {
    PortRef target;
    CompId requester;
    std::uint32_t control_id = 0;
    // Passed on by an old owner of the port, which answered it itself: its Acknowledge must
    // follow what it sent before on the link to the requester (FIFO), which an Ack from the
    // next owner would not. The next owner only blocks.
    bool answered = false;
    friend bool operator==(const PeerChangeBlockPort&, const PeerChangeBlockPort&) = default;
};

// Completes a control operation (block, close) identified by the requester's control id.
struct Acknowledge {
    std::uint32_t control_id = 0;
    friend bool operator==(const Acknowledge&, const Acknowledge&) = default;
};

// Tells the owner of a blocked port where its peer lives now; carries a handle on new_comp, and
// one on its own receiver: the creator drops its handle on the peer once the hand-off is done,
// and the peer must not be freed while this is on its way (LC-1; a peer whose port was closed
// before the Block arrived can otherwise finish its exit first).
struct PeerChangeUnblockPort {
    PortRef target;
    CompId new_comp;
    PortId new_port;
    bool holds_receiver_ref = false;
    friend bool operator==(const PeerChangeUnblockPort&, const PeerChangeUnblockPort&) = default;
};

// An ending component closes each port it still has open. The in-sync information lets the
// peer tell a failure inside its current round from one after the round completed (seed 004,
// "Handling Fatal Component Errors"; reowolf-notes §2.1).
struct ClosePort {
    PortRef target;
    CompId closer;
    PortId closer_port;
    std::uint32_t control_id = 0;
    bool in_sync = false;
    std::uint32_t rounds_completed = 0;  // solution rounds the closer's end took part in
    bool has_error = false;              // the closer failed (not a normal end)
    ErrorInfo error;
    friend bool operator==(const ClosePort&, const ClosePort&) = default;
};

// Returned for data that reached a component after it started to exit: the put failed. Carries
// a handle on its receiver: when both ends close at once, the putter's exit completes on the
// crossing ClosePort, which can overtake this message (LC-1).
struct DataMessageFailed {
    PortId putter_port;  // at the receiver of this message (the original sender)
    ChannelId channel;   // ghost
    std::uint32_t seq = 0;
    bool has_error = false;
    ErrorInfo error;
    bool holds_receiver_ref = false;
    friend bool operator==(const DataMessageFailed&, const DataMessageFailed&) = default;
};

// Spreads a higher leader candidate to the peers of the round (model-findings.md §1).
struct NotificationOfLeader {
    SyncHeader header;
    bool receiver_round_known = false;
    std::uint32_t receiver_round = 0;
    friend bool operator==(const NotificationOfLeader&, const NotificationOfLeader&) = default;
};

struct ChannelEntry {
    PortKind kind = PortKind::putter;
    CompId comp;  // the entry's own end
    PortId port;
    // Getter entries: the sender stamped on the accepted (or waiting) message. Putter entries:
    // where the port leads now, a hint for the wait-for graph only (never used to match).
    CompId peer_comp;
    PortId peer_port;
    std::uint32_t mapping = 0;
    friend bool operator==(const ChannelEntry&, const ChannelEntry&) = default;
};

// One participant's local solution (or its failure).
struct SolutionPart {
    CompId submitter;
    std::uint32_t submitter_round = 0;
    bool failed = false;
    ErrorInfo error;
    std::vector<ChannelEntry> entries;
    std::vector<CompId> peers;         // senders it accepted from or holds data from (sorted)
    std::vector<CompId> failed_peers;  // peers whose ClosePort(error) reached it in the round
    // Getter ends it holds and did not use in the round, each naming its putter end (kind
    // getter, mapping 0): a put on that putter end in this round can never be accepted (seed
    // 004: "`b` does not submit anything at all. Hence no solution can be found").
    std::vector<ChannelEntry> idle_getters;
    bool holds_ref = false;  // a handle on the submitter travels with this part
    bool update = false;     // replaces an earlier part: the submitter failed after it
    friend bool operator==(const SolutionPart&, const SolutionPart&) = default;
};

// Local or partial solutions on their way to the leader (Reowolf's LocalSolution and
// PartialSolution, merged: a local solution is a partial one with one part).
struct Submission {
    std::vector<SolutionPart> parts;
    friend bool operator==(const Submission&, const Submission&) = default;
};

// The leader's decision for every submitter. Carries back the handle the leader held.
struct Decision {
    bool solution = false;
    ErrorInfo error;  // the root cause of a failure
    CompId leader;
    std::vector<CompId> submitters;  // who gets this decision
    bool holds_ref = false;
    friend bool operator==(const Decision&, const Decision&) = default;
};

// A cancel request (the `cancel` statement): out of band, addressed through the runtime's
// registry rather than a port, so the sender holds no handle on the target; the world drops it
// when the target is already freed (tractor: cancelling a dead actor is a no-op).
struct CancelRequest {
    CompId canceller;
    CancelLayer layer = CancelLayer::component;
    friend bool operator==(const CancelRequest&, const CancelRequest&) = default;
};

using Message = std::variant<Data,
                             PeerChangeBlockPort,
                             Acknowledge,
                             PeerChangeUnblockPort,
                             ClosePort,
                             DataMessageFailed,
                             NotificationOfLeader,
                             Submission,
                             Decision,
                             CancelRequest>;

[[nodiscard]] const char* message_name(const Message& message);

// Calls fn(comp) for each reference handle carried by the message (see the file comment).
template <class Fn>
void for_each_carried_handle(const Message& message, Fn&& fn) {
    if (const auto* data = std::get_if<Data>(&message)) {
        for (const auto& port : data->ports) {
            if (!port.closed && !port.peer_in_bundle) fn(port.peer_comp);
        }
    } else if (const auto* unblock = std::get_if<PeerChangeUnblockPort>(&message)) {
        fn(unblock->new_comp);
    } else if (const auto* submission = std::get_if<Submission>(&message)) {
        for (const auto& part : submission->parts) {
            if (part.holds_ref) fn(part.submitter);
        }
    }
    // A Decision's handle is on its own recipient: it is released by the recipient, or with the
    // recipient's inbox when the recipient is freed (which the handle itself prevents).
}

}  // namespace pcore
