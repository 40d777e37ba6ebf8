#include "pmodel/world.hpp"

#include <algorithm>
#include <cassert>
#include <deque>
#include <sstream>
#include <utility>

#include "pmodel/world_parts.hpp"

namespace pmodel {

using pcore::Mode;
using pcore::OutcomeKind;

namespace {

std::uint64_t link_key(CompId from, CompId to) {
    return (static_cast<std::uint64_t>(from.value()) << 32) | to.value();
}

// Monitor sets are sorted vectors: equal sets encode equally, whatever order they grew in.
template <typename T>
void insert_sorted_unique(std::vector<T>& set, T value) {
    auto at = std::lower_bound(set.begin(), set.end(), value);
    if (at == set.end() || value < *at) set.insert(at, std::move(value));
}

// Messages that must stay in order among themselves under network=fifo_channel: data per
// channel; every control or sync message of the pair in one stream.
ChannelId ordering_key(const Message& message) {
    if (const auto* data = std::get_if<pcore::Data>(&message)) return data->channel;
    return ChannelId{0xFFFFFFFFu, 0xFFFFFFFFu};
}

}  // namespace

const char* fault_name(pcore::FaultKind kind) {
    switch (kind) {
        case pcore::FaultKind::crash:
            return "crash";
        case pcore::FaultKind::cancel:
            return "cancel";
        case pcore::FaultKind::signal:
            return "signal";
    }
    return "?";
}

World::World(std::shared_ptr<const Scenario> scenario, pcore::Variants variants, FaultBudget faults)
    : scenario_(std::move(scenario)), variants_(variants), faults_(faults) {
    CompSlot host;
    host.state = pcore::make_host(*scenario_->compiled);
    host.name = "main";
    comps_.push_back(std::move(host));
}

std::string World::name_of(CompId comp) const {
    if (!comp.valid()) return "none";
    if (comp.value() < comps_.size()) return comps_[comp.value()].name;
    return pcore::unnamed_component(comp);
}

CompId World::find_by_name(const std::string& name) const {
    for (std::uint32_t index = 0; index < comps_.size(); ++index) {
        if (comps_[index].name == name) return CompId(index);
    }
    return CompId::none();
}

bool World::fault_injected() const {
    return ghost_->faults_used[0] + ghost_->faults_used[1] + ghost_->faults_used[2] > 0;
}

// A fault hits a live component that handles input (not one still waiting for its creator);
// the host cancels components, not itself.
bool World::fault_target(CompId comp, pcore::FaultKind kind) const {
    const CompSlot& slot = comps_[comp.value()];
    if (freed(comp) || slot.state.outcome.kind != OutcomeKind::running) return false;
    if (!pcore::receptive(slot.state) || !slot.state.shutdown.queued.empty()) return false;
    if (kind == pcore::FaultKind::cancel && comp == CompId(0)) return false;
    return ghost_->faults_used[static_cast<std::size_t>(kind)] < faults_.of(kind);
}

// timeouts=on: a live component blocked on a peer may give up.
bool World::timeout_target(CompId comp) const {
    const CompSlot& slot = comps_[comp.value()];
    if (freed(comp) || slot.state.outcome.kind != OutcomeKind::running) return false;
    if (!pcore::receptive(slot.state) || runnable(comp)) return false;
    return !pcore::waits_for(slot.state, *scenario_->compiled).comps.empty();
}

void World::enabled_faults(std::vector<Action>& out) const {
    if (!faults_.any()) return;
    for (std::uint32_t kind = 0; kind < 3; ++kind) {
        for (std::uint32_t index = 0; index < comps_.size(); ++index) {
            if (fault_target(CompId(index), static_cast<pcore::FaultKind>(kind))) {
                out.push_back(Action{ActionKind::fault, CompId(index), {}, {}, kind});
            }
        }
    }
}

bool World::runnable(CompId comp) const {
    return !freed(comp) && pcore::runnable(comps_[comp.value()].state, *scenario_->compiled);
}

namespace {

std::vector<Link>::const_iterator link_position(const std::vector<Link>& links,
                                                CompId from,
                                                CompId to) {
    const std::uint64_t key = link_key(from, to);
    return std::lower_bound(links.begin(), links.end(), key, [](const Link& link, std::uint64_t k) {
        return link_key(link.from, link.to) < k;
    });
}

}  // namespace

const Link* World::link(CompId from, CompId to) const {
    const auto at = link_position(links_, from, to);
    return at != links_.end() && at->from == from && at->to == to ? &*at : nullptr;
}

Link& World::link_for(CompId from, CompId to) {
    const auto at = link_position(links_, from, to);
    const auto index = static_cast<std::size_t>(at - links_.cbegin());
    if (at == links_.end() || at->from != from || at->to != to) {
        links_.insert(links_.begin() + static_cast<std::ptrdiff_t>(index), Link{from, to, {}});
    }
    links_[index].queue_hash = 0;
    return links_[index];
}

bool operator==(const World& a, const World& b) {
    return a.comps_ == b.comps_ && *a.ghost_ == *b.ghost_ && a.links_ == b.links_;
}

void World::enabled_actions(std::vector<Action>& out) const {
    out.clear();
    for (std::uint32_t index = 0; index < comps_.size(); ++index) {
        if (runnable(CompId(index)))
            out.push_back(Action{ActionKind::run, CompId(index), {}, {}, 0});
    }
    for (const Link& link : links_) {
        if (!deliverable(link)) continue;
        switch (variants_.network) {
            case pcore::NetworkOrder::fifo_pair:
                out.push_back(Action{ActionKind::deliver, {}, link.from, link.to, 0});
                break;
            case pcore::NetworkOrder::unordered:
                for (std::uint32_t position = 0; position < link.queue.size(); ++position) {
                    out.push_back(Action{ActionKind::deliver, {}, link.from, link.to, position});
                }
                break;
            case pcore::NetworkOrder::fifo_channel: {
                std::vector<ChannelId> seen;
                for (std::uint32_t position = 0; position < link.queue.size(); ++position) {
                    const ChannelId key = ordering_key(link.queue[position]);
                    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
                    seen.push_back(key);
                    out.push_back(Action{ActionKind::deliver, {}, link.from, link.to, position});
                }
                break;
            }
        }
    }
    const bool quiescent = out.empty();
    enabled_faults(out);
    if (variants_.timeouts == pcore::Timeouts::on && quiescent) {
        for (std::uint32_t index = 0; index < comps_.size(); ++index) {
            if (timeout_target(CompId(index))) {
                out.push_back(Action{ActionKind::timeout, CompId(index), {}, {}, 0});
            }
        }
    }
    if (scenario_->host_priority) keep_host_actions(out);
}

bool World::deliverable(const Link& link) const {
    // Every network variant delivers some message of a non-empty link to a receptive receiver.
    return !link.queue.empty() && pcore::receptive(comps_[link.to.value()].state);
}

bool World::is_step(const Action& action) {
    return action.kind == ActionKind::run || action.kind == ActionKind::deliver;
}

bool World::host_step(const Action& action) {
    const CompId host(0);
    switch (action.kind) {
        case ActionKind::run:
            return action.comp == host;
        case ActionKind::deliver:
            return action.from == host || action.to == host;
        default:
            return false;
    }
}

bool World::host_can_step() const {
    if (runnable(CompId(0))) return true;
    for (const Link& link : links_) {
        if ((link.from == CompId(0) || link.to == CompId(0)) && deliverable(link)) return true;
    }
    return false;
}

void World::keep_host_actions(std::vector<Action>& out) {
    // Faults (the environment's) and timeouts (only at quiescence) are left as they are.
    if (std::any_of(out.begin(), out.end(), host_step)) {
        std::erase_if(out,
                      [](const Action& action) { return is_step(action) && !host_step(action); });
    }
}

bool World::enabled(const Action& action) const {
    if (scenario_->host_priority && is_step(action) && !host_step(action) && host_can_step()) {
        return false;  // keep_host_actions drops it
    }
    if (action.kind == ActionKind::run) {
        return action.comp.valid() && action.comp.value() < comps_.size() && runnable(action.comp);
    }
    if (action.kind == ActionKind::fault) {
        return action.comp.valid() && action.comp.value() < comps_.size() && action.index < 3 &&
               fault_target(action.comp, static_cast<pcore::FaultKind>(action.index));
    }
    if (action.kind == ActionKind::timeout) {
        if (variants_.timeouts != pcore::Timeouts::on || !action.comp.valid() ||
            action.comp.value() >= comps_.size() || !timeout_target(action.comp)) {
            return false;
        }
        std::vector<Action> all;
        enabled_actions(all);
        return std::find(all.begin(), all.end(), action) != all.end();
    }
    if (!action.from.valid() || !action.to.valid() || action.to.value() >= comps_.size()) {
        return false;
    }
    const Link* found = link(action.from, action.to);
    if (found == nullptr || action.index >= found->queue.size()) return false;
    if (!pcore::receptive(comps_[action.to.value()].state)) return false;
    if (action.index == 0) return true;
    switch (variants_.network) {
        case pcore::NetworkOrder::fifo_pair:
            return false;
        case pcore::NetworkOrder::unordered:
            return true;
        case pcore::NetworkOrder::fifo_channel: {
            const ChannelId key = ordering_key(found->queue[action.index]);
            for (std::uint32_t position = 0; position < action.index; ++position) {
                if (ordering_key(found->queue[position]) == key) return false;
            }
            return true;
        }
    }
    return false;
}

void World::violation(std::string property, std::vector<CompId> comps, std::string detail) {
    violations_.push_back(Violation{std::move(property), std::move(comps), std::move(detail)});
}

ApplyResult World::apply(const Action& action) {
    ApplyResult result;
    apply(action, result);
    return result;
}

void World::apply(const Action& action, ApplyResult& result) {
    assert(enabled(action));
    result.touched.clear();
    result.sent.clear();
    result.reached.clear();
    result.round_ghost.clear();
    data_sent_ = 0;
    spawned_ = CompId::none();
    if (action.kind == ActionKind::run) {
        step_component(action.comp, pcore::RunInput{}, result);
    } else if (action.kind == ActionKind::fault) {
        observe_fault(action.comp, static_cast<pcore::FaultKind>(action.index));
        step_component(action.comp, pcore::FaultInput{static_cast<pcore::FaultKind>(action.index)},
                       result);
    } else if (action.kind == ActionKind::timeout) {
        step_component(action.comp, pcore::TimeoutInput{}, result);
    } else if (DeliveredFrom origin;
               cache_ != nullptr &&
               cache_->take(*this, action.from, action.to, action.index, origin) != nullptr) {
        // The cache took the message from its own queue: no copy unless the step is new.
        observe_delivery(action.to, action.from, (*origin.queue)[origin.position]);
        ++delivered_;
        step_delivered(action.to, action.from, origin, result);
    } else {
        Link& source = link_for(action.from, action.to);
        Message message = source.queue.take(action.index);
        observe_delivery(action.to, action.from, message);
        // Only links with messages are kept: a frontier state holds no empty ones.
        if (source.queue.empty()) links_.erase(links_.begin() + (&source - links_.data()));
        ++delivered_;
        step_component(action.to, pcore::ReceiveInput{action.from, std::move(message)}, result);
    }
    // Free what lost its last reference in this step (LC-3: exactly when the count is 0).
    for (std::size_t index = 0; index < result.touched.size(); ++index) {
        free_if_unreferenced(result.touched[index], result);
    }
}

namespace {

// Steps nest (an immediate send steps the receiver), so each level has its own effect list; the
// lists are kept per thread so that a step does not allocate them anew.
class EffectFrame {
  public:
    EffectFrame() {
        if (lists_.size() <= nesting_) lists_.resize(nesting_ + 1);
        effects_ = &lists_[nesting_];
        effects_->clear();
        ++nesting_;
    }
    EffectFrame(const EffectFrame&) = delete;
    EffectFrame& operator=(const EffectFrame&) = delete;
    ~EffectFrame() { --nesting_; }
    [[nodiscard]] pcore::Effects& effects() const { return *effects_; }

