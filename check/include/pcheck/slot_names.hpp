// What a component's state names (pcore::referenced_components), cached per interned slot.
//
// Both reductions ask it of every component of every state they look at, and a search meets
// few distinct component states (bench-chain-5: 3,639 in 35.6 M states). An interned slot lives
// as long as the search and is one object per content, so its address names its content; a
// slot that is not interned is encoded afresh. The cache is never iterated, so addresses never
// reach an output.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "pcore/encode.hpp"
#include "pmodel/world.hpp"

namespace pcheck {

// The world's types, as the reductions (reduction.hpp, symmetry.hpp) name them.
using pcore::CompId;
using pmodel::Action;
using pmodel::ActionKind;
using pmodel::ApplyResult;
using pmodel::CompSlot;
using pmodel::Link;
using pmodel::Message;
using pmodel::Scenario;
using pmodel::World;

class SlotNames {
  public:
    // `records`: also the ids kept only for the record (creators); see referenced_components.
    explicit SlotNames(bool records) : records_(records) {}

    // Appends to `out` what component `comp` of `world` names.
    void append(const World& world, std::uint32_t comp, std::vector<std::uint32_t>& out) {
        const CompSlot& slot = world.comps()[comp];
        if (!world.comps().borrowed(comp)) {
            pcore::referenced_components(slot.state, writer_, out, records_);
            return;
        }
        auto known = cache_.find(&slot);
        if (known == cache_.end()) {
            std::vector<std::uint32_t> named;
            pcore::referenced_components(slot.state, writer_, named, records_);
            known = cache_.emplace(&slot, std::move(named)).first;
        }
        out.insert(out.end(), known->second.begin(), known->second.end());
    }

    // Appends what a message names.
    void append(const Message& message, std::vector<std::uint32_t>& out) {
        pcore::referenced_components(message, writer_, out, records_);
    }

  private:
    bool records_;
    pcore::ByteWriter writer_;
    std::unordered_map<const CompSlot*, std::vector<std::uint32_t>> cache_;
};

}  // namespace pcheck
