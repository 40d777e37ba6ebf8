#include "pcheck/breakdown.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <unordered_set>
#include <utility>

#include "pcheck/dead_fields.hpp"
#include "pmodel/world_parts.hpp"

namespace pcheck {

namespace {

struct FieldMask {
    const char* name;
    std::function<void(pcore::ComponentState&)> reset;
};

// Every field of a component's state, and of each of its ports, with its reset.
const std::vector<FieldMask>& field_masks() {
    static const std::vector<FieldMask> masks = [] {
        std::vector<FieldMask> all;
#define PROTOCHECK_FIELD(path) \
    all.push_back({#path, [](pcore::ComponentState& s) { s.path = decltype(s.path){}; }})
#define PROTOCHECK_PORT_FIELD(field)                                       \
    all.push_back({"port." #field, [](pcore::ComponentState& s) {          \
                       for (pcore::Port & port : s.ports) port.field = {}; \
                   }})
        PROTOCHECK_FIELD(pc);
        PROTOCHECK_FIELD(mode);
        PROTOCHECK_FIELD(in_sync);
        PROTOCHECK_FIELD(slots);
        PROTOCHECK_FIELD(peers);
        PROTOCHECK_FIELD(channel_counter);
        PROTOCHECK_FIELD(next_control_id);
        PROTOCHECK_FIELD(control);
        PROTOCHECK_FIELD(transfer);
        PROTOCHECK_FIELD(round.active);
        PROTOCHECK_FIELD(round.completed);
        PROTOCHECK_FIELD(round.highest);
        PROTOCHECK_FIELD(round.leader_via);
        PROTOCHECK_FIELD(round.orphaned);
        PROTOCHECK_FIELD(round.last_failed);
        PROTOCHECK_FIELD(round.last_error);
        PROTOCHECK_FIELD(round.mapping_counter);
        PROTOCHECK_FIELD(round.peers);
        PROTOCHECK_FIELD(round.submitted);
        PROTOCHECK_FIELD(round.cancel_after_vote);
        PROTOCHECK_FIELD(round.failed_peers);
        PROTOCHECK_FIELD(round.combined);
        PROTOCHECK_FIELD(round.buffered);
        PROTOCHECK_FIELD(round.owed_notifications);
        PROTOCHECK_FIELD(outcome);
        PROTOCHECK_FIELD(shutdown);
        PROTOCHECK_PORT_FIELD(kind);
        PROTOCHECK_PORT_FIELD(peer_comp);
        PROTOCHECK_PORT_FIELD(peer_port);
        PROTOCHECK_PORT_FIELD(channel);
        PROTOCHECK_PORT_FIELD(closed);
        PROTOCHECK_PORT_FIELD(blocked);
        PROTOCHECK_PORT_FIELD(transferring);
        PROTOCHECK_PORT_FIELD(moved);
        PROTOCHECK_PORT_FIELD(holds_ref);
        PROTOCHECK_PORT_FIELD(close_sent);
        PROTOCHECK_PORT_FIELD(close_deferred);
        PROTOCHECK_PORT_FIELD(close_control_id);
        PROTOCHECK_PORT_FIELD(has_close_error);
        PROTOCHECK_PORT_FIELD(closer_failed_in_round);
        PROTOCHECK_PORT_FIELD(close_in_sync);
        PROTOCHECK_PORT_FIELD(close_rounds);
        PROTOCHECK_PORT_FIELD(close_error);
        PROTOCHECK_PORT_FIELD(rounds_completed);
        PROTOCHECK_PORT_FIELD(mapping);
        PROTOCHECK_PORT_FIELD(used_in_round);
        PROTOCHECK_PORT_FIELD(accepted_peer_comp);
        PROTOCHECK_PORT_FIELD(accepted_peer_port);
        PROTOCHECK_PORT_FIELD(pending);
        PROTOCHECK_PORT_FIELD(moved_to);
        PROTOCHECK_PORT_FIELD(moved_to_port);
        PROTOCHECK_PORT_FIELD(adopted_from);
        PROTOCHECK_PORT_FIELD(adopted_port);
        PROTOCHECK_PORT_FIELD(adopted_used_by);
        PROTOCHECK_PORT_FIELD(next_put_seq);
        PROTOCHECK_PORT_FIELD(deferred_blocks);
#undef PROTOCHECK_FIELD
#undef PROTOCHECK_PORT_FIELD
        return all;
    }();
    return masks;
}

// Per field, the key of every state reached with that field reset in every component (and
// the dead fields, as the checker keys states). A component state's masked hash is computed
// once per distinct content.
class MaskedKeys {
  public:
    explicit MaskedKeys(const DeadFields& dead) : dead_(dead), keys_(field_masks().size()) {}

    void record(const pmodel::World& world) {
        for (std::uint32_t field = 0; field < keys_.size(); ++field) {
            keys_[field].push_back(key_of_parts(world, [&](std::size_t index) {
                return pmodel::WorldParts::entry_hash_with(world, index,
                                                           masked(world, index, field));
            }));
        }
    }

    // The fields whose reset merges states, largest count first.
    std::vector<FieldCount> counts() {
        std::vector<FieldCount> out;
        for (std::uint32_t field = 0; field < keys_.size(); ++field) {
            std::vector<std::uint64_t>& keys = keys_[field];
            std::sort(keys.begin(), keys.end());
            const auto distinct =
                static_cast<std::uint64_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
            const std::uint64_t merged = keys.size() - distinct;
            if (merged > 0) out.push_back({field_masks()[field].name, merged});
        }
        std::stable_sort(out.begin(), out.end(), [](const FieldCount& a, const FieldCount& b) {
            return a.states > b.states;
        });
        return out;
    }

  private:
    std::uint64_t masked(const pmodel::World& world, std::size_t index, std::uint32_t field) {
        const std::uint64_t own = pmodel::WorldParts::slot_hash(world, index);
        const bool freed = world.freed(pmodel::CompId(static_cast<std::uint32_t>(index)));
        auto [at, fresh] = memo_.try_emplace({own, field * 2 + (freed ? 1 : 0)}, 0);
        if (fresh) {
            pmodel::CompSlot slot = world.comps()[index];
            dead_.clear(slot.state, freed);
            field_masks()[field].reset(slot.state);
            at->second = pmodel::hash_slot(slot);
        }
        return at->second;
    }

    const DeadFields& dead_;
    std::vector<std::vector<std::uint64_t>> keys_;
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint64_t> memo_;
};

}  // namespace

Breakdown breakdown(const std::shared_ptr<const pmodel::Scenario>& scenario,
                    const pcore::Variants& variants,
                    const pmodel::FaultBudget& faults,
                    std::uint64_t max_states) {
    const DeadFields dead(*scenario->compiled);
    MaskedKeys masked(dead);
    Breakdown out;
    pmodel::World initial(scenario, variants, faults);
    std::unordered_set<std::uint64_t> seen{dead.fingerprint(initial)};
    masked.record(initial);
    out.states = 1;
    out.states_by_depth.push_back(1);
    std::deque<pmodel::World> layer{std::move(initial)};
    std::deque<pmodel::World> next;
    std::vector<pmodel::Action> actions;
    bool bounded = false;
    while (!layer.empty() && !bounded) {
        std::uint64_t reached = 0;
        for (; !layer.empty(); layer.pop_front()) {
            layer.front().enabled_actions(actions);
            for (const pmodel::Action& action : actions) {
                pmodel::World child = layer.front();
                child.apply(action);
                if (!seen.insert(dead.fingerprint(child)).second) continue;
                masked.record(child);
                ++reached;
                ++out.states_by_action[static_cast<std::size_t>(action.kind)];
                if (++out.states >= max_states) bounded = true;
                next.push_back(std::move(child));
                if (bounded) break;
            }
            if (bounded) break;
        }
        if (reached > 0) out.states_by_depth.push_back(reached);
        layer.swap(next);
        next.clear();
    }
    out.complete = !bounded;
    out.fields = masked.counts();
    return out;
}

}  // namespace pcheck
