// Every property predicate on hand-built worlds, holding and failing (contract section 7).
// A world is run to a clean end under a fixed schedule, then edited into the situation a
// property is about; monitors get hand-made facts.
#include <gtest/gtest.h>

#include <algorithm>

#include "pmodel/world.hpp"
#include "pscenario/loader.hpp"

namespace pmodel {

struct WorldTestAccess {
    // A slot to edit by hand (the cached hash goes stale with it).
    static CompSlot& slot(World& world, CompId comp) { return world.slot_for_update(comp); }
    static Ghost& ghost(World& world) { return world.edit_ghost(); }
    static SlotGhost& facts(World& world, CompId comp) {
        return world.comps_.ghost_at(comp.value());
    }
    static void set_freed(World& world, CompId comp, bool freed) {
        world.comps_.set_freed(comp.value(), freed);
    }
    // A message on the link from -> to, and the LC-1 judgement of freeing `to` now.
    static void in_flight(World& world, CompId from, CompId to, pcore::Message message) {
        world.link_for(from, to).queue.push_back(std::move(message));
    }
    static void judge_free(World& world, CompId comp) { world.check_in_flight_at_free(comp); }
    // The observers' verdict on a round of `comp` that just concluded (rounds.cpp).
    static void conclude(World& world, CompId comp) {
        ApplyResult result;
        world.round_concluded(comp, result);
    }
    // The observers' view of a run step of `comp` from statement `pc` (sending data or not),
    // applied to the component as it stands now.
    static void observe_run(World& world, CompId comp, std::uint32_t pc, bool sent_data) {
        World::StepBefore before;
        before.pc = pc;
        before.run = true;
        before.data_sent = world.data_sent_;
        if (sent_data) ++world.data_sent_;
        ApplyResult result;
        world.observe_after(comp, before, result);
    }
    static void apply(World& world, CompId source, pcore::Effects effects) {
        ApplyResult result;
        world.apply_effects(source, effects, result);
    }
};

}  // namespace pmodel

namespace {

using pcore::CompId;
using pcore::ErrorInfo;
using pcore::OutcomeKind;
using pmodel::WorldTestAccess;

// main, a and b: a sends one value to b.
std::shared_ptr<const pmodel::Scenario> pair_scenario(const char* expect = "{}") {
    return pscenario::load_scenario_text(std::string(
                                             R"({"format": "protocheck-scenario/1", "name": "pair",
      "definitions": {
        "sender": {"params": ["out"], "program": [{"sync": [{"put": "out", "value": 1}]}]},
        "receiver": {"params": ["in"], "program": [{"sync": [{"get": "in"}]}]}},
      "main": [{"channel": ["tx", "rx"]},
               {"spawn": "sender", "args": ["tx"], "as": "a"},
               {"spawn": "receiver", "args": ["rx"], "as": "b"}],
      "expect": )") + expect + "}",
                                         "pair");
}

// The world after a clean run: everyone completed, freed, nothing outstanding.
pmodel::World finished(const std::shared_ptr<const pmodel::Scenario>& scenario) {
    pmodel::World world(scenario, {});
    std::vector<pmodel::Action> actions;
    for (int steps = 0; steps < 10000; ++steps) {
        world.enabled_actions(actions);
        if (actions.empty()) break;
        world.apply(actions.front());
    }
    return world;
}

const CompId kMain(0);
const CompId kA(1);
const CompId kB(2);
const pcore::ErrorType kBoom = pcore::builtin_error::crash;  // a type every scenario knows

std::vector<std::string> terminal_properties(pmodel::World& world) {
    (void)world.check_terminal();
    std::vector<std::string> ids;
    for (const auto& violation : world.violations()) ids.push_back(violation.property);
    return ids;
}

