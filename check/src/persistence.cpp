#include "pcheck/persistence.hpp"

#include <algorithm>
#include <deque>
#include <unordered_set>

namespace pcheck {

using pmodel::Action;
using pmodel::World;

namespace {

std::vector<std::string> violated(const World& world) {
    std::vector<std::string> ids;
    for (const pmodel::Violation& violation : world.violations()) ids.push_back(violation.property);
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool contains(const std::vector<Action>& actions, const Action& action) {
    return std::find(actions.begin(), actions.end(), action) != actions.end();
}

// Whether `kept` and `other`, both enabled in `at`, lead to the same world and the same
// violations in either order; `why` says how they differ when they do not.
bool commute(const World& at, const Action& kept, const Action& other, std::string& why) {
    World first = at;
    first.apply(kept);
    if (!first.enabled(other)) {
        why = "taking " + at.describe(kept) + " disables " + at.describe(other);
        return false;
    }
    first.apply(other);
    World second = at;
    second.apply(other);
    if (!second.enabled(kept)) {
        why = "taking " + at.describe(other) + " disables " + at.describe(kept);
        return false;
    }
    second.apply(kept);
    if (!(first == second) || violated(first) != violated(second)) {
        why = at.describe(kept) + " and " + at.describe(other) + " do not commute";
        return false;
    }
    return true;
}

// The subset's conditions at one outside state; the reason when one fails.
bool holds_at(const World& at,
              const std::vector<Action>& subset,
              const std::vector<Action>& enabled,
              std::string& why) {
    for (const Action& kept : subset) {
        if (!contains(enabled, kept)) {
            why = at.describe(kept) + " was disabled by actions outside the subset";
            return false;
        }
    }
    for (const Action& other : enabled) {
        if (contains(subset, other)) continue;
        for (const Action& kept : subset) {
            if (!commute(at, kept, other, why)) return false;
        }
    }
    return true;
}

}  // namespace

OutsideSpace outside_space_check(const World& from,
                                 const std::vector<Action>& subset,
                                 std::size_t limit) {
    OutsideSpace result;
    std::deque<World> todo{from};
    std::unordered_set<std::uint64_t> seen{from.fingerprint()};
    std::vector<Action> enabled;
    while (!todo.empty()) {
        if (result.states == limit) {
            result.exceeded = true;
            return result;
        }
        ++result.states;
        const World at = std::move(todo.front());
        todo.pop_front();
        at.enabled_actions(enabled);
        if (!holds_at(at, subset, enabled, result.failure)) return result;
        for (const Action& other : enabled) {
            if (contains(subset, other)) continue;
            World next = at;
            next.apply(other);
            // A path of the search ends at its first violation: nothing goes on from there.
            if (next.violations().empty() && seen.insert(next.fingerprint()).second) {
                todo.push_back(std::move(next));
            }
        }
    }
    result.persistent = true;
    return result;
}

}  // namespace pcheck
