#include "pviz/trace_view.hpp"

#include <map>
#include <utility>

#include "pmodel/properties.hpp"
#include "pscenario/loader.hpp"
#include "pviz/world_view.hpp"

namespace pviz {

using nlohmann::json;

namespace {

// Each property's status in a state: a monitor holds until it fires; a terminal check is
// pending until the run's last state is judged (`judged`); EXPECT is not judged in a run with
// an injected fault (World::check_terminal).
json property_status(const pmodel::World& world, bool judged) {
    json statuses = json::array();
    for (const pmodel::PropertyInfo& info : pmodel::property_catalogue()) {
        std::string status = "holds";
        if (!info.checked || (info.id == "EXPECT" && world.fault_injected())) {
            status = "not_checked";
        } else if (info.kind == pmodel::PropertyKind::terminal && !judged) {
            status = "pending";
        }
        for (const pmodel::Violation& violation : world.violations()) {
            if (violation.property == info.id) status = "violated";
        }
        statuses.push_back({{"id", std::string(info.id)}, {"status", status}});
    }
    return statuses;
}

// Replays the trace step by step, keeping what each step did.
class ViewBuilder {
  public:
    explicit ViewBuilder(const ptrace::LoadedTrace& trace)
        : trace_(trace), world_(trace.scenario, trace.variants, trace.faults) {}

    TraceView build() {
        view_.origin = trace_.origin;
        view_.end = trace_.end;
        view_.title = title();
        for (std::size_t index = 0; index < world_.comps().size(); ++index) born(0);
        keep_state(false);
        for (std::size_t index = 0; index < trace_.steps.size(); ++index) step(index);
        judge_end();
        view_.components = component_names(world_);
        return std::move(view_);
    }

  private:
    std::string title() const {
        std::string text = trace_.origin + ": " + trace_.source;
        if (trace_.seed) text.append(" seed ").append(std::to_string(*trace_.seed));
        return text;
    }

    void born(std::size_t step) {
        view_.born.push_back(step);
        view_.ended.push_back(0);
    }

    [[noreturn]] void diverged(std::size_t index, const std::string& why) const {
        throw pscenario::InputError(
            trace_.origin, std::string("$.steps[").append(std::to_string(index)).append("]"),
            "the trace does not replay (" + why + "); `protocheck replay` tells where it diverges");
    }

    void step(std::size_t index) {
        const ptrace::NamedStep& named = trace_.steps[index];
        const ptrace::StepToTake taken = ptrace::step_to_take(world_, named);
        if (!taken.action) diverged(index, taken.problem);
        const pmodel::Action& action = *taken.action;
        StepView step{index + 1,
                      world_.describe(action),
                      named.kind == pmodel::ActionKind::deliver ? named.b : named.a,
                      ptrace::action_json(component_names(world_), action),
                      {}};
        const std::size_t comps_before = world_.comps().size();
        const std::size_t violations_before = world_.violations().size();
        std::vector<pcore::OutcomeKind> outcomes_before;
        for (const pmodel::CompSlot& slot : world_.comps())
            outcomes_before.push_back(slot.state.outcome.kind);
        note_action(action, step);
        world_.apply(action, applied_);
        if (world_.fingerprint() != named.fingerprint) diverged(index, "another state fingerprint");
        note_sends(step);
        note_drops(step);
        note_spawns(comps_before, step);
        note_ends(outcomes_before, step);
        note_violations(violations_before, step);
        view_.steps.push_back(std::move(step));
        keep_state(false);
    }

    void note_action(const pmodel::Action& action, StepView& step) {
        const std::vector<std::string> names = component_names(world_);
        if (action.kind == pmodel::ActionKind::fault) {
            step.events.push_back({EventType::fault,
                                   names[action.comp.value()],
                                   "",
                                   pmodel::fault_name(pmodel::fault_kinds[action.index]),
                                   "",
                                   {}});
        }
        if (action.kind != pmodel::ActionKind::deliver) return;
        const pcore::Message& message = world_.link(action.from, action.to)->queue[action.index];
        const std::string from = names[action.from.value()];
        const std::string to = names[action.to.value()];
        Event delivered{EventType::deliver,     from, to, pcore::message_name(message),
                        message_class(message), {}};
        std::vector<std::size_t>& waiting = in_flight_[{from, to}];
        if (action.index < waiting.size()) {
            MessageArrow& arrow = view_.arrows[waiting[action.index]];
            arrow.delivered = step.index;
            delivered.sent = arrow.sent;
            waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(action.index));
        }
        step.events.push_back(std::move(delivered));
    }

    // The messages the step sent: the last ones of each link it sent on, in order.
    void note_sends(StepView& step) {
        std::map<std::pair<pcore::CompId, pcore::CompId>, std::size_t> count;
        for (const auto& link : applied_.sent) ++count[link];
        std::map<std::pair<pcore::CompId, pcore::CompId>, std::size_t> taken;
        const std::vector<std::string> names = component_names(world_);
        for (const auto& [from, to] : applied_.sent) {
            const pmodel::Link* link = world_.link(from, to);
            const std::size_t nth = taken[{from, to}]++;
            if (link == nullptr || link->queue.size() < count[{from, to}]) continue;
            const pcore::Message& message =
                link->queue[link->queue.size() - count[{from, to}] + nth];
            Event sent{EventType::send,        names[from.value()],
                       names[to.value()],      pcore::message_name(message),
                       message_class(message), {}};
            in_flight_[{sent.from, sent.to}].push_back(view_.arrows.size());
            view_.arrows.push_back(
                {sent.from, sent.to, sent.message, sent.message_class, step.index, 0});
            step.events.push_back(std::move(sent));
        }
    }

