#include "pcheck/dead_fields.hpp"

#include <unordered_map>

#include "pmodel/world_parts.hpp"

namespace pcheck {

namespace {

// The instructions control can reach next from instruction `at` (the last one's successor is
// one past the end: the program completes there).
template <typename Visit>
void successors(const pcore::Program& program, std::size_t at, Visit visit) {
    const pcore::Instruction& instruction = program.code[at];
    switch (instruction.op) {
        case pcore::Op::jump:
            visit(instruction.target);
            return;
        case pcore::Op::select:
            for (const pcore::SelectBranch& branch : program.select_branches[instruction.list]) {
                visit(branch.target);
            }
            return;
        case pcore::Op::fail:
        case pcore::Op::exit:
            return;
        default:
            visit(at + 1);
    }
}

// Per program counter: whether a sync_begin is reachable from there (a backward fixpoint;
// programs are small and loops are unrolled, so a few passes settle it).
std::vector<bool> sync_reachable(const pcore::Program& program) {
    const std::size_t size = program.code.size();
    std::vector<bool> ahead(size + 1, false);
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t at = size; at-- > 0;) {
            if (ahead[at]) continue;
            bool reach = program.code[at].op == pcore::Op::sync_begin;
            successors(program, at,
                       [&](std::size_t next) { reach = reach || (next <= size && ahead[next]); });
            if (reach) {
                ahead[at] = true;
                changed = true;
            }
        }
    }
    return ahead;
}

}  // namespace

DeadFields::DeadFields(const pcore::CompiledScenario& scenario) {
    sync_ahead_.reserve(scenario.definitions.size());
    for (const pcore::Definition& definition : scenario.definitions) {
        sync_ahead_.push_back(sync_reachable(definition.program));
    }
}

bool DeadFields::sync_ahead(const pcore::ComponentState& state) const {
    const std::vector<bool>& ahead = sync_ahead_[state.definition];
    return state.pc >= ahead.size() || ahead[state.pc];
}

bool DeadFields::buffered_dead(const pcore::ComponentState& state) const {
    if (state.outcome.kind != pcore::OutcomeKind::running) return true;
    return !state.round.active && !state.in_sync && !sync_ahead(state);
}

bool DeadFields::any(const pcore::ComponentState& state) const {
    if (!state.round.active && state.round.leader_via.valid()) return true;
    return !state.round.buffered.empty() && buffered_dead(state);
}

void DeadFields::clear(pcore::ComponentState& state) const {
    if (!state.round.active) state.round.leader_via = pcore::CompId::none();
    if (buffered_dead(state)) state.round.buffered.clear();
}

std::uint64_t DeadFields::fingerprint(const pmodel::World& world) const {
    // A slot's key hash depends on its content only: remembered by its content hash, so that
    // the many states sharing a finished component clear and hash it once.
    thread_local std::unordered_map<std::uint64_t, std::uint64_t> cleared_hashes;
    if (cleared_hashes.size() > (1u << 16)) cleared_hashes.clear();
    return pmodel::WorldParts::fingerprint_over(world, [&](std::size_t index) {
        const pmodel::CompSlot& slot = world.comps()[index];
        if (!any(slot.state)) return pmodel::WorldParts::entry_hash(world, index);
        const std::uint64_t own = pmodel::WorldParts::slot_hash(world, index);
        auto [at, fresh] = cleared_hashes.try_emplace(own, 0);
        if (fresh) {
            pmodel::CompSlot cleared = slot;
            clear(cleared.state);
            at->second = pmodel::hash_slot(cleared);
        }
        return pmodel::WorldParts::entry_hash_with(world, index, at->second);
    });
}

}  // namespace pcheck
