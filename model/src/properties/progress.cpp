// DF-1..DF-3 on a terminal state, and application deadlocks (wait-for cycles among live
// components, the programs' fault: reported apart, violations only with --strict).
#include <functional>
#include <sstream>

#include "pmodel/world.hpp"

namespace pmodel {

namespace {

// Wait-for cycles among live components; `stuck[c]` is set for every component on a cycle or
// waiting (transitively) on one: an application deadlock explains why they never move.
std::vector<AppDeadlock> find_cycles(const World& world,
                                     const std::vector<std::vector<CompId>>& waits,
                                     const std::vector<bool>& live,
                                     std::vector<bool>& stuck) {
    const std::size_t count = waits.size();
    std::vector<AppDeadlock> deadlocks;
    std::vector<int> colour(count, 0);  // 0 new, 1 on stack, 2 done
    std::vector<CompId> stack;
    std::function<bool(std::uint32_t)> visit = [&](std::uint32_t node) -> bool {
        colour[node] = 1;
        stack.push_back(CompId(node));
        for (CompId next : waits[node]) {
            const std::uint32_t target = next.value();
            if (!live[target]) continue;
            if (colour[target] == 1) {
                AppDeadlock deadlock;
                auto from = std::find(stack.begin(), stack.end(), next);
                deadlock.cycle.assign(from, stack.end());
                deadlock.cycle.push_back(next);
                std::ostringstream detail;
                for (std::size_t hop = 0; hop < deadlock.cycle.size(); ++hop) {
                    if (hop > 0) detail << " -> ";
                    detail << world.name_of(deadlock.cycle[hop]);
                }
                deadlock.detail = detail.str();
                deadlocks.push_back(std::move(deadlock));
                return true;
            }
            if (colour[target] == 0 && visit(target)) return true;
        }
        stack.pop_back();
        colour[node] = 2;
        return false;
    };
    for (std::uint32_t index = 0; index < count; ++index) {
        if (live[index] && colour[index] == 0) {
            stack.clear();
            visit(index);
        }
    }
    for (const AppDeadlock& deadlock : deadlocks) {
        for (CompId comp : deadlock.cycle) stuck[comp.value()] = true;
    }
    for (bool grew = true; grew;) {  // and whoever waits on a stuck component
        grew = false;
        for (std::uint32_t index = 0; index < count; ++index) {
            if (stuck[index] || !live[index]) continue;
            for (CompId next : waits[index]) {
                if (stuck[next.value()]) {
                    stuck[index] = true;
                    grew = true;
                    break;
                }
            }
        }
    }
    return deadlocks;
}

}  // namespace

std::vector<AppDeadlock> World::check_progress() {
    const pcore::CompiledScenario& compiled = *scenario_->compiled;
    const std::size_t count = comps_.size();
    std::vector<std::vector<CompId>> waits(count);
    std::vector<bool> live(count, false);
    std::vector<bool> waits_on_ended(count, false);
    std::vector<Violation> unfinished_exits;  // DF-2 after DF-1: a hang usually causes them
    for (std::uint32_t index = 0; index < count; ++index) {
        const CompSlot& slot = comps_[index];
        const pcore::WaitsFor why = pcore::waits_for(slot.state, compiled);
        if (slot.state.outcome.kind != pcore::OutcomeKind::running) {
            if (comps_.freed(index)) continue;
            std::ostringstream detail;
            detail << slot.name << " ended but is " << pcore::mode_name(slot.state.mode)
                   << " with reference count " << comps_.refcount(index);
            if (!why.reason.empty()) detail << " (" << why.reason << ")";
            unfinished_exits.push_back(Violation{"DF-2", {CompId(index)}, detail.str()});
            continue;
        }
        live[index] = true;
        if (slot.state.shutdown.deadlocked) {
            violation("DF-1", {CompId(index)}, slot.name + " " + why.reason);
            continue;
        }
        waits[index] = why.comps;
        for (CompId other : why.comps) {
            const CompSlot& peer = comps_[other.value()];
            if (peer.state.outcome.kind == pcore::OutcomeKind::running) continue;
            waits_on_ended[index] = true;
            violation("DF-1", {CompId(index), other},
                      slot.name + " " + why.reason + " on " + peer.name + ", which " +
                          (peer.state.outcome.kind == pcore::OutcomeKind::failed ? "failed"
                                                                                 : "terminated"));
            break;
        }
    }
    for (Violation& unfinished : unfinished_exits) violations_.push_back(std::move(unfinished));
    std::vector<bool> stuck(count, false);
    std::vector<AppDeadlock> deadlocks = find_cycles(*this, waits, live, stuck);
    // DF-3, per round: a live participant that voted and never got a decision, unless it
    // waits on an ended peer (DF-1's) or on an application deadlock (the programs' fault).
    for (std::uint32_t index = 0; index < count; ++index) {
        const SlotGhost& facts = comps_.ghost(index);
        if (!live[index] || waits_on_ended[index] || stuck[index]) continue;
        if (facts.last_round != RoundStatus::open || !facts.submitted) continue;
        violation("DF-3", {CompId(index)},
                  comps_[index].name + " voted in its round and never got a decision");
    }
    return deadlocks;
}

}  // namespace pmodel