bool has(const std::vector<std::string>& ids, const char* id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// An ended, freed component with this outcome.
void set_end(pmodel::World& world, CompId comp, pcore::Outcome outcome, std::uint8_t runs) {
    auto& slot = WorldTestAccess::slot(world, comp);
    slot.state.outcome = outcome;
    slot.state.shutdown.handler_runs = runs;
    WorldTestAccess::facts(world, comp).reports = runs;
}

pcore::Outcome failed(CompId origin, bool remote, std::vector<CompId> relay = {}) {
    return pcore::Outcome{OutcomeKind::failed, ErrorInfo{kBoom, origin, std::move(relay)}, remote,
                          false};
}

void add_root(pmodel::World& world, CompId origin) {
    WorldTestAccess::ghost(world).roots.push_back(pmodel::RootError{origin, kBoom});
}

// The error reached `at` from the last hop of its relay path (the origin when there is none).
void add_arrival(pmodel::World& world, CompId at, CompId origin, std::vector<CompId> relay) {
    const CompId author = relay.empty() ? origin : relay.back();
    auto& arrivals = WorldTestAccess::ghost(world).arrivals;
    arrivals.push_back(
        pmodel::ErrorArrival{at, author, ErrorInfo{kBoom, origin, std::move(relay)}});
    std::sort(arrivals.begin(), arrivals.end());
}

void set_cause(pmodel::World& world, CompId comp, pmodel::ObservedCause cause) {
    auto& facts = WorldTestAccess::facts(world, comp);
    facts.has_cause = true;
    facts.strongest = cause;
}

TEST(Properties, ACleanRunHoldsEveryTerminalProperty) {
    pmodel::World world = finished(pair_scenario());
    EXPECT_TRUE(terminal_properties(world).empty());
}

TEST(Properties, NM1RootCauseMustHaveHappened) {
    pmodel::World world = finished(pair_scenario());
    set_end(world, kA, failed(kA, false), 1);
    set_end(world, kB, failed(kA, true), 1);
    add_root(world, kA);
    add_arrival(world, kB, kA, {});
    EXPECT_FALSE(has(terminal_properties(world), "NM-1"));

    pmodel::World invented = finished(pair_scenario());
    set_end(invented, kB, failed(kA, true), 1);  // a never failed
    add_arrival(invented, kB, kA, {});
    EXPECT_TRUE(has(terminal_properties(invented), "NM-1"));
}

TEST(Properties, NM1RelayPathMustHaveBeenTravelled) {
    pmodel::World world = finished(pair_scenario());
    set_end(world, kMain, failed(kA, false), 1);
    add_root(world, kA);
    set_end(world, kA, failed(kA, false), 1);
    set_end(world, kMain, failed(kA, true, {kB}), 1);
    set_end(world, kB, failed(kA, true), 1);
    add_arrival(world, kB, kA, {});
    add_arrival(world, kMain, kA, {kB});
    EXPECT_FALSE(has(terminal_properties(world), "NM-1"));

    pmodel::World fabricated = finished(pair_scenario());
    add_root(fabricated, kA);
    set_end(fabricated, kA, failed(kA, false), 1);
    set_end(fabricated, kMain, failed(kA, true, {kB}), 1);  // b never received it
    add_arrival(fabricated, kMain, kA, {kB});
    EXPECT_TRUE(has(terminal_properties(fabricated), "NM-1"));

    // A relay not appended: main got it from b (b's ClosePort), but the path names nobody.
    pmodel::World shortened = finished(pair_scenario());
    add_root(shortened, kA);
    set_end(shortened, kA, failed(kA, false), 1);
    set_end(shortened, kB, failed(kA, true), 1);
    add_arrival(shortened, kB, kA, {});
    set_end(shortened, kMain, failed(kA, true), 1);
    WorldTestAccess::ghost(shortened).arrivals.push_back(
        pmodel::ErrorArrival{kMain, kB, ErrorInfo{kBoom, kA, {}}});
    EXPECT_TRUE(has(terminal_properties(shortened), "NM-1"));
}

TEST(Properties, NM2RemoteErrorEndIsFailed) {
    pmodel::World world = finished(pair_scenario());
    add_root(world, kA);
    set_end(world, kA, failed(kA, false), 1);
    set_end(world, kB, failed(kA, true), 1);
    add_arrival(world, kB, kA, {});
    set_cause(world, kB, pmodel::ObservedCause::remote);
    EXPECT_FALSE(has(terminal_properties(world), "NM-2"));

    pmodel::World masked = finished(pair_scenario());
    add_root(masked, kA);
    set_end(masked, kA, failed(kA, false), 1);
    set_end(masked, kB,
            pcore::Outcome{OutcomeKind::cancelled,
                           ErrorInfo{pcore::builtin_error::cancelled, kMain, {}}, true, false},
            1);
    set_cause(masked, kB, pmodel::ObservedCause::remote);
    const auto ids = terminal_properties(masked);
    EXPECT_TRUE(has(ids, "NM-2"));
    EXPECT_TRUE(has(ids, "NM-3"));
}

TEST(Properties, NM3StrongestCauseWins) {
    pmodel::World world = finished(pair_scenario());
    add_root(world, kA);
    set_end(world, kA, failed(kA, false), 1);
    set_cause(world, kA, pmodel::ObservedCause::local);
    EXPECT_FALSE(has(terminal_properties(world), "NM-3"));

    pmodel::World downgraded = finished(pair_scenario());
    add_root(downgraded, kA);
    set_end(downgraded, kA,
            pcore::Outcome{OutcomeKind::cancelled,
                           ErrorInfo{pcore::builtin_error::cancelled, kA, {}}, true, false},
            1);
    set_cause(downgraded, kA, pmodel::ObservedCause::local);
    EXPECT_TRUE(has(terminal_properties(downgraded), "NM-3"));
}

TEST(Properties, NM4EveryRootObservedOnce) {
    pmodel::World world = finished(pair_scenario());
    add_root(world, kA);
    set_end(world, kA, failed(kA, false), 1);
    EXPECT_FALSE(has(terminal_properties(world), "NM-4"));

    pmodel::World lost = finished(pair_scenario());
    add_root(lost, kA);  // nobody's end names it
    set_end(lost, kA,
            pcore::Outcome{OutcomeKind::cancelled,
                           ErrorInfo{pcore::builtin_error::cancelled, kMain, {}}, true, false},
            1);
    EXPECT_TRUE(has(terminal_properties(lost), "NM-4"));

    pmodel::World twice = finished(pair_scenario());
    add_root(twice, kA);
    set_end(twice, kA, failed(kA, false), 1);
    WorldTestAccess::facts(twice, kA).reports = 2;
    EXPECT_TRUE(has(terminal_properties(twice), "NM-4"));
}

TEST(Properties, NM5HandlerExactlyOnce) {
    pmodel::World world = finished(pair_scenario());
    add_root(world, kA);
    set_end(world, kA, failed(kA, false), 0);  // failed without running its handler
    EXPECT_TRUE(has(terminal_properties(world), "NM-5"));

    // The monitor: a second handler run is caught when it happens.
    pmodel::World monitored = finished(pair_scenario());
    WorldTestAccess::slot(monitored, kA).state.shutdown.handler_runs = 1;
    WorldTestAccess::apply(monitored, kA, {pcore::FactHandlerRun{}});
    EXPECT_TRUE(monitored.violations().empty());
    WorldTestAccess::slot(monitored, kA).state.shutdown.handler_runs = 2;
    WorldTestAccess::apply(monitored, kA, {pcore::FactHandlerRun{}});
    ASSERT_FALSE(monitored.violations().empty());
    EXPECT_EQ(monitored.violations().front().property, "NM-5");
}

TEST(Properties, DF1AndDF2OnAHandEditedHang) {
    pmodel::World world = finished(pair_scenario());
    auto& b = WorldTestAccess::slot(world, kB);
    // b is back in its round waiting on a get, and a "ended" but was never freed.
    b.state.outcome = pcore::Outcome{};
    b.state.mode = pcore::Mode::running;
    b.state.pc = 1;  // the get
    b.state.in_sync = true;
    b.state.round.active = true;
    WorldTestAccess::set_freed(world, kB, false);
    b.state.ports[b.state.slots[0].value()].closed = false;
    b.state.ports[b.state.slots[0].value()].peer_comp = kA;
    auto& a = WorldTestAccess::slot(world, kA);
    WorldTestAccess::set_freed(world, kA, false);
    a.state.mode = pcore::Mode::busy_exit;
    const auto ids = terminal_properties(world);
    EXPECT_TRUE(has(ids, "DF-1"));
    EXPECT_TRUE(has(ids, "DF-2"));
}

TEST(Properties, DF1HandlerDeadlock) {
    pmodel::World world = finished(pair_scenario());
    auto& a = WorldTestAccess::slot(world, kA);
    a.state.outcome = pcore::Outcome{};
    a.state.mode = pcore::Mode::running;
    a.state.shutdown.deadlocked = true;
    WorldTestAccess::set_freed(world, kA, false);
    EXPECT_TRUE(has(terminal_properties(world), "DF-1"));
}

TEST(Properties, DF3SubmittedWithoutDecision) {
    pmodel::World world = finished(pair_scenario());
    auto& a = WorldTestAccess::slot(world, kA);
    a.state.outcome = pcore::Outcome{};
    a.state.mode = pcore::Mode::sync_end;
    a.state.round.active = true;
    a.state.round.highest = kA;  // it leads and waits for nobody in particular
    WorldTestAccess::set_freed(world, kA, false);
    auto& facts = WorldTestAccess::facts(world, kA);
    facts.last_round = pmodel::RoundStatus::open;
    facts.submitted = true;
    EXPECT_TRUE(has(terminal_properties(world), "DF-3"));
}

pmodel::PutRecord put_record(CompId sender,
                             std::uint32_t seq,
                             std::int64_t value = 1,
                             std::uint32_t serial = 7) {
    pmodel::PutRecord record;
    record.channel = pcore::ChannelId{0, serial};
    record.seq = seq;
    record.sender = sender;
    record.value = value;
    return record;
}

TEST(Properties, LC2PutNeitherReceivedNorReported) {
    pmodel::World world = finished(pair_scenario());
    WorldTestAccess::ghost(world).puts.push_back(put_record(kA, 7));
    EXPECT_TRUE(has(terminal_properties(world), "LC-2"));

    pmodel::World excused = finished(pair_scenario());  // the sender failed in that round
    WorldTestAccess::ghost(excused).puts.push_back(put_record(kA, 7));
    add_root(excused, kA);
    set_end(excused, kA, failed(kA, false), 1);
    WorldTestAccess::facts(excused, kA).last_round = pmodel::RoundStatus::ended;
    EXPECT_FALSE(has(terminal_properties(excused), "LC-2"));
}

// LC-2 judges the put statement too: a put that completed while no data left its putter dropped
// the value silently (the terminal judgement never sees a put that was never sent).
TEST(Properties, LC2PutStatementThatSentNothing) {
    pmodel::World world(pair_scenario(), {});
    std::vector<pmodel::Action> actions;
    while (world.comps().size() < 3) {  // until main has spawned a and b
        world.enabled_actions(actions);
        ASSERT_FALSE(actions.empty());
        world.apply(actions.front());
    }
    const pcore::CompiledScenario& compiled = *world.scenario().compiled;
    const pcore::Program& program =
        compiled.definitions[world.comps()[kA.value()].state.definition].program;
    std::uint32_t put = 0;
    while (put < program.code.size() && program.code[put].op != pcore::Op::put_value) ++put;
    ASSERT_LT(put, program.code.size());
    WorldTestAccess::slot(world, kA).state.pc = put + 1;  // a moved past its put

    pmodel::World sent = world;
    WorldTestAccess::observe_run(sent, kA, put, true);
    EXPECT_TRUE(sent.violations().empty());
    WorldTestAccess::observe_run(world, kA, put, false);
    ASSERT_EQ(world.violations().size(), 1u);
    EXPECT_EQ(world.violations().front().property, "LC-2");
}

TEST(Properties, ExpectComparesOutcomes) {
    pmodel::World world = finished(pair_scenario(R"({"a": {"outcome": "completed"}})"));
    EXPECT_FALSE(has(terminal_properties(world), "EXPECT"));
    pmodel::World wrong = finished(pair_scenario(R"({"a": {"outcome": "cancelled"}})"));
    EXPECT_TRUE(has(terminal_properties(wrong), "EXPECT"));
}

std::string first_monitored(pmodel::World& world, CompId source, pcore::Effects effects) {
    WorldTestAccess::apply(world, source, std::move(effects));
    return world.violations().empty() ? "" : world.violations().front().property;
}

// a's round 0 and b's round 0 are linked (b accepted a put of a's); a committed it, b ended in
// it after being triggered as given. Returns the verdict of b's round concluding.
std::string judge_split_round(pmodel::EndTrigger trigger, bool after_vote, CompId from = {}) {
    pmodel::World world = finished(pair_scenario());
    WorldTestAccess::ghost(world).links.push_back(pmodel::RoundLink{kA, 0, kB, 0});
    auto& a = WorldTestAccess::facts(world, kA);
    a.rounds = 1;
    a.last_round = pmodel::RoundStatus::committed;
    auto& b = WorldTestAccess::facts(world, kB);
    b.rounds = 1;
    b.last_round = pmodel::RoundStatus::ended;
    b.submitted = after_vote;
    b.trigger = trigger;
    b.trigger_after_submit = after_vote;
    b.trigger_from = from;
    WorldTestAccess::conclude(world, kB);
    EXPECT_TRUE(WorldTestAccess::ghost(world).links.empty()) << "a judged link is dropped";
    return world.violations().empty() ? "" : world.violations().front().property;
}

TEST(Properties, SY1AParticipantThatVotedEndsOnlyWithItsRound) {
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::decision, true), "SY-1");
    // A round cancel after the vote: the issue's case that no property caught.
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::other_message, true), "SY-1");
    // The two-phase-commit window: killed from outside after its vote.
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::external, true), "");
}

