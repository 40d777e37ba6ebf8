#include "pcheck/dead_fields.hpp"

#include <array>
#include <cassert>

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

namespace {

// A freed component's state as the key sees it: what the observers and reports read of it.
pcore::ComponentState freed_remains(const pcore::ComponentState& state) {
    pcore::ComponentState remains;
    remains.self = state.self;
    remains.creator = state.creator;
    remains.definition = state.definition;
    remains.pc = state.pc;
    remains.mode = state.mode;
    remains.outcome = state.outcome;
    remains.shutdown = state.shutdown;
    return remains;
}

// Whether a freed component's state is its remains already (the cheap fields first).
bool only_remains(const pcore::ComponentState& state) {
    const pcore::ComponentState fresh;
    return state.ports.empty() && state.slots.empty() && state.peers.empty() &&
           state.control.empty() && state.channel_counter == fresh.channel_counter &&
           state.next_control_id == fresh.next_control_id && state.in_sync == fresh.in_sync &&
           state.transfer == fresh.transfer && state.round == fresh.round;
}

}  // namespace

bool DeadFields::any(const pcore::ComponentState& state, bool freed) const {
    if (freed) return !only_remains(state);
    if (!state.round.active && state.round.leader_via.valid()) return true;
    return !state.round.buffered.empty() && buffered_dead(state);
}

void DeadFields::clear(pcore::ComponentState& state, bool freed) const {
    if (freed) {
        state = freed_remains(state);
        return;
    }
    if (!state.round.active) state.round.leader_via = pcore::CompId::none();
    if (buffered_dead(state)) state.round.buffered.clear();
}

bool DeadFields::clear(pmodel::World& world) const {
    bool any_reset = false;
    for (std::size_t index = 0; index < world.comps().size(); ++index) {
        const bool freed = world.freed(pmodel::CompId(static_cast<std::uint32_t>(index)));
        if (!any(world.comps()[index].state, freed)) continue;
        clear(pmodel::WorldParts::comps(world).mutable_at(index).state, freed);
        any_reset = true;
    }
    return any_reset;
}

std::uint64_t DeadFields::entry_key(const pmodel::World& world, std::size_t index) const {
    // An entry's key depends on its content only (slot, count, freed flag, facts): remembered
    // by its entry hash (never 0) in a direct-mapped table, so that the many states sharing a
    // finished component clear and hash it once, and look it up in one probe.
    struct Remembered {
        std::uint64_t entry = 0;
        std::uint64_t key = 0;
    };
    constexpr std::size_t table_size = 1u << 13;
    thread_local std::array<Remembered, table_size> remembered{};
    const std::uint64_t entry = pmodel::WorldParts::entry_hash(world, index);
    const pmodel::CompSlot& slot = world.comps()[index];
    const bool freed = world.freed(pmodel::CompId(static_cast<std::uint32_t>(index)));
    if (!any(slot.state, freed)) return entry;
    Remembered& at = remembered[entry & (table_size - 1)];
    if (at.entry != entry) {
        pmodel::CompSlot cleared = slot;
        clear(cleared.state, freed);
        const std::uint64_t slot_hash = pmodel::hash_slot(cleared);
        at = Remembered{entry, pmodel::WorldParts::entry_hash_with(world, index, slot_hash)};
    }
    return at.key;
}

std::uint64_t DeadFields::fingerprint(const pmodel::World& world) const {
    return key_of_parts(world, [&](std::size_t index) { return entry_key(world, index); });
}

std::uint64_t DeadFields::fingerprint_from(const pmodel::World& parent,
                                           std::uint64_t parent_key,
                                           const pmodel::World& child) const {
    // A parent keyed 1 may have summed to 0 or to 1: start from scratch.
    if (parent_key == 1) return fingerprint(child);
    std::uint64_t key = parent_key - shape_term(parent) + shape_term(child);
    const pmodel::SlotVector& before = parent.comps();
    const pmodel::SlotVector& after = child.comps();
    assert(after.size() >= before.size());  // components are never removed, only freed
    for (std::size_t index = 0; index < after.size(); ++index) {
        const bool existed = index < before.size();
        // Every change to an entry drops its note, and equal notes name equal entries.
        if (existed && after.note(index) != nullptr && after.note(index) == before.note(index)) {
            continue;
        }
        key += entry_term(index, entry_key(child, index));
        if (existed) key -= entry_term(index, entry_key(parent, index));
    }
    // Links are sorted by their ends: one merge walk finds those added, dropped or refilled.
    const std::vector<pmodel::Link>& old_links = parent.links();
    const std::vector<pmodel::Link>& new_links = child.links();
    std::size_t old_at = 0;
    std::size_t new_at = 0;
    while (old_at < old_links.size() || new_at < new_links.size()) {
        const pmodel::Link* old_link = old_at < old_links.size() ? &old_links[old_at] : nullptr;
        const pmodel::Link* new_link = new_at < new_links.size() ? &new_links[new_at] : nullptr;
        const auto ends = [](const pmodel::Link& link) {
            return (static_cast<std::uint64_t>(link.from.value()) << 32) | link.to.value();
        };
        if (new_link == nullptr || (old_link != nullptr && ends(*old_link) < ends(*new_link))) {
            key -= link_term(parent, *old_link);
            ++old_at;
        } else if (old_link == nullptr || ends(*new_link) < ends(*old_link)) {
            key += link_term(child, *new_link);
            ++new_at;
        } else {
            if (!new_link->queue.borrowed() || !old_link->queue.borrowed() ||
                new_link->queue.address() != old_link->queue.address()) {
                key += link_term(child, *new_link) - link_term(parent, *old_link);
            }
            ++old_at;
            ++new_at;
        }
    }
    const auto& old_ghost = pmodel::WorldParts::ghost(parent);
    const auto& new_ghost = pmodel::WorldParts::ghost(child);
    if (!old_ghost.borrowed() || !new_ghost.borrowed() ||
        old_ghost.address() != new_ghost.address()) {
        key += ghost_term(child) - ghost_term(parent);
    }
    return nonzero_key(key);
}

}  // namespace pcheck
