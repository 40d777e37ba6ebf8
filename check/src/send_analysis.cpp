#include "pcheck/send_analysis.hpp"

#include <set>
#include <string>
#include <unordered_set>
#include <utility>

#include "pcore/encode.hpp"

namespace pcheck {

using pcore::CompId;
using pmodel::Link;
using pmodel::World;

namespace {

template <class Value>
std::string encoded(const Value& value) {
    pcore::ByteWriter out;
    pcore::encode(out, value);
    return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

// A message some exploration sent, and its sender.
struct NewMessage {
    std::uint32_t from = 0;
    pcore::Message message;
};

// One state of a component's exploration: its own state, how many messages of each inbound
// link it took, and which new messages it took.
struct Local {
    pcore::ComponentState state;
    std::vector<std::uint32_t> taken;
    std::vector<std::uint8_t> used;
};

// An input a local state can take: a run (link = none), the head of an inbound link, or a new
// message.
struct LocalInput {
    pcore::Input input;
    std::size_t link = 0;     // inbound link index when `from_link`
    std::size_t message = 0;  // new message index otherwise
    bool from_link = false;
    bool is_run = false;
};

class Analysis {
  public:
    Analysis(const World& world, const std::vector<std::uint8_t>& frozen, std::size_t budget)
        : world_(world),
          frozen_(frozen),
          budget_(budget),
          count_(static_cast<std::uint32_t>(world.comps().size())),
          context_{world.scenario().compiled.get(), &world.variants(), CompId(count_)},
          sent_(count_),
          sent_keys_(count_),
          scheduled_(count_, 0) {
        out_.may_send.assign(count_, std::vector<std::uint8_t>(count_, 0));
    }

    FrozenSends run() {
        if (world_.variants().network != pcore::NetworkOrder::fifo_pair) return FrozenSends{};
        for (bool changed = true; changed;) {
            changed_ = false;
            for (std::uint32_t comp = 0; comp < count_; ++comp) {
                if (frozen_[comp] != 0 || world_.freed(CompId(comp))) continue;
                if (!explore(comp)) return FrozenSends{};
            }
            changed = changed_;
        }
        out_.known = true;
        return std::move(out_);
    }

  private:
    // Every local state of `comp`; false when the analysis must give up.
    bool explore(std::uint32_t comp) {
        inbound_.clear();
        for (const Link& link : world_.links()) {
            if (link.to.value() == comp) inbound_.push_back(&link);
        }
        std::vector<Local> todo;
        std::unordered_set<std::string> seen;
        Local start{world_.comps()[comp].state, std::vector<std::uint32_t>(inbound_.size(), 0), {}};
        if (scheduled_[comp] != 0 && start.state.mode == pcore::Mode::waiting_for_creator) {
            Local running = start;
            running.state.mode = pcore::Mode::running;  // what its creator's Schedule does
            if (seen.insert(key_of(running)).second) todo.push_back(std::move(running));
        }
        if (seen.insert(key_of(start)).second) todo.push_back(std::move(start));
        std::size_t explored = 0;
        std::vector<LocalInput> inputs;
        while (!todo.empty()) {
            if (++explored > budget_) return false;
            Local at = std::move(todo.back());
            todo.pop_back();
            at.used.resize(sent_[comp].size(), 0);  // messages found since it was queued
            inputs_of(comp, at, inputs);
            for (const LocalInput& input : inputs) {
                Local next = at;
                pcore::Effects effects;
                pcore::step_in_place(next.state, context_, input.input, effects);
                if (input.from_link) ++next.taken[input.link];
                if (!input.from_link && !input.is_run) next.used[input.message] = 1;
                if (!take_effects(comp, effects)) return false;
                if (seen.insert(key_of(next)).second) todo.push_back(std::move(next));
            }
        }
        return true;
    }

    // The inputs `at` can take: a run, the head of each inbound link, and each new message
    // whose sender's link has nothing older left.
    void inputs_of(std::uint32_t comp, const Local& at, std::vector<LocalInput>& inputs) const {
        inputs.clear();
        const auto& compiled = *world_.scenario().compiled;
        if (pcore::runnable(at.state, compiled)) {
            inputs.push_back(LocalInput{pcore::RunInput{}, 0, 0, false, true});
        }
        if (!pcore::receptive(at.state)) return;
        for (std::size_t link = 0; link < inbound_.size(); ++link) {
            const auto& queue = inbound_[link]->queue;
            if (at.taken[link] < queue.size()) {
                inputs.push_back(
                    LocalInput{pcore::ReceiveInput{inbound_[link]->from, queue[at.taken[link]]},
                               link, 0, true, false});
            }
        }
        for (std::size_t index = 0; index < sent_[comp].size(); ++index) {
            if (at.used[index] != 0 || older_left(at, sent_[comp][index].from)) continue;
            const NewMessage& message = sent_[comp][index];
            inputs.push_back(LocalInput{pcore::ReceiveInput{CompId(message.from), message.message},
                                        0, index, false, false});
        }
    }

    bool older_left(const Local& at, std::uint32_t from) const {
        for (std::size_t link = 0; link < inbound_.size(); ++link) {
            if (inbound_[link]->from.value() == from &&
                at.taken[link] < inbound_[link]->queue.size()) {
                return true;
            }
        }
        return false;
    }

    // Records what a local step sends; false when the analysis must give up.
    bool take_effects(std::uint32_t comp, const pcore::Effects& effects) {
        for (const pcore::Effect& effect : effects) {
            if (std::holds_alternative<pcore::SpawnComponent>(effect) ||
                std::holds_alternative<pcore::RequestCancel>(effect) ||
                std::holds_alternative<pcore::SendImmediate>(effect)) {
                return false;
            }
            if (const auto* send = std::get_if<pcore::Send>(&effect)) {
                if (!record_send(comp, *send)) return false;
            } else if (const auto* schedule = std::get_if<pcore::ScheduleComponent>(&effect)) {
                const std::uint32_t child = schedule->comp.value();
                if (child >= count_) return false;
                if (scheduled_[child] == 0) {
                    scheduled_[child] = 1;
                    changed_ = true;
                }
            }
        }
        return true;
    }

    bool record_send(std::uint32_t comp, const pcore::Send& send) {
        const std::uint32_t to = send.to.value();
        if (to >= count_) return false;
        out_.may_send[comp][to] = 1;
        if (frozen_[to] != 0) return true;  // it takes nothing while frozen
        if (!sent_keys_[to].insert(std::to_string(comp) + ":" + encoded(send.message)).second) {
            return true;
        }
        // A second message on the same link: the world delivers the two in the order they were
        // sent, which the explorations do not keep (and the core may assume). Given up.
        for (const NewMessage& known : sent_[to]) {
            if (known.from == comp) return false;
        }
        sent_[to].push_back(NewMessage{comp, send.message});
        changed_ = true;
        return true;
    }

    static std::string key_of(const Local& local) {
        std::string key = encoded(local.state);
        for (const std::uint32_t taken : local.taken) {
            key.append(reinterpret_cast<const char*>(&taken), sizeof taken);
        }
        key.append(reinterpret_cast<const char*>(local.used.data()), local.used.size());
        return key;
    }

    const World& world_;
    const std::vector<std::uint8_t>& frozen_;
    std::size_t budget_;
    std::uint32_t count_;
    pcore::StepContext context_;
    std::vector<std::vector<NewMessage>> sent_;  // per receiver
    std::vector<std::set<std::string>> sent_keys_;
    std::vector<std::uint8_t> scheduled_;
    std::vector<const Link*> inbound_;  // of the component being explored
    FrozenSends out_;
    bool changed_ = false;
};

}  // namespace

FrozenSends frozen_sends(const World& world,
                         const std::vector<std::uint8_t>& frozen,
                         std::size_t budget) {
    return Analysis(world, frozen, budget).run();
}

}  // namespace pcheck