TEST(Properties, SY2CommittedRoundLeavesNoPutUnaccepted) {
    pmodel::World world = finished(pair_scenario());
    WorldTestAccess::ghost(world).puts.push_back(put_record(kA, 0));
    auto& a = WorldTestAccess::facts(world, kA);
    a.rounds = 1;
    a.last_round = pmodel::RoundStatus::committed;
    WorldTestAccess::conclude(world, kA);
    ASSERT_FALSE(world.violations().empty());
    EXPECT_EQ(world.violations().front().property, "SY-2");

    pmodel::World accepted = finished(pair_scenario());
    pmodel::PutRecord taken = put_record(kA, 0);
    taken.status = pmodel::PutStatus::accepted;
    WorldTestAccess::ghost(accepted).puts.push_back(taken);
    WorldTestAccess::facts(accepted, kA).rounds = 1;
    WorldTestAccess::facts(accepted, kA).last_round = pmodel::RoundStatus::committed;
    WorldTestAccess::conclude(accepted, kA);
    EXPECT_TRUE(accepted.violations().empty());
    EXPECT_TRUE(WorldTestAccess::ghost(accepted).puts.empty()) << "judged puts are dropped";
}

TEST(Properties, SY3FalseFailureInASolutionRound) {
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::close_port, true, kA), "SY-3");
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::close_port, false, kA), "SY-3");
}