    // Messages the world dropped in this step: a freed component's inbox goes with it. Its
    // queues are shorter than the arrows still waiting on them.
    void note_drops(StepView& step) {
        for (auto& [link, waiting] : in_flight_) {
            const pmodel::Link* queue =
                world_.link(world_.find_by_name(link.first), world_.find_by_name(link.second));
            const std::size_t left = queue == nullptr ? 0 : queue->queue.size();
            while (waiting.size() > left) {
                MessageArrow& arrow = view_.arrows[waiting.front()];
                arrow.dropped = step.index;
                step.events.push_back({EventType::drop,
                                       arrow.from,
                                       arrow.to,
                                       arrow.message,
                                       arrow.message_class,
                                       {}});
                waiting.erase(waiting.begin());
            }
        }
    }

    void note_spawns(std::size_t comps_before, StepView& step) {
        const std::vector<std::string> names = component_names(world_);
        for (std::size_t index = comps_before; index < names.size(); ++index) {
            step.events.push_back({EventType::spawn, step.actor, names[index], "", "", {}});
            born(step.index);
        }
    }

    void note_ends(const std::vector<pcore::OutcomeKind>& before, StepView& step) {
        const std::vector<std::string> names = component_names(world_);
        for (std::size_t index = 0; index < names.size(); ++index) {
            const pcore::Outcome& outcome = world_.comps()[index].state.outcome;
            const bool was_running =
                index >= before.size() || before[index] == pcore::OutcomeKind::running;
            if (!was_running || outcome.kind == pcore::OutcomeKind::running) continue;
            view_.ended[index] = step.index;
            step.events.push_back(
                {EventType::end, names[index], "", "", "",
                 ptrace::outcome_json(*world_.scenario().compiled, names, outcome)});
        }
    }

    void note_violations(std::size_t before, StepView& step) {
        const std::vector<pmodel::Violation>& violations = world_.violations();
        for (std::size_t index = before; index < violations.size(); ++index) {
            found(violations[index], step.index);
            step.events.push_back(
                {EventType::violation, "", "", "", "",
                 ptrace::violation_json(component_names(world_), violations[index])});
        }
    }

    void found(const pmodel::Violation& violation, std::size_t step) {
        if (view_.violation) return;
        view_.violation = violation;
        view_.violation_step = step;
        view_.violation_json = ptrace::violation_json(component_names(world_), violation);
        view_.violation_json["step"] = step;
    }

    // The run ends as replay ends it (ptrace::end_as_recorded: one rule): judged on its last
    // state when it ended there, and compared with the record; a trace that does not end as
    // recorded is refused, as one whose steps do not replay is.
    void judge_end() {
        const bool judged = ptrace::judged_at_end(trace_, world_);
        const std::size_t before = world_.violations().size();
        const ptrace::RecordedEnd ending = ptrace::end_as_recorded(trace_, world_);
        if (!ending.as_recorded) {
            throw pscenario::InputError(trace_.origin, "$.end",
                                        "the trace does not end as recorded (" + ending.message +
                                            "); `protocheck replay` tells more");
        }
        if (!judged) return;
        if (view_.steps.empty()) {
            for (std::size_t index = before; index < world_.violations().size(); ++index)
                found(world_.violations()[index], 0);
        } else {
            note_violations(before, view_.steps.back());
        }
        view_.states.pop_back();
        keep_state(true);
    }

    void keep_state(bool judged) {
        json state = world_json(world_);
        state["fingerprint"] = ptrace::hex64(world_.fingerprint());
        state["properties"] = property_status(world_, judged);
        json violations = json::array();
        for (const pmodel::Violation& violation : world_.violations()) {
            violations.push_back(ptrace::violation_json(component_names(world_), violation));
        }
        state["violations"] = violations;
        view_.states.push_back(std::move(state));
    }

    const ptrace::LoadedTrace& trace_;
    pmodel::World world_;
    pmodel::ApplyResult applied_;
    TraceView view_;
    // Per link (by names), the arrows of the messages still in flight, in queue order.
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> in_flight_;
};

json event_json(const Event& event) {
    static const char* const types[] = {"send", "deliver",   "fault", "spawn",
                                        "end",  "violation", "drop"};
    json result = {{"type", types[static_cast<int>(event.type)]}};
    switch (event.type) {
        case EventType::send:
        case EventType::deliver:
        case EventType::drop:
            result.update({{"from", event.from},
                           {"to", event.to},
                           {"message", event.message},
                           {"class", event.message_class}});
            break;
        case EventType::spawn:
            result.update({{"from", event.from}, {"to", event.to}});
            break;
        case EventType::fault:
            result.update({{"component", event.from}, {"fault", event.message}});
            break;
        case EventType::end:
            result["component"] = event.from;
            result.update(event.detail);
            break;
        case EventType::violation:
            result.update(event.detail);
            break;
    }
    return result;
}

}  // namespace

TraceView build_trace_view(const ptrace::LoadedTrace& trace) {
    return ViewBuilder(trace).build();
}

json view_json(const TraceView& view) {
    json steps = json::array();
    for (const StepView& step : view.steps) {
        json events = json::array();
        for (const Event& event : step.events) events.push_back(event_json(event));
        steps.push_back({{"index", step.index},
                         {"label", step.label},
                         {"actor", step.actor},
                         {"action", step.action},
                         {"events", events}});
    }
    return {{"format", "protocheck-trace-view/1"},
            {"title", view.title},
            {"components", view.components},
            {"end", view.end},
            {"violation", view.violation_json},
            {"steps", steps},
            {"states", view.states}};
}

}  // namespace pviz
