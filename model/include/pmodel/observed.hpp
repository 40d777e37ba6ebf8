// The observers' ghost record: what happened, as the world saw it.
//
// Purpose: every property of contract §7 is judged from this record and from what the world
// sees on each step (messages sent and delivered, statements run, outcomes, frees), never from
// the flags, counters and lists the core consults to decide its next step. The record is part
// of the state and its fingerprint (two states with different pasts may have different
// futures of violations), so it keeps summaries that die with what they describe:
//
//   put      Data sent by its putter ----accepted / DataMessageFailed----> settled
//            (kept until settled and the putter's round concluded: SY-2 and SY-5 judge it
//            then; SY-5 by the order of the sender's puts and who accepted each)
//   link     a put accepted inside two rounds, (putter, round) -- (getter, round); judged and
//            dropped when both rounds concluded (SY-1, SY-3, SY-4)
//   handoff  a spawn with Blocks out --Acknowledge each--> none left --Schedule--> gone (PT-2)
//
// Per component (SlotGhost): its sync blocks entered and how the latest one went
//
//   none --sync_begin--> open --sync_end run--> open+submitted --pc past sync_end--> committed
//                          \____________________ end (outcome set) ____________> ended
//
// with how its end was triggered, the strongest cause that reached it (ranked here, not by the
// core) and how often its failure handler reported to the host. Code: model/src/properties/.
#pragma once

#include <array>
#include <cstdint>
#include <tuple>
#include <vector>

#include "pcore/component.hpp"
#include "pcore/encode.hpp"
#include "pcore/message.hpp"

namespace pmodel {

using pcore::ChannelId;
using pcore::CompId;

enum class RoundStatus : std::uint8_t { none, open, committed, ended };

// What the step that first reached a component with a cause of its end was (SY-1, SY-3, SY-4
// tell the two-phase-commit window and false failures apart by it).
// `external`: an injected fault, or a cancel of the whole component (os or component layer):
// a kill from outside the protocol, like a crash.
enum class EndTrigger : std::uint8_t { none, own, external, decision, close_port, other_message };

// The observers' causes of an end, ranked by contract §7 NM-3 (higher wins). Written here
// again, apart from the core's own ranking (pcore::EndCause), so that NM-3 can disagree.
enum class ObservedCause : std::uint8_t { result, own_cancel, foreign_cancel, remote, local };

// How `self` ended, as the observer ranks causes (contract §7 NM-3): a result for a completed
// or still running component, otherwise its error's class seen from `self`. Also the SMT
// encoding's reading of an outcome (model/smt), so that both judge by the same ranking.
[[nodiscard]] ObservedCause observed_class(const pcore::Outcome& outcome, pcore::CompId self);

struct SlotGhost {
    std::uint32_t rounds = 0;  // sync blocks entered; the latest is round `rounds - 1`
    RoundStatus last_round = RoundStatus::none;
    bool submitted = false;           // ran the sync_end of its latest round
    std::uint32_t puts_in_round = 0;  // puts it made in its latest round (SY-5: their order)
    EndTrigger trigger = EndTrigger::none;
    bool trigger_after_submit = false;  // the trigger reached it after it submitted
    CompId trigger_from;                // close_port: the closer
    bool has_cause = false;
    ObservedCause strongest = ObservedCause::result;
    std::uint8_t reports = 0;  // failure-handler runs (each reports the end to the host)
    friend bool operator==(const SlotGhost&, const SlotGhost&) = default;
};

enum class PutStatus : std::uint8_t { outstanding, accepted, failed };

struct PutRecord {
    ChannelId channel;
    std::uint32_t seq = 0;
    CompId sender;
    std::uint32_t sender_round = 0;  // the observer's index of the sender's round
    std::int64_t value = 0;
    PutStatus status = PutStatus::outstanding;
    std::uint32_t order = 0;  // puts its sender made earlier in the same round (SY-5)
    CompId acceptor;          // who accepted it (SY-5)
    // Accepted after a later put of the same sender and round, by the same component (SY-5).
    bool overtaken = false;
    friend bool operator==(const PutRecord&, const PutRecord&) = default;
};

// Two rounds joined by an accepted put: they must conclude alike.
struct RoundLink {
    CompId putter;
    std::uint32_t putter_round = 0;
    CompId getter;
    std::uint32_t getter_round = 0;
    friend auto operator<=>(const RoundLink&, const RoundLink&) = default;
};

struct ChannelProgress {
    ChannelId channel;
    std::uint32_t next_accept = 0;
    friend bool operator==(const ChannelProgress&, const ChannelProgress&) = default;
};

// A root error that happened: `origin` failed with `type` on its own (NM-1, NM-4).
struct RootError {
    CompId origin;
    pcore::ErrorType type;
    friend auto operator<=>(const RootError&, const RootError&) = default;
};

// An error (or cancel) that reached `comp` in a message authored by `author` (a ClosePort's
// closer, a Decision's leader, a failed part's submitter, the sender of a DataMessageFailed or
// CancelRequest; the host for an injected cancel, none for a signal): the hops of travel NM-1
// accepts.
struct ErrorArrival {
    CompId comp;
    CompId author;
    pcore::ErrorInfo error;
    friend bool operator==(const ErrorArrival&, const ErrorArrival&) = default;
    friend bool operator<(const ErrorArrival& a, const ErrorArrival& b) {
        return std::tie(a.comp, a.author, a.error.type, a.error.origin, a.error.relay,
                        a.error.layer) < std::tie(b.comp, b.author, b.error.type, b.error.origin,
                                                  b.error.relay, b.error.layer);
    }
};

// A spawn whose Blocks are not all acknowledged yet (PT-2).
struct Handoff {
    CompId creator;
    CompId created;
    std::vector<std::uint32_t> awaiting;  // control ids of the creator's Blocks (sorted)
    friend bool operator==(const Handoff&, const Handoff&) = default;
};

struct Ghost {
    std::vector<ChannelProgress> channels;       // sorted: PT-1
    std::vector<PutRecord> puts;                 // sorted by (channel, seq): LC-2, PT-1, SY-2
    std::vector<RoundLink> links;                // sorted, unique: SY-1, SY-3, SY-4
    std::vector<RootError> roots;                // sorted, unique: NM-1, NM-4
    std::vector<ErrorArrival> arrivals;          // sorted, unique: NM-1
    std::vector<Handoff> handoffs;               // by creation: PT-2
    std::array<std::uint32_t, 3> faults_used{};  // by pcore::FaultKind
    friend bool operator==(const Ghost&, const Ghost&) = default;
};

// Canonical encodings (component ids through ByteWriter::comp, so a renaming reaches them).
void encode(pcore::ByteWriter& out, const SlotGhost& facts);
void encode(pcore::ByteWriter& out, const ChannelProgress& progress);
void encode(pcore::ByteWriter& out, const PutRecord& put);
void encode(pcore::ByteWriter& out, const RoundLink& link);
void encode(pcore::ByteWriter& out, const RootError& root);
void encode(pcore::ByteWriter& out, const ErrorArrival& arrival);
void encode(pcore::ByteWriter& out, const Handoff& handoff);

}  // namespace pmodel