TEST(Properties, SY4FailureInsideARoundForbidsSolution) {
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::own, false), "SY-4");
    EXPECT_EQ(judge_split_round(pmodel::EndTrigger::close_port, false, kMain), "SY-4");
}

// a put on channel 7 and then on channel 8 in its round 0; b accepts them in the given order
// of channels, then a commits the round. Returns the first violation.
std::string judge_accept_order(std::uint32_t first_serial, std::uint32_t second_serial) {
    pmodel::World world = finished(pair_scenario());
    pmodel::PutRecord earlier = put_record(kA, 0, 1, 7);
    pmodel::PutRecord later = put_record(kA, 0, 2, 8);
    later.order = 1;
    WorldTestAccess::ghost(world).puts = {earlier, later};
    auto& a = WorldTestAccess::facts(world, kA);
    a.rounds = 1;
    a.last_round = pmodel::RoundStatus::open;
    const auto value_of = [](std::uint32_t serial) { return serial == 7 ? 1 : 2; };
    for (const std::uint32_t serial : {first_serial, second_serial}) {
        const std::string seen = first_monitored(
            world, kB, {pcore::FactAccepted{pcore::ChannelId{0, serial}, 0, value_of(serial)}});
        EXPECT_EQ(seen, "") << "SY-5 waits for the round to commit";
    }
    WorldTestAccess::facts(world, kA).last_round = pmodel::RoundStatus::committed;
    WorldTestAccess::conclude(world, kA);
    return world.violations().empty() ? "" : world.violations().front().property;
}

