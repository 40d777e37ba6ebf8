// Unit tests of the core's handlers: a state, one input, the exact effects and next state.
#include <gtest/gtest.h>

#include "pcore/component.hpp"
#include "pcore/encode.hpp"
#include "pscenario/loader.hpp"

namespace {

using namespace pcore;

// Two definitions and a host; tests drive components by hand, not through the world.
constexpr const char* scenario_text = R"({
  "format": "protocheck-scenario/1", "name": "unit",
  "definitions": {
    "putter": {"params": ["out"], "program": [{"sync": [{"put": "out", "value": 7}]}]},
    "getter": {"params": ["in"], "program": [{"sync": [{"get": "in"}]}]}
  },
  "main": [{"channel": ["tx", "rx"]}, {"spawn": "putter", "args": ["tx"], "as": "p"},
           {"spawn": "getter", "args": ["rx"], "as": "g"}]
})";

class CoreTest : public ::testing::Test {
  protected:
    CoreTest()
        : scenario_(pscenario::load_scenario_text(scenario_text, "unit")),
          compiled_(*scenario_->compiled) {}

    StepContext context(std::uint32_t next = 9) const {
        return StepContext{&compiled_, &variants_, CompId(next)};
    }

    // A component of `definition` owning one port whose peer is (peer, peer_port).
    ComponentState component(
        std::uint32_t definition, CompId self, PortKind kind, CompId peer, PortId peer_port) const {
        ComponentState state;
        state.self = self;
        state.definition = definition;
        state.round.highest = self;
        state.slots.assign(compiled_.definitions[definition].program.slot_count, PortId::none());
        Port port;
        port.kind = kind;
        port.peer_comp = peer;
        port.peer_port = peer_port;
        port.channel = ChannelId{0, 0};
        port.holds_ref = true;
        state.ports.push_back(port);
        state.peers.push_back(PeerLink{peer, 1});
        state.slots[0] = PortId(0);
        return state;
    }

    std::uint32_t definition(const std::string& name) const {
        for (std::uint32_t index = 0; index < compiled_.definitions.size(); ++index) {
            if (compiled_.definitions[index].name == name) return index;
        }
        return 0;
    }

    std::shared_ptr<const pmodel::Scenario> scenario_;
    const CompiledScenario& compiled_;
    Variants variants_;
};

template <class T>
std::vector<T> effects_of(const Effects& effects) {
    std::vector<T> found;
    for (const Effect& effect : effects) {
        if (const T* typed = std::get_if<T>(&effect)) found.push_back(*typed);
    }
    return found;
}

TEST_F(CoreTest, ChannelCreatesBothEndsOwnedLocallyWithoutHandles) {
    ComponentState host = make_host(compiled_);
    const StepResult result = step(host, context(), RunInput{});
    EXPECT_TRUE(result.effects.empty());
    ASSERT_EQ(result.next.ports.size(), 2u);
    EXPECT_EQ(result.next.ports[0].kind, PortKind::putter);
    EXPECT_EQ(result.next.ports[0].peer_comp, CompId(0));
    EXPECT_EQ(result.next.ports[0].peer_port, PortId(1));
    EXPECT_EQ(result.next.ports[1].peer_port, PortId(0));
    EXPECT_EQ(result.next.pc, 1u);
}

TEST_F(CoreTest, PutSendsAnnotatedDataAndRecordsTheFact) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), RunInput{}).next;  // sync {
    ASSERT_TRUE(putter.round.active);
    const StepResult result = step(putter, context(), RunInput{});
    const auto sends = effects_of<Send>(result.effects);
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].to, CompId(2));
    const auto& data = std::get<Data>(sends[0].message);
    EXPECT_EQ(data.value, 7);
    EXPECT_EQ(data.mapping, 1u);
    EXPECT_EQ(data.header.sender, CompId(1));
    EXPECT_EQ(data.header.highest, CompId(1));
    ASSERT_EQ(data.annotations.size(), 1u);
    EXPECT_EQ(data.annotations[0].mapping, 1u);
    EXPECT_EQ(data.seq, 0u);  // the channel's first put (PT-1's ghost sequence number)
    // The putter does not learn its receiver by putting.
    EXPECT_TRUE(result.next.round.peers.empty());
}

