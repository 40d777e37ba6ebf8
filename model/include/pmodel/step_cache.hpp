// The world's one door to a search's store of states (check/: pcheck::StateStore). A search
// that keeps every distinct part of the states it met once (component slots and link queues,
// borrowed by the worlds that hold them: see Shared in pmodel/parts.hpp) can remember the steps
// taken from those parts and answer a later equal step without computing it, since a step is a
// pure function of the slot, its input and the id the next spawn would get (core/ is pure).
//
// The world asks its cache, if it has one (World::use_cache), at three points of a step and
// takes its plain path whenever the cache declines: simulate, replay, export and the tests of
// model/ never have one. The contract between the two paths: a world with a cache reaches
// exactly the states, fingerprints and violations of one without
// (Properties.SharingStatePartsChangesNoState, property-tests/world_properties.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "pcore/component.hpp"
#include "pmodel/parts.hpp"

namespace pmodel {

class World;

// A delivered message, named by the queue (kept by the cache, never changed) that held it.
struct DeliveredFrom {
    const std::vector<Message>* queue = nullptr;
    std::uint32_t position = 0;
    std::uint64_t queue_hash = 0;  // the queue's content hash
};

// A remembered step: the component's slot after it and the effects it had.
struct KnownStep {
    std::shared_ptr<CompSlot> slot;  // borrowed from the cache
    std::uint64_t slot_hash = 0;
    pcore::Effects effects;
    // By effect: the content hash of a Send's message (0 for other effects), for append().
    std::vector<std::uint64_t> message_hashes;
};

class StepCache {
  public:
    StepCache() = default;
    StepCache(const StepCache&) = delete;
    StepCache& operator=(const StepCache&) = delete;
    virtual ~StepCache() = default;

    // The delivery of the message at `position` on link from->to, when the cache holds that
    // link's queue: it leaves the rest of the queue in the link (or drops the emptied link) and
    // returns the message, which stays valid while the cache lives; `origin` names it. nullptr:
    // the world takes the message out the plain way.
    virtual const Message* take(
        World& world, CompId from, CompId to, std::uint32_t position, DeliveredFrom& origin) = 0;
    // The step of `comp` on `input` (nullptr: the delivery named by `origin`, from `from`), if
    // the cache knows it; the result stays valid while the cache lives. On nullptr the world
    // computes the step in place and calls remember() next, on the same thread, before any
    // other step.
    virtual const KnownStep* recall(const World& world,
                                    CompId comp,
                                    const pcore::Input* input,
                                    CompId from,
                                    const DeliveredFrom& origin) = 0;
    // The step recall() did not know, just computed: `comp`'s slot holds its result. The cache
    // may replace the slot by its own equal one.
    virtual void remember(World& world, CompId comp, const pcore::Effects& effects) = 0;
    // A known step's Send of `message` (content hash `message_hash`) onto link from->to: true
    // when the cache put the longer queue in place itself; false: the world sends the plain way.
    virtual bool append(World& world,
                        CompId from,
                        CompId to,
                        const Message& message,
                        std::uint64_t message_hash) = 0;
};

}  // namespace pmodel