TEST(Properties, SY5CommittedRoundAcceptedInPutOrder) {
    EXPECT_EQ(judge_accept_order(8, 7), "SY-5");
    EXPECT_EQ(judge_accept_order(7, 8), "");
}

TEST(Properties, PT1AcceptedOnceInOrderWithItsValue) {
    pmodel::World world = finished(pair_scenario());
    const pcore::ChannelId channel{0, 7};
    WorldTestAccess::ghost(world).puts = {put_record(kA, 0, 5), put_record(kA, 1, 6)};
    EXPECT_EQ(first_monitored(world, kB, {pcore::FactAccepted{channel, 0, 5}}), "");
    EXPECT_EQ(first_monitored(world, kB, {pcore::FactAccepted{channel, 0, 5}}), "PT-1");

    pmodel::World skipped = finished(pair_scenario());
    WorldTestAccess::ghost(skipped).puts = {put_record(kA, 0, 5), put_record(kA, 1, 6)};
    EXPECT_EQ(first_monitored(skipped, kB, {pcore::FactAccepted{channel, 1, 6}}), "PT-1");

    pmodel::World altered = finished(pair_scenario());
    WorldTestAccess::ghost(altered).puts = {put_record(kA, 0, 5)};
    EXPECT_EQ(first_monitored(altered, kB, {pcore::FactAccepted{channel, 0, 9}}), "PT-1");
}