TEST_F(CoreTest, ClosePortOutsideARoundClosesAcknowledgesAndDropsTheHandle) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    ClosePort close{
        PortRef{PortId(0), CompId::none()}, CompId(1), PortId(0), 5, false, 0, false, {}};
    const StepResult result = step(getter, context(), ReceiveInput{CompId(1), close});
    ASSERT_EQ(result.effects.size(), 2u);
    const auto& ack = std::get<Send>(result.effects[0]);
    EXPECT_EQ(ack.to, CompId(1));
    EXPECT_EQ(std::get<Acknowledge>(ack.message).control_id, 5u);
    EXPECT_EQ(std::get<RefDec>(result.effects[1]).comp, CompId(1));
    EXPECT_TRUE(result.next.ports[0].closed);
    EXPECT_TRUE(result.next.peers.empty());
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::running);  // fails only on later use
}

TEST_F(CoreTest, GetOnAPortClosedByAFailedPeerFailsWithThePeersError) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    ErrorInfo error{ErrorType(builtin_error::count), CompId(1), {}};
    ClosePort close{
        PortRef{PortId(0), CompId::none()}, CompId(1), PortId(0), 5, false, 0, true, error};
    getter = step(getter, context(), ReceiveInput{CompId(1), close}).next;
    getter = step(getter, context(), RunInput{}).next;  // sync {
    ASSERT_TRUE(runnable(getter, compiled_));           // a closed port makes get runnable
    const StepResult result = step(getter, context(), RunInput{});
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::failed);
    EXPECT_TRUE(result.next.outcome.remote);
    EXPECT_EQ(result.next.outcome.error.origin, CompId(1));
}

TEST_F(CoreTest, ClosePortInsideTheRoundFailsAParticipantThatUsedThePort) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), RunInput{}).next;  // sync {
    putter = step(putter, context(), RunInput{}).next;  // put
    ErrorInfo error{ErrorType(builtin_error::count), CompId(2), {}};
    ClosePort close{
        PortRef{PortId(0), CompId::none()}, CompId(2), PortId(0), 3, true, 0, true, error};
    const StepResult result = step(putter, context(), ReceiveInput{CompId(2), close});
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::failed);
    EXPECT_EQ(result.next.outcome.error.origin, CompId(2));
    EXPECT_TRUE(result.next.outcome.in_sync);
}

// Seed 004: failing inside a sync block before any put or get counts as failing outside it:
// no vote for a round nobody knows of, and the ClosePort says nonsync. After a put it is sync.
TEST_F(CoreTest, FailingInSyncBeforeAnyInteractionIsFailingOutsideSync) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), RunInput{}).next;  // sync {
    const StepResult before = step(putter, context(), FaultInput{FaultKind::crash});
    EXPECT_EQ(before.next.outcome.kind, OutcomeKind::failed);
    EXPECT_FALSE(before.next.outcome.in_sync);
    EXPECT_FALSE(before.next.round.active);
    bool close_seen = false;
    for (const Effect& effect : before.effects) {
        const auto* send = std::get_if<Send>(&effect);
        if (send == nullptr) continue;
        const auto* close = std::get_if<ClosePort>(&send->message);
        ASSERT_NE(close, nullptr) << "only the ClosePort goes out: no part, no decision";
        EXPECT_FALSE(close->in_sync);
        close_seen = true;
    }
    EXPECT_TRUE(close_seen);

    putter = step(putter, context(), RunInput{}).next;  // put
    const StepResult after = step(putter, context(), FaultInput{FaultKind::crash});
    EXPECT_TRUE(after.next.outcome.in_sync);
}

TEST_F(CoreTest, ClosePortFromALaterRoundDoesNotFailUnderTheRoundNumberRule) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), RunInput{}).next;
    putter = step(putter, context(), RunInput{}).next;
    ErrorInfo error{ErrorType(builtin_error::count), CompId(2), {}};
    // The closer completed this round already (its count is one ahead): seed 004 case 2/4.
    ClosePort close{
        PortRef{PortId(0), CompId::none()}, CompId(2), PortId(0), 3, true, 1, true, error};
    EXPECT_EQ(step(putter, context(), ReceiveInput{CompId(2), close}).next.outcome.kind,
              OutcomeKind::running);
    Variants flag_only;
    flag_only.close_port_info = ClosePortInfo::in_sync_flag;
    const StepContext flag_context{&compiled_, &flag_only, CompId(9)};
    EXPECT_EQ(step(putter, flag_context, ReceiveInput{CompId(2), close}).next.outcome.kind,
              OutcomeKind::failed);
}

