// The observers' eyes: what the world sees of each step, recorded in the ghost record
// (pmodel/observed.hpp). Nothing here reads a flag, counter or list that the core consults to
// decide its next step; statements are read from the program at the component's pc, ends from
// its outcome, messages from the links. Upholds the record that rounds.cpp, errors.cpp,
// lifetime.cpp and progress.cpp judge.
#include <algorithm>

#include "pmodel/world.hpp"

namespace pmodel {

namespace {

const pcore::Instruction* instruction_at(const pcore::CompiledScenario& compiled,
                                         const pcore::ComponentState& state,
                                         std::uint32_t pc) {
    const pcore::Program& program = compiled.definitions[state.definition].program;
    return pc < program.code.size() ? &program.code[pc] : nullptr;
}

bool is_put(const pcore::Instruction* instruction) {
    return instruction != nullptr &&
           (instruction->op == pcore::Op::put_value || instruction->op == pcore::Op::put_ports);
}

}  // namespace

World::StepBefore World::observe_before(CompId comp,
                                        const pcore::Input& input,
                                        const Message* delivered) const {
    const pcore::ComponentState& state = comps_[comp.value()].state;
    StepBefore before;
    before.pc = state.pc;
    before.run = std::holds_alternative<pcore::RunInput>(input);
    // Which action a run is: the world's trace labels tell the handler step apart the same way.
    before.handler = before.run && !state.shutdown.queued.empty();
    before.running = state.outcome.kind == pcore::OutcomeKind::running;
    before.data_sent = data_sent_;
    if (std::holds_alternative<pcore::FaultInput>(input)) before.input = EndTrigger::external;
    if (const auto* receive = std::get_if<pcore::ReceiveInput>(&input)) {
        delivered = &receive->message;
        before.from = receive->from;
    }
    if (delivered != nullptr) {
        before.input = EndTrigger::other_message;
        if (std::holds_alternative<pcore::Decision>(*delivered)) {
            before.input = EndTrigger::decision;
        } else if (const auto* close = std::get_if<pcore::ClosePort>(delivered)) {
            before.input = EndTrigger::close_port;
            before.from = close->closer;
        } else if (const auto* cancel = std::get_if<pcore::CancelRequest>(delivered);
                   cancel != nullptr && cancel->layer != pcore::CancelLayer::round) {
            before.input = EndTrigger::external;
        }
    }
    return before;
}

// After a step of `comp`: a sync block entered, a vote, a round committed, an end, and a put
// statement that completed without sending its data (LC-2: nothing is dropped silently).
void World::observe_after(CompId comp, const StepBefore& before, ApplyResult& result) {
    const pcore::ComponentState& state = comps_[comp.value()].state;
    const pcore::Instruction* at = instruction_at(*scenario_->compiled, state, before.pc);
    const bool statement = before.run && !before.handler;
    const bool advanced = state.pc == before.pc + 1;
    const bool running = state.outcome.kind == pcore::OutcomeKind::running;
    if (at != nullptr && statement && at->op == pcore::Op::sync_begin) round_entered(comp);
    const bool open = comps_.ghost(comp.value()).last_round == RoundStatus::open;
    if (at != nullptr && at->op == pcore::Op::sync_end && open && before.running && running) {
        // Its vote: the sync_end statement ran (the decision may come in the same step).
        if (statement) comps_.ghost_at(comp.value()).submitted = true;
        if (advanced) {
            comps_.ghost_at(comp.value()).last_round = RoundStatus::committed;
            round_concluded(comp, result);
        }
    }
    if (open && before.running && !running) {
        comps_.ghost_at(comp.value()).last_round = RoundStatus::ended;
        round_concluded(comp, result);
    }
    if (is_put(at) && advanced && !before.handler && data_sent_ == before.data_sent && running) {
        violation("LC-2", {comp},
                  name_of(comp) + " completed `" +
                      scenario_->compiled->definitions[state.definition].program.labels[before.pc] +
                      "` but no data left it");
    }
}

void World::observe_fault(CompId comp, pcore::FaultKind kind) {
    ++edit_ghost().faults_used[static_cast<std::size_t>(kind)];
    // An injected cancel comes from the host, a signal from the OS: their arrivals (NM-1).
    if (kind == pcore::FaultKind::cancel) {
        record_arrival(
            comp, CompId(0),
            pcore::ErrorInfo{
                pcore::builtin_error::cancelled, CompId(0), {}, pcore::CancelLayer::component});
    } else if (kind == pcore::FaultKind::signal) {
        record_arrival(
            comp, CompId::none(),
            pcore::ErrorInfo{
                pcore::builtin_error::cancelled, CompId::none(), {}, pcore::CancelLayer::os});
    }
}

void World::on_effect(CompId source, const pcore::FactHandlerRun& /*effect*/, ApplyResult&) {
    SlotGhost& facts = comps_.ghost_at(source.value());
    if (facts.reports < 0xFF) ++facts.reports;
    if (facts.reports > 1) {
        violation("NM-5", {source},
                  name_of(source) + " ran its failure handler " + std::to_string(facts.reports) +
                      " times (the host got its report twice)");
    }
}

// PT-2, from the messages of the hand-off: the Blocks a spawn sent, the Acknowledges that came
// back, and the Schedule.
void World::observe_spawn(CompId creator, CompId created) {
    edit_ghost().handoffs.push_back(Handoff{creator, created, {}});
    spawned_ = created;
    // Closed ports handed to it bring their closer's error along (see observe_delivery).
    for (const pcore::Port& port : comps_[created.value()].state.ports) {
        if (port.closed && port.has_close_error) {
            record_arrival(created, port.peer_comp, port.close_error);
        }
    }
}

void World::observe_schedule(CompId creator, CompId created) {
    auto& handoffs = edit_ghost().handoffs;
    const auto found = std::find_if(handoffs.begin(), handoffs.end(), [&](const Handoff& handoff) {
        return handoff.creator == creator && handoff.created == created;
    });
    if (found == handoffs.end()) return;
    if (!found->awaiting.empty()) {
        violation("PT-2", {creator, created},
                  name_of(created) + " was scheduled while " +
                      std::to_string(found->awaiting.size()) +
                      " Acknowledge(s) of its hand-off had not reached " + name_of(creator));
    }
    handoffs.erase(found);
}

}  // namespace pmodel

