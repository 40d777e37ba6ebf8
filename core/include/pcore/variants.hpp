// Design variants (contract §8). The first enumerator of each is the default.
//
// A variant is a design choice that the seeds leave open or that reproduces a known bug; the
// core reads them, so one transition system serves every design.
#pragma once

#include <cstdint>

namespace pcore {

enum class ClosePortInfo : std::uint8_t { round_number, in_sync_flag, none };
enum class OnOff : std::uint8_t { on, off };
enum class ErrorRelay : std::uint8_t { forward, none };
enum class ShutdownGuard : std::uint8_t { atomic_flag, lock, none };
enum class CancelPrecedence : std::uint8_t { error_first, cancel_overrides };
enum class NetworkOrder : std::uint8_t { fifo_pair, fifo_channel, unordered };
enum class Timeouts : std::uint8_t { off, on };
enum class RoundCancelAfterVote : std::uint8_t { at_decision, immediate };
// Seed 004 "Annotating Data Messages": option 3 (the seed's choice: a get that would overtake
// an earlier put of the same sender fails with OutOfOrder) or option 2 (channels are
// independent: no ordering between them is checked).
enum class Ordering : std::uint8_t { on_arrival, none };

struct Variants {
    ClosePortInfo close_port_info = ClosePortInfo::round_number;
    OnOff data_message_failed = OnOff::on;
    OnOff leader_holds_refs = OnOff::on;
    OnOff transfer_blocks_peer = OnOff::on;
    ErrorRelay error_relay = ErrorRelay::forward;
    ShutdownGuard shutdown_guard = ShutdownGuard::atomic_flag;
    CancelPrecedence cancel_precedence = CancelPrecedence::error_first;
    NetworkOrder network = NetworkOrder::fifo_pair;
    Timeouts timeouts = Timeouts::off;
    RoundCancelAfterVote round_cancel_after_vote = RoundCancelAfterVote::at_decision;
    Ordering ordering = Ordering::on_arrival;
    friend bool operator==(const Variants&, const Variants&) = default;
};

}  // namespace pcore