TEST_F(CoreTest, CrossingClosePortCountsAsTheAcknowledge) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    getter.pc = 99;  // past the end: the next run ends the component normally
    StepResult ending = step(getter, context(), RunInput{});
    ASSERT_EQ(ending.next.mode, Mode::busy_exit);
    const auto sends = effects_of<Send>(ending.effects);
    ASSERT_EQ(sends.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<ClosePort>(sends[0].message));
    ClosePort theirs{
        PortRef{PortId(0), CompId::none()}, CompId(1), PortId(0), 8, false, 0, false, {}};
    const StepResult result = step(ending.next, context(), ReceiveInput{CompId(1), theirs});
    EXPECT_EQ(result.next.mode, Mode::exited);
    EXPECT_TRUE(effects_of<Send>(result.effects).empty());  // no Acknowledge either way
    const auto decs = effects_of<RefDec>(result.effects);
    ASSERT_EQ(decs.size(), 2u);
    EXPECT_EQ(decs[0].comp, CompId(1));  // the handle on the peer
    EXPECT_EQ(decs[1].comp, CompId(2));  // the self reference
}

TEST_F(CoreTest, DataReachingAnExitingComponentIsAnsweredWithDataMessageFailed) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    getter.pc = 99;
    getter = step(getter, context(), RunInput{}).next;
    Data data;
    data.header = SyncHeader{CompId(1), CompId(1), 0};
    data.target = PortRef{PortId(0), CompId::none()};
    data.sending_port = PortId(4);
    data.seq = 3;
    const StepResult result = step(getter, context(), ReceiveInput{CompId(1), data});
    const auto sends = effects_of<Send>(result.effects);
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].to, CompId(1));
    EXPECT_EQ(std::get<DataMessageFailed>(sends[0].message).putter_port, PortId(4));
    EXPECT_EQ(std::get<DataMessageFailed>(sends[0].message).seq, 3u);
    Variants off;
    off.data_message_failed = OnOff::off;
    const StepContext off_context{&compiled_, &off, CompId(9)};
    EXPECT_TRUE(step(getter, off_context, ReceiveInput{CompId(1), data}).effects.empty());
}

TEST_F(CoreTest, BlockAcknowledgesAndBlocksPutsUntilUnblockRetargets) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(0), PortId(1));
    PeerChangeBlockPort block{PortRef{PortId(0), CompId::none()}, CompId(0), 4};
    StepResult blocked = step(putter, context(), ReceiveInput{CompId(0), block});
    ASSERT_EQ(blocked.effects.size(), 1u);
    EXPECT_EQ(std::get<Acknowledge>(std::get<Send>(blocked.effects[0]).message).control_id, 4u);
    EXPECT_TRUE(blocked.next.ports[0].blocked);
    ComponentState in_sync = step(blocked.next, context(), RunInput{}).next;  // sync {
    EXPECT_FALSE(runnable(in_sync, compiled_));                               // put waits
    PeerChangeUnblockPort unblock{PortRef{PortId(0), CompId::none()}, CompId(3), PortId(0)};
    const StepResult result = step(in_sync, context(), ReceiveInput{CompId(0), unblock});
    EXPECT_EQ(result.next.ports[0].peer_comp, CompId(3));
    EXPECT_FALSE(result.next.ports[0].blocked);
    // Old handle dropped; the new one came with the message and is kept.
    ASSERT_EQ(result.effects.size(), 1u);
    EXPECT_EQ(std::get<RefDec>(result.effects[0]).comp, CompId(0));
    EXPECT_TRUE(runnable(result.next, compiled_));
}

TEST_F(CoreTest, SpawnWithAThirdPartyPeerWaitsForTheAcknowledgeBeforeScheduling) {
    // The host owns rx whose peer tx was given to component 1: spawning with rx is case 3.
    ComponentState host = make_host(compiled_);
    host = step(host, context(1), RunInput{}).next;                      // channel
    const StepResult first = step(host, context(1), RunInput{});         // spawn putter with tx
    ASSERT_EQ(effects_of<ScheduleComponent>(first.effects).size(), 1u);  // case 2: no protocol
    const StepResult second = step(first.next, context(2), RunInput{});  // spawn getter with rx
    EXPECT_EQ(second.next.mode, Mode::transferring);
    EXPECT_TRUE(effects_of<ScheduleComponent>(second.effects).empty());
    const auto sends = effects_of<Send>(second.effects);
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].to, CompId(1));
    const auto& block = std::get<PeerChangeBlockPort>(sends[0].message);
    const StepResult done =
        step(second.next, context(3), ReceiveInput{CompId(1), Acknowledge{block.control_id}});
    EXPECT_EQ(done.next.mode, Mode::running);
    const auto schedules = effects_of<ScheduleComponent>(done.effects);
    ASSERT_EQ(schedules.size(), 1u);
    EXPECT_EQ(schedules[0].comp, CompId(2));
    const auto unblocks = effects_of<Send>(done.effects);
    ASSERT_EQ(unblocks.size(), 1u);
    EXPECT_EQ(std::get<PeerChangeUnblockPort>(unblocks[0].message).new_comp, CompId(2));
}