namespace pmodel {

// A message taken from a link, before its receiver steps: errors that reached it (NM-1), puts
// reported failed (LC-2), Acknowledges of a spawn's Blocks (PT-2).
void World::observe_delivery(CompId to, CompId from, const Message& message) {
    if (const auto* data = std::get_if<pcore::Data>(&message)) {
        // Closed ports handed over inside data bring their closer's error along (transport,
        // not a relay): as if the closer's ClosePort had reached the new owner.
        for (const pcore::TransferredPort& port : data->ports) {
            if (port.closed && port.has_close_error) {
                record_arrival(to, port.peer_comp, port.close_error);
            }
        }
    } else if (const auto* ack = std::get_if<pcore::Acknowledge>(&message)) {
        if (ghost_->handoffs.empty()) return;
        for (Handoff& handoff : edit_ghost().handoffs) {
            if (handoff.creator != to) continue;
            std::erase(handoff.awaiting, ack->control_id);
        }
    } else if (const auto* close = std::get_if<pcore::ClosePort>(&message)) {
        if (close->has_error) record_arrival(to, close->closer, close->error);
    } else if (const auto* failed = std::get_if<pcore::DataMessageFailed>(&message)) {
        for (PutRecord& put : edit_ghost().puts) {
            if (put.channel == failed->channel && put.seq == failed->seq && put.sender == to &&
                put.status == PutStatus::outstanding) {
                put.status = PutStatus::failed;
            }
        }
        if (failed->has_error) record_arrival(to, from, failed->error);
    } else if (const auto* decision = std::get_if<pcore::Decision>(&message)) {
        if (!decision->solution) record_arrival(to, decision->leader, decision->error);
    } else if (const auto* submission = std::get_if<pcore::Submission>(&message)) {
        for (const pcore::SolutionPart& part : submission->parts) {
            // Authored by the hop that sent it on (it relays the failures it forwards).
            if (part.failed) record_arrival(to, from, part.error);
        }
    } else if (const auto* cancel = std::get_if<pcore::CancelRequest>(&message)) {
        record_arrival(to, cancel->canceller,
                       pcore::ErrorInfo{
                           pcore::builtin_error::cancelled, cancel->canceller, {}, cancel->layer});
    }
}

// A message leaving `source`: a put of its own (Data it authored, not Data it forwards), and a
// Block of the hand-off it started in this step.
void World::observe_send(CompId source, const Message& message) {
    if (const auto* data = std::get_if<pcore::Data>(&message)) {
        if (data->header.sender != source) return;  // forwarded for a moved port
        ++data_sent_;
        SlotGhost& facts = comps_.ghost_at(source.value());
        PutRecord put;
        put.channel = data->channel;
        put.seq = data->seq;
        put.sender = source;
        put.sender_round = facts.rounds == 0 ? 0 : facts.rounds - 1;
        put.value = data->value;
        put.order = facts.puts_in_round++;
        auto& puts = edit_ghost().puts;
        const auto at =
            std::lower_bound(puts.begin(), puts.end(), put, [](const auto& a, const auto& b) {
                return std::tie(a.channel, a.seq) < std::tie(b.channel, b.seq);
            });
        puts.insert(at, put);
    } else if (const auto* block = std::get_if<pcore::PeerChangeBlockPort>(&message)) {
        if (!spawned_.valid() || block->requester != source) return;
        for (Handoff& handoff : edit_ghost().handoffs) {
            if (handoff.creator == source && handoff.created == spawned_) {
                handoff.awaiting.push_back(block->control_id);
            }
        }
    }
}

namespace {

ObservedCause classify(const pcore::ErrorInfo& error, CompId self) {
    if (error.type == pcore::builtin_error::cancelled) {
        return error.origin == self ? ObservedCause::own_cancel : ObservedCause::foreign_cancel;
    }
    return error.origin == self ? ObservedCause::local : ObservedCause::remote;
}

// SY-5: whether the acceptor of `put` already took a later put of the same sender and round.
bool accepted_a_later_put(const std::vector<PutRecord>& puts, const PutRecord& put) {
    return std::any_of(puts.begin(), puts.end(), [&](const PutRecord& other) {
        return other.sender == put.sender && other.sender_round == put.sender_round &&
               other.status == PutStatus::accepted && other.acceptor == put.acceptor &&
               other.order > put.order;
    });
}

}  // namespace

ObservedCause observed_class(const pcore::Outcome& outcome, CompId self) {
    if (outcome.kind == pcore::OutcomeKind::completed ||
        outcome.kind == pcore::OutcomeKind::running) {
        return ObservedCause::result;
    }
    return classify(outcome.error, self);
}

// A cause of its end reached `source`: ranked here (NM-2, NM-3), a root error if its own
// (NM-1, NM-4), and the first one says how its end was triggered (SY-1, SY-3, SY-4).
void World::on_effect(CompId source, const pcore::FactCause& effect, ApplyResult& /*result*/) {
    const ObservedCause cause = classify(effect.error, source);
    SlotGhost& facts = comps_.ghost_at(source.value());
    if (!facts.has_cause && stepping_ != nullptr) {
        facts.trigger = stepping_->input;
        facts.trigger_from = stepping_->from;
        facts.trigger_after_submit = facts.submitted && facts.last_round == RoundStatus::open;
    }
    if (!facts.has_cause || cause > facts.strongest) facts.strongest = cause;
    facts.has_cause = true;
    if (cause == ObservedCause::local) {
        auto& roots = edit_ghost().roots;
        const RootError root{source, effect.error.type};
        const auto at = std::lower_bound(roots.begin(), roots.end(), root);
        if (at == roots.end() || *at != root) roots.insert(at, root);
    }
}

// A put's data taken by a get: PT-1 (what was sent, once, in order) and the link between the
// putter's round and the getter's (SY-1, SY-3, SY-4).
void World::on_effect(CompId source, const pcore::FactAccepted& effect, ApplyResult& result) {
    auto& puts = edit_ghost().puts;
    const auto put = std::find_if(puts.begin(), puts.end(), [&](const PutRecord& record) {
        return record.channel == effect.channel && record.seq == effect.seq;
    });
    const std::string channel_text =
        std::to_string(effect.channel.creator) + "." + std::to_string(effect.channel.serial);
    if (put == puts.end() || put->status == PutStatus::accepted) {
        violation("PT-1", {source},
                  name_of(source) + " accepted put #" + std::to_string(effect.seq) +
                      " of channel " + channel_text +
                      (put == puts.end() ? ", which was never sent or was taken before"
                                         : " a second time"));
        return;
    }
    if (put->value != effect.value) {
        violation("PT-1", {source, put->sender},
                  name_of(source) + " accepted value " + std::to_string(effect.value) +
                      " for put #" + std::to_string(effect.seq) + " of channel " + channel_text +
                      ", which carried " + std::to_string(put->value));
    }
    auto& channels = edit_ghost().channels;
    auto at = std::lower_bound(
        channels.begin(), channels.end(), effect.channel,
        [](const ChannelProgress& progress, ChannelId id) { return progress.channel < id; });
    if (at == channels.end() || at->channel != effect.channel) {
        at = channels.insert(at, ChannelProgress{effect.channel, 0});
    }
    if (effect.seq != at->next_accept) {
        violation("PT-1", {source},
                  name_of(source) + " accepted put #" + std::to_string(effect.seq) +
                      " of channel " + channel_text + " while #" + std::to_string(at->next_accept) +
                      " was next");
    }
    at->next_accept = std::max(at->next_accept, effect.seq + 1);
    put->status = PutStatus::accepted;
    put->acceptor = source;
    put->overtaken = accepted_a_later_put(ghost_->puts, *put);
    const PutRecord accepted = *put;
    const SlotGhost& sender = comps_.ghost(accepted.sender.value());
    result.round_ghost.push_back(accepted.sender);
    // Its round over already: nothing is left to judge of this put (SY-2 judged it then).
    if (accepted.sender_round + 1 < sender.rounds || sender.last_round != RoundStatus::open) {
        puts.erase(put);
    }
    const SlotGhost& getter = comps_.ghost(source.value());
    if (accepted.sender == source || getter.rounds == 0) return;
    RoundLink link{accepted.sender, accepted.sender_round, source, getter.rounds - 1};
    auto& links = edit_ghost().links;
    const auto where = std::lower_bound(links.begin(), links.end(), link);
    if (where == links.end() || *where != link) links.insert(where, link);
}

}  // namespace pmodel
