// A search's store of states (check/): every distinct part of the states met, kept once
// (component slots, link queues, the monitors' record: SPIN's collapse compression), the steps
// and queue edits taken from them, remembered (pmodel/step_cache.hpp), and the compact form of
// the frontier's states (pack/unpack: the addresses of their parts). The world knows it only as
// a StepCache; everything here exists for the search's speed and memory, none of it for its
// meaning (Properties.SharingStatePartsChangesNoState).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "pcheck/intern_table.hpp"
#include "pcheck/memo.hpp"
#include "pcheck/part_directory.hpp"
#include "pmodel/step_cache.hpp"
#include "pmodel/world.hpp"

namespace pcheck {

using pcore::CompId;

// An interned link queue and its content hash; queue null (hash 0) for no messages.
struct InternedQueue {
    const std::vector<Message>* queue = nullptr;
    std::uint64_t hash = 0;
};
// The monitors' interned record and its hash.
struct InternedGhost {
    const pmodel::Ghost* ghost = nullptr;
    std::uint64_t hash = 0;
};

// Memoised queue edits, so that a step from a frontier state neither copies a link queue nor
// hashes it: on the benchmark most deliveries and sends take apart or extend one of a few
// thousand queues.
//   taken:    (queue, position) -> the queue without the message at that position;
//   appended: (queue or null, message) -> the queue plus the message.
struct TakeKey {
    const std::vector<Message>* queue = nullptr;
    std::uint32_t position = 0;
    friend bool operator==(const TakeKey&, const TakeKey&) = default;
};
struct AppendKey {
    const std::vector<Message>* queue = nullptr;
    const Message* message = nullptr;  // held by a StepMemo result
    std::uint64_t message_hash = 0;    // its content hash
    // By the message's content: many memoised steps send equal messages.
    friend bool operator==(const AppendKey& a, const AppendKey& b) {
        return a.queue == b.queue && a.message_hash == b.message_hash &&
               (a.message == b.message || *a.message == *b.message);
    }
};

class StateStore final : public pmodel::StepCache {
  public:
    using World = pmodel::World;
    using EntryValue = pmodel::SlotVector::EntryValue;

    // Replaces the parts only `world` holds (component slots, link queues, monitor record) by
    // the store's equal ones, inserting those that are new. Call after world.fingerprint(),
    // which computes the hashes it uses.
    void share_parts(World& world);
    // The frontier form of a state, written to `out` (cleared first): varints naming its
    // interned parts by number (each component's entry is interned whole) and its small
    // fields. Only for a world without violations whose parts are all the store's (after
    // share_parts). unpack() overwrites a world of the same search (scenario, variants, fault
    // budget) with one; it reads exactly the bytes pack() wrote.
    void pack(const World& world, std::vector<std::byte>& out);
    void unpack(World& world, const std::byte* in) const;

    [[nodiscard]] std::uint64_t distinct_slots() const { return slots_.size(); }
    [[nodiscard]] std::uint64_t distinct_queues() const { return queues_.size(); }
    [[nodiscard]] std::uint64_t distinct_ghosts() const { return ghosts_.size(); }
    [[nodiscard]] std::uint64_t remembered_steps() const { return steps_.size(); }

    // pmodel::StepCache
    const Message* take(World& world,
                        CompId from,
                        CompId to,
                        std::uint32_t position,
                        pmodel::DeliveredFrom& origin) override;
    const pmodel::KnownStep* recall(const World& world,
                                    CompId comp,
                                    const pcore::Input* input,
                                    CompId from,
                                    const pmodel::DeliveredFrom& origin) override;
    void remember(World& world, CompId comp, const pcore::Effects& effects) override;
    bool append(World& world,
                CompId from,
                CompId to,
                const Message& message,
                std::uint64_t message_hash) override;

  private:
    // `messages` interned in queues_, with their content hash.
    InternedQueue intern_queue(std::shared_ptr<std::vector<Message>> messages);
    // The numbers pack() writes for a world's parts (each found or given once per part).
    std::uint32_t entry_number(const World& world, std::size_t index);
    std::uint32_t queue_number(const World& world, const pmodel::Link& link);
    std::uint32_t ghost_number(const World& world);

    // A component entry of packed states and its number; the slot's note points here.
    struct NumberedEntry {
        const EntryValue* entry = nullptr;
        std::uint32_t number = 0;
    };

    InternTable<CompSlot> slots_;
    InternTable<std::vector<Message>> queues_;
    InternTable<pmodel::Ghost> ghosts_;
    StepMemo steps_;
    PartMemo<TakeKey, InternedQueue> taken_;
    PartMemo<AppendKey, InternedQueue> appended_;
    // Component entries of packed states, by content, and their numbers: a frontier state
    // holds a number per component instead of the entry (a varint: one to five bytes, at most
    // four below 2^28 entries, instead of 64).
    InternTable<EntryValue> entries_;
    PartMemo<EntryValue, const NumberedEntry*> packed_entries_;
    PartDirectory<NumberedEntry> entry_numbers_;
    // Queues and monitor records by number, and the numbers by address.
    PartDirectory<InternedQueue> queue_directory_;
    PartMemo<const std::vector<Message>*, std::uint32_t> queue_numbers_;
    PartDirectory<InternedGhost> ghost_directory_;
    PartMemo<const pmodel::Ghost*, std::uint32_t> ghost_numbers_;
};

}  // namespace pcheck
