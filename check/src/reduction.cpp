#include "pcheck/reduction.hpp"

#include <algorithm>

#include "pcheck/send_analysis.hpp"

namespace pcheck {

using namespace pmodel;  // the world's types, throughout this file

namespace {

bool program_has(const pcore::Program& program, pcore::Op op) {
    return std::any_of(
        program.code.begin(), program.code.end(),
        [op](const pcore::Instruction& instruction) { return instruction.op == op; });
}

const pcore::Program& program_of(const World& world, std::uint32_t comp) {
    const auto& compiled = *world.scenario().compiled;
    return compiled.definitions[world.comps()[comp].state.definition].program;
}

std::uint32_t actor_of(const Action& action) {
    return (action.kind == ActionKind::deliver ? action.to : action.comp).value();
}

void sort_unique(std::vector<std::uint32_t>& list) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
}

// What taking one enabled action does beyond its own component (see ApplyResult).
struct Reach {
    std::vector<std::uint32_t> reached;
    std::vector<std::uint32_t> round_ghost;
    bool exits = false;  // its component exited or was freed: others may outlive it
    bool spawns = false;
};

// The state the closure works on: the world's components with what each may address.
class Closure {
  public:
    Closure(const World& world, const std::vector<Action>& enabled, ReductionScratch& scratch)
        : world_(world), enabled_(enabled), scratch_(scratch) {
        count_ = static_cast<std::uint32_t>(world.comps().size());
        fifo_ = world.variants().network == pcore::NetworkOrder::fifo_pair;
        names_.assign(count_, {});
        spawner_.assign(count_, 0);
        canceller_.assign(count_, 0);
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            if (world.freed(CompId(comp))) continue;
            scratch.names.append(world, comp, names_[comp]);
            const pcore::Program& program = program_of(world, comp);
            spawner_[comp] = program_has(program, pcore::Op::spawn) ? 1 : 0;
            canceller_[comp] = program_has(program, pcore::Op::cancel) ? 1 : 0;
        }
        for (const Link& link : world.links()) {
            std::vector<std::uint32_t>& names = names_[link.to.value()];
            names.push_back(link.from.value());  // a receiver learns who sent
            for (std::uint32_t position = 0; position < link.queue.size(); ++position) {
                scratch.names.append(link.queue[position], names);
            }
        }
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            std::vector<std::uint32_t>& names = names_[comp];
            // `cancel NAME` reaches whichever component bears the name when it runs.
            if (canceller_[comp] != 0) {
                names.clear();
                for (std::uint32_t other = 0; other < count_; ++other) names.push_back(other);
            }
            names.erase(std::remove_if(names.begin(), names.end(),
                                       [&](std::uint32_t named) {
                                           return named >= count_ || named == comp ||
                                                  world.freed(CompId(named));
                                       }),
                        names.end());
            sort_unique(names);
        }
        // Who may ever act: those with enabled actions, and whoever they may send to.
        may_act_.assign(count_, 0);
        std::vector<std::uint32_t> todo;
        for (const Action& action : enabled) {
            const std::uint32_t actor = actor_of(action);
            if (may_act_[actor] == 0) {
                may_act_[actor] = 1;
                todo.push_back(actor);
            }
        }
        while (!todo.empty()) {
            const std::uint32_t comp = todo.back();
            todo.pop_back();
            for (const std::uint32_t named : names_[comp]) {
                if (may_act_[named] == 0) {
                    may_act_[named] = 1;
                    todo.push_back(named);
                }
            }
        }
        reach_.assign(enabled.size(), std::nullopt);
        scratch.successors.clear();
        scratch.successors.resize(enabled.size());
    }

    // The enabled actions of the smallest closed set grown from `seed`; empty when the set
    // would have to include a spawn that another component could race with.
    void grow(std::uint32_t seed, std::vector<std::uint32_t>& chosen) {
        chosen.clear();
        member_.assign(count_, 0);
        exposed_.assign(count_, 0);
        todo_.clear();
        spawn_sensitive_ = false;
        add(seed);
        while (!todo_.empty()) {
            const std::uint32_t comp = todo_.back();
            todo_.pop_back();
            visit(comp);
        }
        // Spawns hand out ids and names in order, and `cancel NAME` resolves a name when it
        // runs: a spawn or cancel by name in T races with any outside component that may
        // spawn or cancel by name.
        if (spawn_sensitive_) {
            for (std::uint32_t comp = 0; comp < count_; ++comp) {
                if (member_[comp] == 0 && may_act_[comp] != 0 &&
                    (spawner_[comp] != 0 || canceller_[comp] != 0)) {
                    return;
                }
            }
        }
        for (std::uint32_t index = 0; index < enabled_.size(); ++index) {
            if (member_[actor_of(enabled_[index])] != 0) chosen.push_back(index);
        }
    }

  private:
    void add(std::uint32_t comp) {
        if (member_[comp] != 0) return;
        member_[comp] = 1;
        todo_.push_back(comp);
    }

    void expose(std::uint32_t comp) {
        if (exposed_[comp] != 0) return;
        exposed_[comp] = 1;
        if (member_[comp] != 0) todo_.push_back(comp);  // judge its knowers again
    }

    const Reach& reach_of(std::uint32_t index) {
        std::optional<Reach>& known = reach_[index];
        if (known) return *known;
        World next = world_;
        next.apply(enabled_[index], scratch_.applied);
        Reach reach;
        for (const CompId comp : scratch_.applied.reached) reach.reached.push_back(comp.value());
        for (const CompId comp : scratch_.applied.round_ghost) {
            reach.round_ghost.push_back(comp.value());
        }
        const std::uint32_t actor = actor_of(enabled_[index]);
        reach.exits =
            next.freed(CompId(actor)) || next.comps()[actor].state.mode == pcore::Mode::exited;
        reach.spawns = next.comps().size() != world_.comps().size();
        known = std::move(reach);
        scratch_.successors[index] = std::move(next);  // the checker takes it from here
        return *known;
    }

    // `comp` is a member: whatever could interfere with its enabled actions joins.
    void visit(std::uint32_t comp) {
        const pcore::ComponentState& state = world_.comps()[comp].state;
        if (state.mode == pcore::Mode::exited) expose(comp);  // others' releases may free it
        if (canceller_[comp] != 0) spawn_sensitive_ = true;   // names resolve in spawn order
        if (state.mode == pcore::Mode::waiting_for_creator && state.creator.valid() &&
            state.creator.value() < count_) {
            add(state.creator.value());  // its creator schedules it without a message
        }
        for (std::uint32_t index = 0; index < enabled_.size(); ++index) {
            if (actor_of(enabled_[index]) != comp) continue;
            const Reach& reach = reach_of(index);
            // Components the action addresses or whose counts it changes: their own actions
            // could free them first (a send would then be LC-1) or race on the same count.
            for (const std::uint32_t other : reach.reached) {
                if (other < count_ && other != comp) add(other);
            }
            for (const std::uint32_t other : reach.round_ghost) {
                if (other < count_) {
                    add(other);
                    expose(other);
                }
            }
            if (reach.exits) expose(comp);
            if (reach.spawns) spawn_sensitive_ = true;
        }
        // Whoever may come to address `comp` without a member moving, and could then create a
        // new action of it (a message on an empty link; any message when links do not keep
        // order), free it, or write its ghost round fields.
        if (!scratch_.knowers_rule) return;
        if (scratch_.knowers_by_sends && exposed_[comp] == 0 && add_senders(comp)) return;
        knowers(comp);
        for (const std::uint32_t other : knowers_) {
            if (member_[other] != 0 || may_act_[other] == 0) continue;
            add_unless_it_only_appends(other, comp);
        }
    }

    // `other` may send to member `comp`: it joins unless all it can do to `comp` is append to a
    // non-empty FIFO link into it (and `comp` is not exposed, and `other` cannot spawn).
    void add_unless_it_only_appends(std::uint32_t other, std::uint32_t comp) {
        const Link* link = world_.link(CompId(other), CompId(comp));
        const bool appends_only = fifo_ && link != nullptr && !link->queue.empty();
        if (exposed_[comp] != 0 || spawner_[other] != 0 || !appends_only) add(other);
    }

    // Rule 3 by pcheck::frozen_sends (an experiment, see ReductionScratch): whoever may still
    // send to `comp` while the members stand still joins, unless all it can do is append to a
    // non-empty FIFO link into it. False when the analysis gave up: the knowers rule decides.
    bool add_senders(std::uint32_t comp) {
        constexpr std::size_t budget = 2000;  // local states of one component's exploration
        const FrozenSends sends = frozen_sends(world_, member_, budget);
        if (!sends.known) return false;
        for (std::uint32_t other = 0; other < count_; ++other) {
            if (member_[other] != 0 || sends.may_send[other][comp] == 0) continue;
            add_unless_it_only_appends(other, comp);
        }
        return true;
    }

    // The components that name `comp` now, or may be told of it by one that does and may act
    // (members do not act, so they pass nothing on).
    void knowers(std::uint32_t comp) {
        knowers_.clear();
        known_.assign(count_, 0);
        for (std::uint32_t other = 0; other < count_; ++other) {
            if (other != comp && member_[other] == 0 &&
                std::binary_search(names_[other].begin(), names_[other].end(), comp)) {
                known_[other] = 1;
                knowers_.push_back(other);
            }
        }
        for (std::size_t at = 0; at < knowers_.size(); ++at) {
            const std::uint32_t other = knowers_[at];
            if (may_act_[other] == 0) continue;
            for (const std::uint32_t told : names_[other]) {
                if (told != comp && known_[told] == 0 && member_[told] == 0) {
                    known_[told] = 1;
                    knowers_.push_back(told);
                }
            }
        }
    }

    const World& world_;
    const std::vector<Action>& enabled_;
    ReductionScratch& scratch_;
    std::uint32_t count_ = 0;
    bool fifo_ = true;
    std::vector<std::vector<std::uint32_t>> names_;
    std::vector<std::uint8_t> spawner_;
    std::vector<std::uint8_t> canceller_;
    std::vector<std::uint8_t> may_act_;
    std::vector<std::optional<Reach>> reach_;
    std::vector<std::uint8_t> member_;
    std::vector<std::uint8_t> exposed_;
    std::vector<std::uint8_t> known_;
    std::vector<std::uint32_t> knowers_;
    std::vector<std::uint32_t> todo_;
    bool spawn_sensitive_ = false;
};

}  // namespace

bool persistent_subset(const World& world,
                       const std::vector<Action>& enabled,
                       ReductionScratch& scratch,
                       std::vector<std::uint32_t>& chosen) {
    chosen.clear();
    scratch.successors.clear();
    if (enabled.size() < 2) return false;
    for (const Action& action : enabled) {
        if (action.kind == ActionKind::fault || action.kind == ActionKind::timeout) return false;
    }
    Closure closure(world, enabled, scratch);
    // Every acting component as a seed; the smallest set wins (ties: the first seed).
    std::vector<std::uint32_t>& candidate = scratch.candidate;
    std::vector<std::uint32_t>& seeds = scratch.seeds;
    seeds.clear();
    for (const Action& action : enabled) seeds.push_back(actor_of(action));
    sort_unique(seeds);
    for (const std::uint32_t seed : seeds) {
        closure.grow(seed, candidate);
        if (!candidate.empty() && (chosen.empty() || candidate.size() < chosen.size())) {
            chosen = candidate;
            if (chosen.size() == 1) break;
        }
    }
    if (chosen.empty() || chosen.size() == enabled.size()) {
        chosen.clear();
        return false;
    }
    return true;
}

}  // namespace pcheck