  private:
    static thread_local std::deque<pcore::Effects> lists_;  // deque: references stay valid
    static thread_local std::size_t nesting_;
    pcore::Effects* effects_ = nullptr;
};
thread_local std::deque<pcore::Effects> EffectFrame::lists_;
thread_local std::size_t EffectFrame::nesting_ = 0;

}  // namespace

// Observed: the observers see the component before and after each step, whichever way the
// step is computed (model/src/properties/observe.cpp).
void World::step_component(CompId comp, const pcore::Input& input, ApplyResult& result) {
    const StepBefore before = observe_before(comp, input, nullptr);
    const StepBefore* outer = std::exchange(stepping_, &before);
    advance_component(comp, input, result);
    stepping_ = outer;
    observe_after(comp, before, result);
}

void World::advance_component(CompId comp, const pcore::Input& input, ApplyResult& result) {
    if (cache_ != nullptr) {
        if (const KnownStep* known = cache_->recall(*this, comp, &input, CompId(), {})) {
            take_known_step(comp, *known, result);
            return;
        }
    }
    compute_step(comp, input, result);
}

void World::take_known_step(CompId comp, const KnownStep& known, ApplyResult& result) {
    comps_.replace(comp.value(), known.slot, known.slot_hash);
    result.touched.push_back(comp);
    apply_known_effects(comp, known, result);
}

void World::compute_step(CompId comp, const pcore::Input& input, ApplyResult& result) {
    const EffectFrame frame;
    pcore::Effects& effects = frame.effects();
    pcore::step_in_place(slot_for_update(comp).state, step_context(), input, effects);
    if (cache_ != nullptr) cache_->remember(*this, comp, effects);
    result.touched.push_back(comp);
    apply_effects(comp, effects, result);
}

void World::step_delivered(CompId to,
                           CompId from,
                           const DeliveredFrom& origin,
                           ApplyResult& result) {
    const Message& message = (*origin.queue)[origin.position];  // the cache keeps it
    const StepBefore before = observe_before(to, pcore::RunInput{}, &message);
    StepBefore received = before;
    received.run = false;
    received.handler = false;
    received.from = before.input == EndTrigger::close_port ? before.from : from;
    const StepBefore* outer = std::exchange(stepping_, &received);
    if (const KnownStep* known = cache_->recall(*this, to, nullptr, from, origin)) {
        take_known_step(to, *known, result);
    } else {
        compute_step(to, pcore::ReceiveInput{from, message}, result);
    }
    stepping_ = outer;
    observe_after(to, received, result);
}

pcore::StepContext World::step_context() const {
    return pcore::StepContext{scenario_->compiled.get(), &variants_,
                              CompId(static_cast<std::uint32_t>(comps_.size()))};
}

void World::release_carried(const Message& message, ApplyResult& result) {
    pcore::for_each_carried_handle(message, [&](CompId held) {
        if (--comps_.refcount_at(held.value()) < 0) {
            violation("LC-3", {held}, "reference count of " + name_of(held) + " went negative");
        }
        result.touched.push_back(held);
        result.reached.push_back(held);
    });
}

void World::apply_effects(CompId source, pcore::Effects& effects, ApplyResult& result) {
    for (pcore::Effect& effect : effects) {
        std::visit([&](auto& concrete) { on_effect(source, concrete, result); }, effect);
    }
}

void World::apply_known_effects(CompId source, const KnownStep& known, ApplyResult& result) {
    // The known step's effects stay in the cache: messages are named by their address there,
    // not copied.
    for (std::size_t at = 0; at < known.effects.size(); ++at) {
        const pcore::Effect& effect = known.effects[at];
        if (const auto* send = std::get_if<pcore::Send>(&effect)) {
            send_known(source, *send, known.message_hashes[at], result);
            continue;
        }
        std::visit([&](const auto& concrete) { on_effect(source, concrete, result); }, effect);
    }
}

void World::send_known(CompId source,
                       const pcore::Send& effect,
                       std::uint64_t message_hash,
                       ApplyResult& result) {
    if (freed(effect.to) ||
        !cache_->append(*this, source, effect.to, effect.message, message_hash)) {
        on_effect(source, effect, result);  // the plain way (a violation, or a queue being edited)
        return;
    }
    result.reached.push_back(effect.to);
    observe_send(source, effect.message);
    result.sent.emplace_back(source, effect.to);
}

void World::on_effect(CompId source, pcore::Send& effect, ApplyResult& result) {
    result.reached.push_back(effect.to);
    if (freed(effect.to)) {
        violation("LC-1", {source, effect.to},
                  name_of(source) + " sent " + pcore::message_name(effect.message) + " to " +
                      name_of(effect.to) + ", which was already freed");
        release_carried(effect.message, result);
        return;
    }
    observe_send(source, effect.message);
    link_for(source, effect.to).queue.push_back(std::move(effect.message));
    result.sent.emplace_back(source, effect.to);
}

void World::on_effect(CompId source, const pcore::Send& effect, ApplyResult& result) {
    pcore::Send copy = effect;
    on_effect(source, copy, result);
}

void World::on_effect(CompId source, pcore::SendImmediate& effect, ApplyResult& result) {
    result.reached.push_back(effect.to);
    observe_delivery(effect.to, source, effect.message);
    step_component(effect.to, pcore::ReceiveInput{source, std::move(effect.message)}, result);
}

void World::on_effect(CompId source, const pcore::SendImmediate& effect, ApplyResult& result) {
    result.reached.push_back(effect.to);
    observe_delivery(effect.to, source, effect.message);
    step_component(effect.to, pcore::ReceiveInput{source, effect.message}, result);
}

void World::on_effect(CompId source, const pcore::SpawnComponent& effect, ApplyResult& result) {
    pcore::SpawnComponent copy = effect;
    on_effect(source, copy, result);
}

void World::on_effect(CompId source, pcore::SpawnComponent& effect, ApplyResult& result) {
    assert(effect.state.self.value() == comps_.size());
    const std::string& base = scenario_->compiled->names[effect.name];
    // Instances of one spawn name are numbered: worker, worker#2, ...
    const std::uint32_t same = instances_named(base);
    CompSlot created;
    created.state = std::move(effect.state);
    created.name = base;
    if (same > 0) created.name.append("#").append(std::to_string(same + 1));
    comps_.push_back(std::move(created));
    const CompId fresh(static_cast<std::uint32_t>(comps_.size() - 1));
    observe_spawn(source, fresh);
    result.touched.push_back(fresh);
}

void World::on_effect(CompId source, const pcore::ScheduleComponent& effect, ApplyResult& result) {
    observe_schedule(source, effect.comp);
    ComponentState& created = slot_for_update(effect.comp).state;
    if (created.mode == Mode::waiting_for_creator) created.mode = Mode::running;
    result.touched.push_back(effect.comp);
}

void World::on_effect(CompId source, const pcore::RefInc& effect, ApplyResult& result) {
    result.reached.push_back(effect.comp);
    if (freed(effect.comp)) {
        violation("LC-1", {source, effect.comp},
                  name_of(source) + " took a reference to " + name_of(effect.comp) +
                      ", which was already freed");
        return;
    }
    ++comps_.refcount_at(effect.comp.value());
}

void World::on_effect(CompId /*source*/, const pcore::RefDec& effect, ApplyResult& result) {
    result.reached.push_back(effect.comp);
    if (--comps_.refcount_at(effect.comp.value()) < 0) {
        violation("LC-3", {effect.comp},
                  "reference count of " + name_of(effect.comp) + " went negative");
    }
    result.touched.push_back(effect.comp);
}

void World::on_effect(CompId source, const pcore::RequestCancel& effect, ApplyResult& result) {
    // Addressed by name through the runtime's registry: the first instance of that name.
    // Nothing happens if it does not exist yet or is gone.
    const CompId target = find_by_name(scenario_->compiled->names[effect.name]);
    if (target.valid()) result.reached.push_back(target);
    if (!target.valid() || freed(target)) return;
    link_for(source, target).queue.push_back(pcore::CancelRequest{source, effect.layer});
    result.sent.emplace_back(source, target);
}

void World::free_if_unreferenced(CompId comp, ApplyResult& result) {
    // Read first: a slot is only cloned (copy on write) when it really changes.
    if (freed(comp) || refcount(comp) > 0) return;
    comps_.set_freed(comp.value(), true);
    const CompSlot& slot = comps_[comp.value()];
    if (slot.state.mode != Mode::exited) {
        violation(
            "LC-3", {comp},
            name_of(comp) + " lost its last reference while " + pcore::mode_name(slot.state.mode));
    } else if (!slot.state.peers.empty()) {
        violation("LC-3", {comp, slot.state.peers.front().comp},
                  name_of(comp) + " was freed while still holding a reference to " +
                      name_of(slot.state.peers.front().comp));
    }
    check_in_flight_at_free(comp);
    // Its inbox goes with it (their carried handles are released).
    std::vector<Message> dropped;
    for (Link& link : links_) {
        if (link.to != comp) continue;
        for (const Message& message : link.queue) dropped.push_back(message);
        link.queue.clear();
    }
    std::erase_if(links_, [](const Link& link) { return link.queue.empty(); });
    for (const Message& message : dropped) release_carried(message, result);
}

// LC-2 first (a lost message is the root of the hang it leaves), then DF-1, DF-2, DF-3
// (progress), NM-1..NM-5 and EXPECT. Code: model/src/properties/.
std::vector<AppDeadlock> World::check_terminal() {
    check_conservation();
    std::vector<AppDeadlock> deadlocks = check_progress();
    check_errors();
    if (!fault_injected()) check_expectations();
    return deadlocks;
}

void World::check_expectations() {
    // EXPECT.
    for (const Expectation& expectation : scenario_->expect) {
        if (expectation.any) continue;
        const CompId comp = find_by_name(expectation.name);
        if (!comp.valid()) {
            violation("EXPECT", {}, "expected component " + expectation.name + " never existed");
            continue;
        }
        const std::string problem =
            expectation_problem(expectation, comps_[comp.value()].state.outcome);
        if (!problem.empty()) violation("EXPECT", {comp}, problem);
    }
}

// What an ended component's outcome says against its expect entry; empty when it matches. Built
// with appends: this runs on every terminal state of every run (no stream, no locale).
std::string World::expectation_problem(const Expectation& expectation,
                                       const pcore::Outcome& outcome) const {
    const pcore::CompiledScenario& compiled = *scenario_->compiled;
    std::string problem;
    auto say = [&problem](std::initializer_list<std::string_view> parts) {
        for (std::string_view part : parts) problem.append(part);
    };
    if (outcome.kind != expectation.outcome) {
        say({expectation.name, " ended ", pcore::outcome_name(outcome.kind), ", expected ",
             pcore::outcome_name(expectation.outcome)});
    } else if (expectation.error && compiled.error_name(outcome.error.type) != *expectation.error) {
        say({expectation.name, " failed with ", compiled.error_name(outcome.error.type),
             ", expected ", *expectation.error});
    } else if (expectation.origin && name_of(outcome.error.origin) != *expectation.origin) {
        say({expectation.name, "'s error came from ", name_of(outcome.error.origin), ", expected ",
             *expectation.origin});
    } else if (expectation.relay) {
        std::vector<std::string> relay;
        for (CompId hop : outcome.error.relay) relay.push_back(name_of(hop));
        if (relay != *expectation.relay) {
            say({expectation.name, "'s error relay path differs from the expected one"});
        }
    }
    if (!problem.empty() || outcome.kind != OutcomeKind::cancelled) return problem;
    const std::string canceller =
        outcome.error.origin.valid() ? name_of(outcome.error.origin) : pcore::os_canceller_name;
    const std::string layer = pcore::layer_name(outcome.error.layer);
    if (expectation.canceller && canceller != *expectation.canceller) {
        say({expectation.name, " was cancelled by ", canceller, ", expected ",
             *expectation.canceller});
    } else if (expectation.layer && layer != *expectation.layer) {
        say({expectation.name, " was cancelled at layer ", layer, ", expected ",
             *expectation.layer});
    }
    return problem;
}

namespace {

// One encoding for queued messages, wherever they are held: a queue the store keeps hashes as a
// MessageQueue with the same messages does.
template <typename Messages>
void encode_messages(pcore::ByteWriter& out, const Messages& messages) {
    out.u32(static_cast<std::uint32_t>(messages.size()));
    for (const Message& message : messages) pcore::encode(out, message);
}

}  // namespace

void encode(pcore::ByteWriter& out, const MessageQueue& queue) {
    encode_messages(out, queue);
}

// The same encoding, of messages that are not (yet) in a MessageQueue.
void encode(pcore::ByteWriter& out, const std::vector<Message>& messages) {
    encode_messages(out, messages);
}

namespace {

void encode_slot(pcore::ByteWriter& out, const CompSlot& slot) {
    out.text(slot.name);
    pcore::encode(out, slot.state);
}

}  // namespace

std::uint64_t World::queue_hash(const Link& link) const {
    if (link.queue_hash == 0) {
        link.queue_hash = hash_encoding([&](pcore::ByteWriter& out) { encode(out, link.queue); });
    }
    return link.queue_hash;
}

std::uint64_t World::ghost_hash() const {
    if (ghost_hash_ == 0) {
        ghost_hash_ = hash_encoding([&](pcore::ByteWriter& out) {
            auto encode_all = [&](const auto& entries) {
                out.u32(static_cast<std::uint32_t>(entries.size()));
                for (const auto& entry : entries) encode(out, entry);
            };
            encode_all(ghost_->channels);
            encode_all(ghost_->puts);
            encode_all(ghost_->links);
            encode_all(ghost_->roots);
            encode_all(ghost_->arrivals);
            encode_all(ghost_->handoffs);
            for (std::uint32_t used : ghost_->faults_used) out.u32(used);
        });
    }
    return ghost_hash_;
}

std::uint64_t World::slot_hash(std::size_t index) const {
    std::uint64_t hash = comps_.cached_slot_hash(index);
    if (hash == 0) {
        hash = hash_encoding([&](pcore::ByteWriter& out) { encode_slot(out, comps_[index]); });
        comps_.cache_slot_hash(index, hash);
    }
    return hash;
}

std::uint64_t hash_slot(const CompSlot& slot) {
    return hash_encoding([&](pcore::ByteWriter& out) { encode_slot(out, slot); });
}

std::uint64_t World::entry_hash_with(std::size_t index, std::uint64_t slot) const {
    return hash_encoding([&](pcore::ByteWriter& out) {
        out.u64(slot);
        out.u32(static_cast<std::uint32_t>(comps_.refcount(index)));
        out.boolean(comps_.freed(index));
        encode(out, comps_.ghost(index));
    });
}

std::uint64_t World::entry_hash(std::size_t index) const {
    std::uint64_t entry = comps_.cached_entry_hash(index);
    if (entry == 0) {
        const std::uint64_t slot = slot_hash(index);  // first: hash_encoding is not reentrant
        entry = entry_hash_with(index, slot);
        comps_.cache_entry_hash(index, entry);
    }
    return entry;
}

std::uint64_t World::fingerprint() const {
    // Each component's encoding is hashed once and cached until the component changes (a step
    // touches one to three of them), so a successor state costs the hash of what it changed.
    // The fingerprint hashes the component hashes with the links and monitors.
    thread_local pcore::ByteWriter out;
    out.clear();
    out.u32(static_cast<std::uint32_t>(comps_.size()));
    for (std::size_t index = 0; index < comps_.size(); ++index) out.u64(entry_hash(index));
    // Links (only those with messages are kept) and monitors, by their cached hashes too.
    out.u32(static_cast<std::uint32_t>(links_.size()));
    for (const Link& link : links_) {
        out.u32(link.from.value());
        out.u32(link.to.value());
        out.u64(queue_hash(link));
    }
    out.u64(ghost_hash());
    return pcore::hash_bytes(out.data(), out.size());
}

Ghost& World::edit_ghost() {
    ghost_hash_ = 0;
    return ghost_.edit();
}

std::uint32_t World::instances_named(const std::string& base) const {
    std::uint32_t count = 0;
    for (const CompSlot& slot : comps_) {
        const std::string& name = slot.name;
        if (name.size() >= base.size() && name.compare(0, base.size(), base) == 0 &&
            (name.size() == base.size() || name[base.size()] == '#')) {
            ++count;
        }
    }
    return count;
}

CompSlot& World::slot_for_update(CompId comp) {
    return comps_.mutable_at(comp.value());
}

std::string World::describe(const Action& action) const {
    std::ostringstream text;
    if (action.kind == ActionKind::run) {
        const CompSlot& slot = comps_[action.comp.value()];
        const pcore::Program& program =
            scenario_->compiled->definitions[slot.state.definition].program;
        text << "run " << slot.name;
        if (!slot.state.shutdown.queued.empty()) {
            text << ": failure handler";
        } else if (slot.state.pc < program.code.size()) {
            text << ": " << program.labels[slot.state.pc];
        } else {
            text << " (end of program)";
        }
        return text.str();
    }
    if (action.kind == ActionKind::fault) {
        text << "fault " << fault_name(static_cast<pcore::FaultKind>(action.index)) << " "
             << name_of(action.comp);
        return text.str();
    }
    if (action.kind == ActionKind::timeout) {
        text << "timeout " << name_of(action.comp);
        return text.str();
    }
    text << "deliver " << name_of(action.from) << "->" << name_of(action.to);
    if (const Link* found = link(action.from, action.to);
        found != nullptr && action.index < found->queue.size()) {
        text << " " << pcore::message_name(found->queue[action.index]);
    }
    if (action.index != 0) text << " [" << action.index << "]";
    return text.str();
}

}  // namespace pmodel