// ---- cancellation, the failure handler guard, precedence (error-propagation issue) ----

TEST_F(CoreTest, ComponentCancelEndsTheTargetCancelledNamingTheCanceller) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    getter = step(getter, context(), RunInput{}).next;  // sync {
    const StepResult result =
        step(getter, context(),
             ReceiveInput{CompId(0), CancelRequest{CompId(0), CancelLayer::component}});
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::cancelled);
    EXPECT_EQ(result.next.outcome.error.origin, CompId(0));
    EXPECT_EQ(result.next.outcome.error.layer, CancelLayer::component);
    EXPECT_EQ(result.next.shutdown.handler_runs, 1);
    const auto causes = effects_of<FactCause>(result.effects);
    ASSERT_EQ(causes.size(), 1u);
    EXPECT_EQ(causes[0].error.type, builtin_error::cancelled);
    EXPECT_EQ(causes[0].error.origin, CompId(0));
    // The ClosePort carries the cancellation, relayed by the target.
    bool carried = false;
    for (const Send& send : effects_of<Send>(result.effects)) {
        if (const auto* close = std::get_if<ClosePort>(&send.message)) {
            carried = close->has_error && close->error.type == builtin_error::cancelled &&
                      close->error.relay == std::vector<CompId>{CompId(2)};
        }
    }
    EXPECT_TRUE(carried);
}

TEST_F(CoreTest, RoundCancelOutsideARoundHasNothingToCancel) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    const StepResult result = step(
        getter, context(), ReceiveInput{CompId(1), CancelRequest{CompId(1), CancelLayer::round}});
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::running);
    EXPECT_TRUE(result.effects.empty());
}

TEST_F(CoreTest, OwnCancelComingBackIsAbsorbedAsItsOwn) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    getter = step(getter, context(), RunInput{}).next;  // sync {
    const ErrorInfo own{builtin_error::cancelled, CompId(2), {CompId(1)}, CancelLayer::round};
    ClosePort close{
        PortRef{PortId(0), CompId::none()}, CompId(1), PortId(0), 4, true, 0, true, own};
    getter = step(getter, context(), ReceiveInput{CompId(1), close}).next;
    const StepResult result = step(getter, context(), RunInput{});  // get on the closed port
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::cancelled);
    EXPECT_EQ(cause_of(result.next.outcome, CompId(2)), EndCause::own_cancel);
}

TEST_F(CoreTest, ErrorFirstKeepsALocalErrorWhenACancelArrivesWhileUnwinding) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), FaultInput{FaultKind::crash}).next;
    ASSERT_EQ(putter.mode, Mode::busy_exit);  // waiting for its ClosePort's Ack
    const CancelRequest cancel{CompId(0), CancelLayer::component};
    StepResult kept = step(putter, context(), ReceiveInput{CompId(0), cancel});
    EXPECT_EQ(kept.next.outcome.kind, OutcomeKind::failed);
    EXPECT_EQ(kept.next.outcome.error.type, builtin_error::crash);
    // tractor's masking bug as a variant: the cancel replaces the error.
    variants_.cancel_precedence = CancelPrecedence::cancel_overrides;
    StepResult masked = step(putter, context(), ReceiveInput{CompId(0), cancel});
    EXPECT_EQ(masked.next.outcome.kind, OutcomeKind::cancelled);
    variants_ = Variants{};
}

TEST_F(CoreTest, ResultBeforeCancelWins) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter.pc = 3;  // past the program: the next run completes it
    putter = step(putter, context(), RunInput{}).next;
    ASSERT_EQ(putter.outcome.kind, OutcomeKind::completed);
    const StepResult result =
        step(putter, context(), ReceiveInput{CompId(0), CancelRequest{CompId(0), CancelLayer::os}});
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::completed);
    EXPECT_TRUE(effects_of<FactCause>(result.effects).empty());
}