TEST(Properties, PT2ScheduledOnlyAfterEveryAck) {
    pmodel::World world = finished(pair_scenario());
    WorldTestAccess::ghost(world).handoffs.push_back(pmodel::Handoff{kMain, kA, {}});
    EXPECT_EQ(first_monitored(world, kMain, {pcore::ScheduleComponent{kA}}), "");
    pmodel::World early = finished(pair_scenario());
    WorldTestAccess::ghost(early).handoffs.push_back(pmodel::Handoff{kMain, kA, {3}});
    EXPECT_EQ(first_monitored(early, kMain, {pcore::ScheduleComponent{kA}}), "PT-2");
}

TEST(Properties, LC1NothingSentToAFreedComponent) {
    pmodel::World world = finished(pair_scenario());
    ASSERT_TRUE(world.freed(kA));
    EXPECT_EQ(first_monitored(world, kB, {pcore::Send{kA, pcore::Acknowledge{1}}}), "LC-1");
}

TEST(Properties, LC1NothingStillInFlightToAFreedComponent) {
    pmodel::World world = finished(pair_scenario());
    WorldTestAccess::in_flight(world, kA, kB, pcore::Acknowledge{1});
    WorldTestAccess::judge_free(world, kB);
    ASSERT_FALSE(world.violations().empty());
    EXPECT_EQ(world.violations().front().property, "LC-1");

    // Out of band (the registry drops it), or sent to itself: not a message lost to a peer.
    pmodel::World exempt = finished(pair_scenario());
    WorldTestAccess::in_flight(exempt, kA, kB,
                               pcore::CancelRequest{kA, pcore::CancelLayer::component});
    WorldTestAccess::in_flight(exempt, kB, kB, pcore::Acknowledge{1});
    WorldTestAccess::judge_free(exempt, kB);
    EXPECT_TRUE(exempt.violations().empty());
}

TEST(Properties, LC3CountNeverNegative) {
    pmodel::World world = finished(pair_scenario());
    EXPECT_EQ(first_monitored(world, kB, {pcore::RefDec{kA}}), "LC-3");
}

}  // namespace
