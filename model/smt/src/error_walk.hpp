// The errors a world holds, walked once for every encoding that reads them (error provenance,
// relay paths).
#pragma once

#include <utility>

#include "pcore/component.hpp"
#include "pmodel/world.hpp"

namespace psmt {

// Every error the world holds anywhere, by callback: outcomes, queued ends, ports' close
// records (and the ports inside data waiting there), a leader's last failure, parts held, and in
// flight ClosePort, DataMessageFailed, Decision, Submission, ports in Data, and a CancelRequest
// as the cancel the observers record when it arrives.
template <typename Fn>
class ErrorWalk {
  public:
    explicit ErrorWalk(Fn fn) : fn_(std::move(fn)) {}

    void error(const pcore::ErrorInfo& error) { fn_(error); }
    void data(const pcore::Data& data) {
        for (const pcore::TransferredPort& port : data.ports) {
            if (port.has_close_error) error(port.close_error);
            for (const pcore::Data& pending : port.pending) this->data(pending);
        }
    }
    void component(const pcore::ComponentState& state) {
        if (state.outcome.kind == pcore::OutcomeKind::failed ||
            state.outcome.kind == pcore::OutcomeKind::cancelled) {
            error(state.outcome.error);
        }
        for (const pcore::QueuedEnd& queued : state.shutdown.queued) error(queued.outcome.error);
        for (const pcore::Port& port : state.ports) {
            if (port.has_close_error) error(port.close_error);
            for (const pcore::Data& pending : port.pending) data(pending);
        }
        if (state.round.last_failed) error(state.round.last_error);
        for (const pcore::SolutionPart& part : state.round.combined) {
            if (part.failed) error(part.error);
        }
    }
    void message(const pcore::Message& message) {
        if (const auto* d = std::get_if<pcore::Data>(&message)) {
            data(*d);
        } else if (const auto* close = std::get_if<pcore::ClosePort>(&message)) {
            if (close->has_error) error(close->error);
        } else if (const auto* failed = std::get_if<pcore::DataMessageFailed>(&message)) {
            if (failed->has_error) error(failed->error);
        } else if (const auto* decision = std::get_if<pcore::Decision>(&message)) {
            if (!decision->solution) error(decision->error);
        } else if (const auto* submission = std::get_if<pcore::Submission>(&message)) {
            for (const pcore::SolutionPart& part : submission->parts) {
                if (part.failed) error(part.error);
            }
        } else if (const auto* cancel = std::get_if<pcore::CancelRequest>(&message)) {
            // The observers record it as this error when it arrives.
            error(pcore::ErrorInfo{
                pcore::builtin_error::cancelled, cancel->canceller, {}, cancel->layer});
        }
    }
    void world(const pmodel::World& world) {
        for (const pmodel::CompSlot& slot : world.comps()) component(slot.state);
        for (const pmodel::Link& link : world.links()) {
            for (const pcore::Message& message : link.queue) this->message(message);
        }
    }

  private:
    Fn fn_;
};

}  // namespace psmt