TEST_F(CoreTest, ShutdownGuardNoneRunsTheHandlerTwiceForTwoTriggers) {
    variants_.shutdown_guard = ShutdownGuard::none;
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), FaultInput{FaultKind::crash}).next;   // main path
    putter = step(putter, context(), FaultInput{FaultKind::signal}).next;  // signal path
    EXPECT_EQ(putter.shutdown.queued.size(), 2u);
    EXPECT_TRUE(runnable(putter, compiled_));  // the handler steps
    putter = step(putter, context(), RunInput{}).next;
    EXPECT_EQ(putter.outcome.kind, OutcomeKind::failed);
    putter = step(putter, context(), RunInput{}).next;
    EXPECT_EQ(putter.shutdown.handler_runs, 2);  // NM-5 broken by design
    variants_ = Variants{};
}

TEST_F(CoreTest, ShutdownGuardLockDeadlocksOnASignalDuringTheHandler) {
    variants_.shutdown_guard = ShutdownGuard::lock;
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), FaultInput{FaultKind::crash}).next;
    EXPECT_TRUE(putter.shutdown.lock_held);
    putter = step(putter, context(), FaultInput{FaultKind::signal}).next;
    EXPECT_TRUE(putter.shutdown.deadlocked);
    EXPECT_FALSE(runnable(putter, compiled_));
    EXPECT_FALSE(receptive(putter));
    EXPECT_EQ(waits_for(putter, compiled_).reason.find("stuck in its failure handler"), 3u);
    variants_ = Variants{};
}

TEST_F(CoreTest, AtomicFlagRunsTheHandlerOnceAndMergesTheSecondTrigger) {
    ComponentState putter =
        component(definition("putter"), CompId(1), PortKind::putter, CompId(2), PortId(0));
    putter = step(putter, context(), FaultInput{FaultKind::signal}).next;
    putter = step(putter, context(), FaultInput{FaultKind::crash}).next;
    EXPECT_EQ(putter.shutdown.handler_runs, 1);
    EXPECT_EQ(putter.outcome.kind, OutcomeKind::failed);  // the local error outranks the signal
}

TEST_F(CoreTest, TimeoutFailsWithTimeout) {
    ComponentState getter =
        component(definition("getter"), CompId(2), PortKind::getter, CompId(1), PortId(0));
    getter = step(getter, context(), RunInput{}).next;  // sync {, then blocked on get
    const StepResult result = step(getter, context(), TimeoutInput{});
    EXPECT_EQ(result.next.outcome.kind, OutcomeKind::failed);
    EXPECT_EQ(result.next.outcome.error.type, builtin_error::timeout);
    EXPECT_FALSE(result.next.outcome.remote);
}

TEST_F(CoreTest, StepValueFormEqualsInPlaceForm) {
    ComponentState host = make_host(compiled_);
    ComponentState in_place = host;
    Effects effects;
    step_in_place(in_place, context(), RunInput{}, effects);
    const StepResult result = step(host, context(), RunInput{});
    EXPECT_EQ(result.next, in_place);
    EXPECT_EQ(result.effects.size(), effects.size());
}

TEST_F(CoreTest, EncodingSeparatesDifferentStatesAndMatchesEqualOnes) {
    ComponentState a = make_host(compiled_);
    ComponentState b = make_host(compiled_);
    ByteWriter left;
    ByteWriter right;
    encode(left, a);
    encode(right, b);
    EXPECT_EQ(left.bytes(), right.bytes());
    b.pc = 1;
    right.clear();
    encode(right, b);
    EXPECT_NE(left.bytes(), right.bytes());
    EXPECT_NE(hash_bytes(left.bytes()), hash_bytes(right.bytes()));
}

TEST(HashTest, IsStableAcrossRunsAndBuilds) {
    // Pinned: a change here changes every fingerprint in the trace corpus.
    const std::vector<std::uint8_t> bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    EXPECT_EQ(hash_bytes(bytes), hash_bytes(bytes));
    EXPECT_NE(hash_bytes(bytes), hash_bytes(bytes, 1));
    EXPECT_NE(hash_bytes(bytes.data(), 10), hash_bytes(bytes.data(), 11));
}

}  // namespace

// A failed outcome whose error type no scenario declares (a runtime bug: a planted one made
// `check` crash while writing the trace) is named by its number, never read out of bounds.
TEST(ErrorNames, AnUndeclaredErrorTypeIsNamedByItsNumber) {
    pcore::CompiledScenario compiled;
    compiled.error_types = {"Crash"};
    EXPECT_EQ(compiled.error_name(pcore::ErrorType{0}), "Crash");
    EXPECT_EQ(compiled.error_name(pcore::ErrorType{7}), "<error type 7>");
    EXPECT_EQ(compiled.error_name(pcore::ErrorType{}), "<error type 65535>");
}
