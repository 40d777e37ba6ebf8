// Dead fields (pcheck/dead_fields.hpp): on whole state spaces, every reachable state and its
// dead-field reset take the same steps to states equal but for dead fields, with the same
// violations; the rules name the fields they should; and the states they save are pinned.
// The same bisimulation on random states of every scenario and design is a RapidCheck property
// (property-tests/dead_fields_properties.cpp).
#include "pcheck/dead_fields.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <set>
#include <string>

#include "bundled.hpp"
#include "pcheck/breakdown.hpp"
#include "pcheck/checker.hpp"
#include "pcheck/state_store.hpp"

namespace {

using ptest::bundled;

std::vector<std::string> properties_of(const pmodel::World& world) {
    std::vector<std::string> ids;
    for (const pmodel::Violation& violation : world.violations()) ids.push_back(violation.property);
    return ids;
}

// Every reachable state of `name` (with `faults`) that has dead fields set, against its reset:
// the same enabled actions, successors equal but for dead fields, the same violations, and at
// a terminal state the same terminal verdicts. Returns how many states had dead fields.
std::size_t expect_one_step_bisimilar(const std::string& name, pmodel::FaultBudget faults) {
    const auto scenario = bundled(name);
    const pcheck::DeadFields dead(*scenario->compiled);
    std::set<std::uint64_t> seen;
    std::deque<pmodel::World> frontier{pmodel::World(scenario, {}, faults)};
    seen.insert(frontier.front().fingerprint());
    std::vector<pmodel::Action> actions;
    std::vector<pmodel::Action> reset_actions;
    std::size_t with_dead = 0;
    while (!frontier.empty()) {
        const pmodel::World world = std::move(frontier.front());
        frontier.pop_front();
        world.enabled_actions(actions);
        pmodel::World reset = world;
        const bool any = dead.clear(reset);
        with_dead += any ? 1 : 0;
        reset.enabled_actions(reset_actions);
        EXPECT_EQ(actions, reset_actions) << name;
        if (any && actions.empty()) {  // the terminal verdicts too
            pmodel::World judged = world;
            pmodel::World reset_judged = reset;
            EXPECT_EQ(judged.check_terminal().size(), reset_judged.check_terminal().size());
            EXPECT_EQ(properties_of(judged), properties_of(reset_judged)) << name;
        }
        for (const pmodel::Action& action : actions) {
            pmodel::World next = world;
            next.apply(action);
            if (any) {
                pmodel::World reset_next = reset;
                reset_next.apply(action);
                EXPECT_EQ(dead.fingerprint(next), dead.fingerprint(reset_next))
                    << name << ": " << world.describe(action);
                EXPECT_EQ(properties_of(next), properties_of(reset_next)) << name;
            }
            if (seen.insert(next.fingerprint()).second) frontier.push_back(std::move(next));
        }
    }
    return with_dead;
}

// leader-news-between-rounds holds notifications of a leader between two rounds of one
// component: a rule that forgot them there (a buffer is dead only when no sync block is ahead)
// fails here. chain has routes to leaders of rounds that are over.
TEST(DeadFields, EveryReachableStateStepsLikeItsReset) {
    EXPECT_GT(expect_one_step_bisimilar("leader-news-between-rounds", {}), 0u);
    EXPECT_GT(expect_one_step_bisimilar("chain", {}), 0u);
    EXPECT_GT(expect_one_step_bisimilar("chain-leader-crash", {}), 0u);
}

// What each rule leaves alone: an active round's route, a buffer with a sync block ahead.
TEST(DeadFields, LiveFieldsAreKept) {
    const auto scenario = bundled("leader-news-between-rounds");
    const pcheck::DeadFields dead(*scenario->compiled);
    const std::uint32_t host = scenario->compiled->main_definition;
    pcore::ComponentState state;
    state.definition = host;  // the host: two sync blocks ahead at pc 0
    state.round.active = true;
    state.round.leader_via = pcore::CompId(2);
    state.round.buffered.push_back({});
    EXPECT_FALSE(dead.any(state, false));
    state.round.active = false;  // between rounds: the route is dead, the buffer is not
    EXPECT_TRUE(dead.any(state, false));
    dead.clear(state, false);
    EXPECT_FALSE(state.round.leader_via.valid());
    EXPECT_EQ(state.round.buffered.size(), 1u);
    state.pc = static_cast<std::uint32_t>(
        scenario->compiled->definitions[host].program.code.size());  // past the end
    EXPECT_TRUE(dead.any(state, false));
    dead.clear(state, false);
    EXPECT_TRUE(state.round.buffered.empty());
    // Freed: only what the observers read of it remains.
    state.ports.emplace_back();
    state.next_control_id = 7;
    state.outcome.kind = pcore::OutcomeKind::completed;
    state.mode = pcore::Mode::exited;
    EXPECT_FALSE(dead.any(state, false));
    EXPECT_TRUE(dead.any(state, true));
    dead.clear(state, true);
    EXPECT_FALSE(dead.any(state, true));
    EXPECT_TRUE(state.ports.empty());
    EXPECT_EQ(state.outcome.kind, pcore::OutcomeKind::completed);
    EXPECT_EQ(state.mode, pcore::Mode::exited);
}

// The states the rules save, pinned (StateCounts pins the plain search).
TEST(DeadFields, SavedStatesArePinned) {
    pcheck::CheckOptions options;
    const pcheck::CheckResult chain = pcheck::check(bundled("chain"), options);
    EXPECT_EQ(chain.verdict, pcheck::Verdict::pass);
    EXPECT_EQ(chain.states, 8710u);        // 9,054 plain
    EXPECT_EQ(chain.terminal_states, 1u);  // 24 plain
}

// check --breakdown (pcheck/breakdown.hpp) counts the states the checker keys, by layer and by
// action kind, and names the fields states differ in: on chain, the parts a leader holds.
TEST(Breakdown, CountsTheCheckersStatesAndNamesTheFieldsTheyDifferIn) {
    const auto scenario = bundled("chain");
    const pcheck::Breakdown whole = pcheck::breakdown(scenario, {}, {}, 1000000);
    EXPECT_TRUE(whole.complete);
    EXPECT_EQ(whole.states, pcheck::check(scenario, {}).states);
    std::uint64_t by_depth = 0;
    for (const std::uint64_t count : whole.states_by_depth) by_depth += count;
    EXPECT_EQ(by_depth, whole.states);
    std::uint64_t by_action = 0;
    for (const std::uint64_t count : whole.states_by_action) by_action += count;
    EXPECT_EQ(by_action + 1, whole.states);  // all but the initial state
    ASSERT_FALSE(whole.fields.empty());
    EXPECT_EQ(whole.fields.front().field, "round.combined");
    EXPECT_EQ(whole.fields.front().states, 1983u);
    for (std::size_t index = 1; index < whole.fields.size(); ++index) {
        EXPECT_GE(whole.fields[index - 1].states, whole.fields[index].states);
    }
    // Bounded: the first states only, and it says so.
    const pcheck::Breakdown first = pcheck::breakdown(scenario, {}, {}, 500);
    EXPECT_FALSE(first.complete);
    EXPECT_EQ(first.states, 500u);
}

}  // namespace

