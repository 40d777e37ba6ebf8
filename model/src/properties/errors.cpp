// NM-1..NM-5 on a terminal state, from the errors the world saw travel (ErrorArrival), the
// causes that reached each component (ranked by the observer: ObservedCause), and the failure
// handler's reports to the host.
#include <algorithm>

#include "pmodel/world.hpp"

namespace pmodel {

void World::record_arrival(CompId comp, CompId author, const pcore::ErrorInfo& error) {
    ErrorArrival arrival{comp, author, error};
    auto& arrivals = ghost_->arrivals;
    const auto at = std::lower_bound(arrivals.begin(), arrivals.end(), arrival);
    if (at != arrivals.end() && *at == arrival) return;
    auto& edited = edit_ghost().arrivals;
    edited.insert(edited.begin() + (at - arrivals.begin()), std::move(arrival));
}

namespace {

bool arrived(const std::vector<ErrorArrival>& arrivals,
             CompId comp,
             CompId author,
             const pcore::ErrorInfo& error,
             std::size_t hops) {
    return std::any_of(arrivals.begin(), arrivals.end(), [&](const ErrorArrival& arrival) {
        return arrival.comp == comp && arrival.author == author &&
               arrival.error.type == error.type && arrival.error.origin == error.origin &&
               arrival.error.relay.size() == hops &&
               std::equal(arrival.error.relay.begin(), arrival.error.relay.end(),
                          error.relay.begin());
    });
}

}  // namespace

// NM-1: the relay path is exactly the chain of components the error travelled through: each
// hop got it, with the path so far, from the hop before it (the origin first), and the
// component got it from the last hop.
void World::check_relay_path(CompId comp, const pcore::Outcome& outcome) {
    const auto& relay = outcome.error.relay;
    for (std::size_t hop = 0; hop <= relay.size(); ++hop) {
        const CompId at = hop < relay.size() ? relay[hop] : comp;
        const CompId author = hop == 0 ? outcome.error.origin : relay[hop - 1];
        if (arrived(ghost_->arrivals, at, author, outcome.error, hop)) continue;
        violation("NM-1", {comp, at},
                  name_of(comp) + "'s " + pcore::outcome_name(outcome.kind) +
                      " names a relay path on which " + name_of(at) + " did not get it from " +
                      (author.valid() ? name_of(author) : std::string("the OS")));
        return;
    }
}

void World::check_errors() {
    const pcore::CompiledScenario& compiled = *scenario_->compiled;
    for (std::uint32_t index = 0; index < comps_.size(); ++index) {
        const CompId comp(index);
        const pcore::Outcome& outcome = comps_[index].state.outcome;
        const std::string& name = comps_[index].name;
        if (outcome.kind == pcore::OutcomeKind::running) continue;
        const ObservedCause ended_as = observed_class(outcome, comp);
        if (outcome.kind == pcore::OutcomeKind::failed &&
            !std::binary_search(ghost_->roots.begin(), ghost_->roots.end(),
                                RootError{outcome.error.origin, outcome.error.type})) {
            violation("NM-1", {comp, outcome.error.origin},
                      name + " failed citing " + compiled.error_name(outcome.error.type) +
                          " from " + name_of(outcome.error.origin) +
                          ", which never failed that way");
        } else if (ended_as == ObservedCause::remote || ended_as == ObservedCause::foreign_cancel ||
                   (ended_as == ObservedCause::own_cancel && !outcome.error.relay.empty())) {
            check_relay_path(comp, outcome);
        }
        const SlotGhost& facts = comps_.ghost(index);
        if (facts.has_cause && facts.strongest == ObservedCause::remote &&
            outcome.kind != pcore::OutcomeKind::failed) {
            violation("NM-2", {comp},
                      name + " was ended by a remote error but reports " +
                          pcore::outcome_name(outcome.kind));
        }
        if (facts.has_cause && ended_as != facts.strongest) {
            violation("NM-3", {comp},
                      name + " ended as rank " + std::to_string(static_cast<int>(ended_as)) +
                          " although a cause of rank " +
                          std::to_string(static_cast<int>(facts.strongest)) +
                          " reached it (local 4 > remote 3 > foreign cancel 2 > own cancel 1 > "
                          "result 0)");
        }
        if (outcome.kind != pcore::OutcomeKind::completed && facts.reports != 1) {
            violation(
                "NM-5", {comp},
                name + " ran its failure handler " + std::to_string(facts.reports) + " times");
        }
    }
    // NM-4: the host saw every root error in some component's end report, and no end twice.
    for (const RootError& root : ghost_->roots) {
        bool observed = false;
        for (std::uint32_t index = 0; index < comps_.size() && !observed; ++index) {
            const pcore::Outcome& outcome = comps_[index].state.outcome;
            observed = comps_.ghost(index).reports > 0 &&
                       outcome.kind == pcore::OutcomeKind::failed &&
                       outcome.error.origin == root.origin && outcome.error.type == root.type;
        }
        if (!observed) {
            violation("NM-4", {root.origin},
                      "the host never observed the root error " + compiled.error_name(root.type) +
                          " of " + name_of(root.origin));
        }
    }
    for (std::uint32_t index = 0; index < comps_.size(); ++index) {
        if (comps_.ghost(index).reports > 1) {
            violation("NM-4", {CompId(index)},
                      "the host got the end of " + comps_[index].name + " " +
                          std::to_string(comps_.ghost(index).reports) + " times");
        }
    }
}

}  // namespace pmodel
