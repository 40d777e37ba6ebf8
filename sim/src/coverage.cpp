#include "psim/coverage.hpp"

#include <variant>

namespace psim {

static_assert(static_cast<std::size_t>(pcore::Op::exit) + 1 == statement_kinds,
              "a new statement kind needs its name in step_kind_name");
static_assert(static_cast<std::size_t>(pcore::FaultKind::signal) == 2);

std::size_t step_kind(const pmodel::World& world, const pmodel::Action& action) {
    switch (action.kind) {
        case pmodel::ActionKind::run: {
            const pmodel::CompSlot& slot = world.comps()[action.comp.value()];
            if (!slot.state.shutdown.queued.empty()) return handler_step;
            const pcore::Program& program =
                world.scenario().compiled->definitions[slot.state.definition].program;
            if (slot.state.pc >= program.code.size()) return end_of_program_step;
            return static_cast<std::size_t>(program.code[slot.state.pc].op);
        }
        case pmodel::ActionKind::deliver: {
            const pmodel::Link* link = world.link(action.from, action.to);
            if (link == nullptr || action.index >= link->queue.size()) return first_message_kind;
            return first_message_kind + link->queue[action.index].index();
        }
        case pmodel::ActionKind::fault:
            return first_fault_kind + action.index;
        case pmodel::ActionKind::timeout:
            return timeout_step;
    }
    return timeout_step;
}

const char* step_kind_name(std::size_t kind) {
    static constexpr const char* names[] = {"run:channel",
                                            "run:spawn",
                                            "run:sync_begin",
                                            "run:sync_end",
                                            "run:put_value",
                                            "run:put_ports",
                                            "run:get",
                                            "run:select",
                                            "run:jump",
                                            "run:fail",
                                            "run:cancel",
                                            "run:exit",
                                            "run:failure_handler",
                                            "run:end_of_program",
                                            "deliver:Data",
                                            "deliver:PeerChangeBlockPort",
                                            "deliver:Acknowledge",
                                            "deliver:PeerChangeUnblockPort",
                                            "deliver:ClosePort",
                                            "deliver:DataMessageFailed",
                                            "deliver:NotificationOfLeader",
                                            "deliver:Submission",
                                            "deliver:Decision",
                                            "deliver:CancelRequest",
                                            "fault:crash",
                                            "fault:cancel",
                                            "fault:signal",
                                            "timeout"};
    static_assert(std::size(names) == step_kind_count);
    return kind < step_kind_count ? names[kind] : "?";
}

}  // namespace psim