namespace {

// A successor's key from its parent's (DeadFields::fingerprint_from) is its whole key, on the
// states the checker expands: unpacked from the store, so that unchanged entries keep their
// notes and unchanged queues their addresses. A part the step changed but the walk missed
// would show as a different key.
std::size_t expect_keys_from_parents(const std::string& name, const pmodel::FaultBudget& faults) {
    const auto scenario = bundled(name);
    const pcheck::DeadFields dead(*scenario->compiled);
    pcheck::StateStore store;
    pmodel::World initial(scenario, {}, faults);
    initial.use_cache(store);
    (void)initial.fingerprint();
    store.share_parts(initial);
    std::deque<std::vector<std::byte>> todo;
    todo.emplace_back();
    store.pack(initial, todo.back());
    std::set<std::uint64_t> seen{dead.fingerprint(initial)};
    std::vector<pmodel::Action> actions;
    std::size_t compared = 0;
    while (!todo.empty() && seen.size() < 3000) {
        pmodel::World parent = initial;
        store.unpack(parent, todo.front().data());
        todo.pop_front();
        const std::uint64_t parent_key = dead.fingerprint(parent);
        parent.enabled_actions(actions);
        for (const pmodel::Action& action : actions) {
            pmodel::World child = parent;
            child.apply(action);
            const std::uint64_t key = dead.fingerprint_from(parent, parent_key, child);
            EXPECT_EQ(key, dead.fingerprint(child)) << name << ": a step of " << compared;
            if (key != dead.fingerprint(child)) return compared;
            ++compared;
            if (!child.violations().empty() || !seen.insert(key).second) continue;
            (void)child.fingerprint();
            store.share_parts(child);
            todo.emplace_back();
            store.pack(child, todo.back());
        }
    }
    EXPECT_GT(compared, 5u) << name;
    return compared;
}

}  // namespace

// Every bundled scenario (its first 3,000 states; ring-1000 aside: a thousand components per
// key), without faults and with one of each.
TEST(DeadFields, KeyFromTheParentIsTheWholeKey) {
    std::set<std::string> names;  // sorted: the same order on every machine
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios")) {
        const std::string name = entry.path().stem().string();
        if (entry.path().extension() == ".json" && name != "ring-1000") names.insert(name);
    }
    ASSERT_GT(names.size(), 40u);
    std::size_t compared = 0;
    for (const std::string& name : names) {
        compared += expect_keys_from_parents(name, {});
        compared += expect_keys_from_parents(name, pmodel::FaultBudget{1, 1, 1});
    }
    EXPECT_GT(compared, 200000u);
}
