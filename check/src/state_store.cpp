#include "pcheck/state_store.hpp"

#include <cassert>
#include <cstring>
#include <type_traits>
#include <utility>
#include <variant>

#include "pmodel/world_parts.hpp"

namespace pcheck {

using pmodel::DeliveredFrom;
using pmodel::KnownStep;
using pmodel::Link;
using pmodel::WorldParts;

namespace {

// A step recall() did not know, between the recall and the remember() that follows it on the
// same thread (see pmodel::StepCache): its key, made before the step (which may consume the
// input), and hash. Not active when the slot was not the store's (nothing to remember).
struct PendingStep {
    bool active = false;
    std::uint64_t hash = 0;
    StepMemo::Key key;
};
thread_local PendingStep pending_step;

// The memo's key for a step of the store's slot `index`, and its hash (by content, never by
// address). input == nullptr: a delivery from `from`, named by `origin`.
StepMemo::Probe step_probe(const pmodel::World& world,
                           std::size_t index,
                           const pcore::Input* input,
                           CompId from,
                           const DeliveredFrom& origin,
                           std::uint64_t& hash) {
    constexpr std::size_t receive_kind = 1;
    static_assert(std::is_same_v<std::variant_alternative_t<receive_kind, pcore::Input>,
                                 pcore::ReceiveInput>);
    StepMemo::Probe key;
    key.slot = &world.comps()[index];
    key.next_comp = static_cast<std::uint32_t>(world.comps().size());  // the next spawn's id
    key.input_kind = input == nullptr ? receive_kind : input->index();
    std::uint64_t input_hash = 0;
    const auto* receive = input == nullptr ? nullptr : std::get_if<pcore::ReceiveInput>(input);
    if (input == nullptr || receive != nullptr) {
        key.from = input == nullptr ? from.value() : receive->from.value();
        if (origin.queue != nullptr) {
            key.queue = origin.queue;
            key.position = origin.position;
            input_hash = memo_hash({origin.queue_hash, origin.position});
        } else {
            key.message = &receive->message;
            input_hash = pmodel::hash_encoding(
                [&](pcore::ByteWriter& out) { pcore::encode(out, receive->message); });
        }
    } else if (const auto* fault = std::get_if<pcore::FaultInput>(input)) {
        key.fault = static_cast<std::uint8_t>(fault->kind);
    }
    hash = memo_hash({WorldParts::slot_hash(world, index), key.next_comp, key.input_kind, key.from,
                      key.fault, input_hash});
    return key;
}

}  // namespace

const KnownStep* StateStore::recall(const World& world,
                                    CompId comp,
                                    const pcore::Input* input,
                                    CompId from,
                                    const DeliveredFrom& origin) {
    pending_step.active = false;
    const std::size_t index = comp.value();
    if (!world.comps().borrowed(index)) return nullptr;  // changed since the store saw it
    std::uint64_t hash = 0;
    const StepMemo::Probe key = step_probe(world, index, input, from, origin, hash);
    if (const KnownStep* known = steps_.find(hash, key)) return known;
    pending_step.active = true;
    pending_step.hash = hash;
    pending_step.key = key.key();
    return nullptr;
}

void StateStore::remember(World& world, CompId comp, const pcore::Effects& effects) {
    if (!pending_step.active) return;
    pending_step.active = false;
    const std::size_t index = comp.value();
    pmodel::SlotVector& comps = WorldParts::comps(world);
    const std::uint64_t stepped_hash = WorldParts::slot_hash(world, index);
    pmodel::SlotVector::Pointer interned = slots_.intern(stepped_hash, comps.pointer(index));
    comps.share(index, interned);
    KnownStep known{std::move(interned), stepped_hash, effects, {}};
    known.message_hashes.reserve(effects.size());
    for (const pcore::Effect& effect : effects) {
        const auto* send = std::get_if<pcore::Send>(&effect);
        known.message_hashes.push_back(
            send == nullptr ? 0 : pmodel::hash_encoding([&](pcore::ByteWriter& out) {
                pcore::encode(out, send->message);
            }));
    }
    steps_.insert(pending_step.hash, std::move(pending_step.key), std::move(known));
}

const Message* StateStore::take(
    World& world, CompId from, CompId to, std::uint32_t position, DeliveredFrom& origin) {
    const Link* before = world.link(from, to);
    if (!before->queue.borrowed()) return nullptr;
    origin =
        DeliveredFrom{before->queue.address(), position, WorldParts::queue_hash(world, *before)};
    // What is left of the queue is remembered too (no copy, no hash).
    const InternedQueue rest =
        taken_.get(memo_hash({origin.queue_hash, position}), TakeKey{origin.queue, position}, [&] {
            if (origin.queue->size() <= 1) return InternedQueue{};  // the link empties
            auto messages = std::make_shared<std::vector<Message>>(*origin.queue);
            messages->erase(messages->begin() + static_cast<std::ptrdiff_t>(position));
            return intern_queue(std::move(messages));
        });
    Link& source = WorldParts::link_for(world, from, to);
    if (rest.queue == nullptr) {
        WorldParts::drop_link(world, source);
    } else {
        source.queue.borrow(rest.queue);
        source.queue_hash = rest.hash;
    }
    return &(*origin.queue)[position];
}

bool StateStore::append(
    World& world, CompId from, CompId to, const Message& message, std::uint64_t message_hash) {
    const Link* before = world.link(from, to);
    if (before != nullptr && !before->queue.borrowed()) return false;  // a queue being edited
    const std::vector<Message>* queue = before == nullptr ? nullptr : before->queue.address();
    const std::uint64_t queue_hash = before == nullptr ? 0 : WorldParts::queue_hash(world, *before);
    const InternedQueue longer = appended_.get(
        memo_hash({queue_hash, message_hash}), AppendKey{queue, &message, message_hash}, [&] {
            auto messages = std::make_shared<std::vector<Message>>();
            if (queue != nullptr) *messages = *queue;
            messages->push_back(message);
            return intern_queue(std::move(messages));
        });
    Link& after = WorldParts::link_for(world, from, to);
    after.queue.borrow(longer.queue);
    after.queue_hash = longer.hash;
    return true;
}

InternedQueue StateStore::intern_queue(std::shared_ptr<std::vector<Message>> messages) {
    InternedQueue interned;
    interned.hash =
        pmodel::hash_encoding([&](pcore::ByteWriter& out) { pmodel::encode(out, *messages); });
    interned.queue = queues_.intern(interned.hash, messages).get();
    return interned;
}

void StateStore::share_parts(World& world) {
    pmodel::SlotVector& comps = WorldParts::comps(world);
    for (std::size_t index = 0; index < comps.size(); ++index) {
        if (!comps.owned(index)) continue;
        comps.share(index,
                    slots_.intern(WorldParts::slot_hash(world, index), comps.pointer(index)));
    }
    for (Link& link : WorldParts::links(world)) {
        if (link.queue.owned()) {
            link.queue.share(
                queues_.intern(WorldParts::queue_hash(world, link), link.queue.pointer()));
        }
    }
    pmodel::Shared<pmodel::Ghost>& ghost = WorldParts::ghost(world);
    if (ghost.owned()) ghost.share(ghosts_.intern(WorldParts::ghost_hash(world), ghost.pointer()));
}

}  // namespace pcheck
