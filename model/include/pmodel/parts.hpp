// The parts of a world: component slots, link queues and the monitors' record, each a value
// shared between worlds until one of them changes it (copy on write). A successor state copies
// pointers, and a step clones the one to three parts it touches. A state store (check/) may
// hand out parts it keeps itself (borrowed: one object per content, see pmodel/step_cache.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pcore/component.hpp"
#include "pcore/encode.hpp"
#include "pmodel/observed.hpp"

namespace pmodel {

using pcore::ChannelId;
using pcore::CompId;
using pcore::ComponentState;
using pcore::Message;

// The content hash of what `write` encodes, never 0 (0 marks a stale cache). Not reentrant:
// `write` must not compute another such hash.
template <typename Write>
[[nodiscard]] std::uint64_t hash_encoding(Write&& write) {
    thread_local pcore::ByteWriter out;
    out.clear();
    std::forward<Write>(write)(out);
    return std::max<std::uint64_t>(1, pcore::hash_bytes(out.data(), out.size()));
}

// A component's state and the world's ghost fields about it. Its reference count and whether
// it was freed are kept next to it in SlotVector: they change on other components' steps, and
// a slot shared between states should not be cloned whole for a count.
struct CompSlot {
    ComponentState state;
    std::string name;
    friend bool operator==(const CompSlot&, const CompSlot&) = default;
};

// A value shared between worlds until one of them changes it (copy on write). The one handle
// for every shared part of a world: component slots, link queues, monitor state. Three kinds of
// pointer meet here: ours alone (use_count 1), shared with other worlds (> 1), and borrowed
// from a state store (use_count 0: the store owns it, no count is kept; see
// pmodel/step_cache.hpp); edit() clones the last two. Empty until the first edit() or a value is
// given.
template <typename T>
class Shared {
  public:
    Shared() = default;
    explicit Shared(T value) : value_(std::make_shared<T>(std::move(value))) {}
    [[nodiscard]] bool has_value() const { return value_ != nullptr; }
    [[nodiscard]] const T& operator*() const { return *value_; }
    [[nodiscard]] const T* operator->() const { return value_.get(); }
    // The value, ours alone from now on.
    T& edit() {
        if (value_ == nullptr) {
            value_ = std::make_shared<T>();
        } else if (value_.use_count() != 1) {
            value_ = std::make_shared<T>(*value_);
        }
        return *value_;
    }
    void reset() { value_.reset(); }
    // For a state store: owned by worlds (changed since the store last saw it, or copied to
    // other worlds before it ever was), or borrowed from the store (its address then stands for
    // its content).
    [[nodiscard]] bool owned() const { return value_.use_count() > 0; }
    [[nodiscard]] bool borrowed() const { return value_ != nullptr && value_.use_count() == 0; }
    [[nodiscard]] const std::shared_ptr<T>& pointer() const { return value_; }
    void share(std::shared_ptr<T> equal) { value_ = std::move(equal); }
    // The same object (equal content without comparing it).
    [[nodiscard]] bool same(const Shared& other) const { return value_ == other.value_; }
    // A borrowed value travels as its address (a store's own form of states).
    [[nodiscard]] const T* address() const { return value_.get(); }
    void borrow(const T* owned_by_store) {
        value_ = std::shared_ptr<T>(std::shared_ptr<T>(), const_cast<T*>(owned_by_store));
    }

  private:
    std::shared_ptr<T> value_;
};

// The component slots of a world, shared between worlds until one of them changes a slot
// (copy on write): a successor state copies pointers, and a step clones the one to three slots
// it touches. Reads look like a vector of CompSlot.
class SlotVector {
  public:
    using Pointer = std::shared_ptr<CompSlot>;

    struct EntryValue;  // an entry as plain values (below)

  private:
    struct Entry {
        Shared<CompSlot> slot;
        std::int32_t refcount = 1;  // the self reference
        bool freed = false;
        SlotGhost ghost;
        // Caches (not state), 0 when stale: the hash of the slot's encoding, and of the whole
        // entry (slot hash, count, freed, facts). A successor state copies them with the entry,
        // so its fingerprint rehashes only the entries its step changed.
        std::uint64_t slot_hash = 0;
        std::uint64_t entry_hash = 0;
        // A state store's note on this entry (its own form of it), dropped when the entry
        // changes: a store then converts only the entries a step changed.
        const void* note = nullptr;
    };

  public:
    class const_iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = CompSlot;
        using difference_type = std::ptrdiff_t;
        using pointer = const CompSlot*;
        using reference = const CompSlot&;
        const_iterator() = default;
        explicit const_iterator(std::vector<Entry>::const_iterator at) : at_(at) {}
        reference operator*() const { return *at_->slot; }
        pointer operator->() const { return &*at_->slot; }
        const_iterator& operator++() {
            ++at_;
            return *this;
        }
        const_iterator operator++(int) {
            const_iterator before = *this;
            ++at_;
            return before;
        }
        friend bool operator==(const const_iterator&, const const_iterator&) = default;

      private:
        std::vector<Entry>::const_iterator at_;
    };

    [[nodiscard]] std::size_t size() const { return slots_.size(); }
    [[nodiscard]] bool empty() const { return slots_.empty(); }
    [[nodiscard]] const CompSlot& operator[](std::size_t index) const {
        return *slots_[index].slot;
    }
    [[nodiscard]] const_iterator begin() const { return const_iterator(slots_.begin()); }
    [[nodiscard]] const_iterator end() const { return const_iterator(slots_.end()); }
    void push_back(CompSlot slot) {
        slots_.push_back(Entry{Shared<CompSlot>(std::move(slot)), 1, false, {}, 0, 0});
    }
    [[nodiscard]] std::int32_t refcount(std::size_t index) const { return slots_[index].refcount; }
    [[nodiscard]] bool freed(std::size_t index) const { return slots_[index].freed; }
    // Every mutator drops the caches it invalidates.
    std::int32_t& refcount_at(std::size_t index) {
        slots_[index].entry_hash = 0;
        slots_[index].note = nullptr;
        return slots_[index].refcount;
    }
    void set_freed(std::size_t index, bool freed) {
        slots_[index].entry_hash = 0;
        slots_[index].note = nullptr;
        slots_[index].freed = freed;
    }
    [[nodiscard]] const SlotGhost& ghost(std::size_t index) const { return slots_[index].ghost; }
    SlotGhost& ghost_at(std::size_t index) {
        slots_[index].entry_hash = 0;
        slots_[index].note = nullptr;
        return slots_[index].ghost;
    }
    // The slot, ours alone from now on (cloned if another world still shares it).
    CompSlot& mutable_at(std::size_t index) {
        slots_[index].slot_hash = 0;
        slots_[index].entry_hash = 0;
        slots_[index].note = nullptr;
        return slots_[index].slot.edit();
    }
    // The caches (see Entry); const: a cache is not state.
    [[nodiscard]] std::uint64_t cached_slot_hash(std::size_t index) const {
        return slots_[index].slot_hash;
    }
    [[nodiscard]] std::uint64_t cached_entry_hash(std::size_t index) const {
        return slots_[index].entry_hash;
    }
    void cache_slot_hash(std::size_t index, std::uint64_t hash) const {
        slots_[index].slot_hash = hash;
    }
    void cache_entry_hash(std::size_t index, std::uint64_t hash) const {
        slots_[index].entry_hash = hash;
    }
    // For a state store (pmodel/step_cache.hpp), whose collapse compression replaces the slot at
    // `index` by its equal one (slots with equal content are then one object, however many
    // states hold them).
    [[nodiscard]] bool owned(std::size_t index) const { return slots_[index].slot.owned(); }
    [[nodiscard]] bool borrowed(std::size_t index) const { return slots_[index].slot.borrowed(); }
    [[nodiscard]] const Pointer& pointer(std::size_t index) const {
        return slots_[index].slot.pointer();
    }
    void share(std::size_t index, Pointer equal) { slots_[index].slot.share(std::move(equal)); }
    // An entry as plain values, its slot named by address (borrowed from a store), and back.
    struct EntryValue {
        const CompSlot* slot;
        std::int32_t refcount;
        std::uint32_t freed;
        SlotGhost ghost;
        std::uint64_t slot_hash;
        std::uint64_t entry_hash;
        friend bool operator==(const EntryValue&, const EntryValue&) = default;
    };
    [[nodiscard]] EntryValue value(std::size_t index) const {
        const Entry& entry = slots_[index];
        return EntryValue{entry.slot.address(), entry.refcount,  entry.freed ? 1u : 0u,
                          entry.ghost,          entry.slot_hash, entry.entry_hash};
    }
    void resize(std::size_t count) { slots_.resize(count); }
    void assign(std::size_t index, const EntryValue& value, const void* note) {
        Entry& entry = slots_[index];
        entry.slot.borrow(value.slot);
        entry.refcount = value.refcount;
        entry.freed = value.freed != 0;
        entry.ghost = value.ghost;
        entry.slot_hash = value.slot_hash;
        entry.entry_hash = value.entry_hash;
        entry.note = note;
    }
    // The store's note on an entry (see Entry::note), and to set it; const: a note is not state.
    [[nodiscard]] const void* note(std::size_t index) const { return slots_[index].note; }
    void set_note(std::size_t index, const void* note) const { slots_[index].note = note; }
    // A different slot whose encoding hashes to `hash` (a step the store remembered).
    void replace(std::size_t index, Pointer slot, std::uint64_t hash) {
        slots_[index].slot.share(std::move(slot));
        slots_[index].slot_hash = hash;
        slots_[index].entry_hash = 0;
        slots_[index].note = nullptr;
    }
    friend bool operator==(const SlotVector& a, const SlotVector& b) {
        if (a.slots_.size() != b.slots_.size()) return false;
        for (std::size_t index = 0; index < a.slots_.size(); ++index) {
            const Entry& left = a.slots_[index];
            const Entry& right = b.slots_[index];
            if (left.refcount != right.refcount || left.freed != right.freed ||
                !(left.ghost == right.ghost)) {
                return false;
            }
            if (!left.slot.same(right.slot) && !(*left.slot == *right.slot)) return false;
        }
        return true;
    }

  private:
    mutable std::vector<Entry> slots_;  // mutable for the caches only
};

// The messages in flight on one link, shared between worlds until one of them changes the link
// (copy on write, like SlotVector): a successor state copies a pointer per link.
class MessageQueue {
  public:
    [[nodiscard]] bool empty() const { return !messages_.has_value() || messages_->empty(); }
    [[nodiscard]] std::size_t size() const { return messages_.has_value() ? messages_->size() : 0; }
    [[nodiscard]] const Message& operator[](std::size_t index) const { return (*messages_)[index]; }
    [[nodiscard]] const Message* begin() const { return empty() ? nullptr : messages_->data(); }
    [[nodiscard]] const Message* end() const { return begin() + size(); }
    void push_back(Message message) { messages_.edit().push_back(std::move(message)); }
    // Removes and returns the message at `index`.
    Message take(std::size_t index) {
        std::vector<Message>& messages = messages_.edit();
        Message message = std::move(messages[index]);
        messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(index));
        return message;
    }
    void clear() { messages_.reset(); }
    // For a state store (see Shared).
    [[nodiscard]] bool owned() const { return messages_.owned(); }
    [[nodiscard]] bool borrowed() const { return messages_.borrowed(); }
    [[nodiscard]] const std::vector<Message>* address() const { return messages_.address(); }
    void borrow(const std::vector<Message>* owned_by_store) { messages_.borrow(owned_by_store); }
    [[nodiscard]] const std::shared_ptr<std::vector<Message>>& pointer() const {
        return messages_.pointer();
    }
    void share(std::shared_ptr<std::vector<Message>> equal) { messages_.share(std::move(equal)); }
    friend bool operator==(const MessageQueue& a, const MessageQueue& b) {
        if (a.size() != b.size()) return false;
        return a.messages_.same(b.messages_) || std::equal(a.begin(), a.end(), b.begin());
    }

  private:
    Shared<std::vector<Message>> messages_;
};

struct Link {
    CompId from;
    CompId to;
    MessageQueue queue;
    // Cache (not state): the hash of the queue's encoding, 0 when stale.
    mutable std::uint64_t queue_hash = 0;
    friend bool operator==(const Link& a, const Link& b) {
        return a.from == b.from && a.to == b.to && a.queue == b.queue;
    }
};

// Canonical encodings of link queues (the fingerprint and the symmetric fingerprint write
// them the same way).
void encode(pcore::ByteWriter& out, const MessageQueue& queue);
void encode(pcore::ByteWriter& out, const std::vector<Message>& messages);  // as a queue

}  // namespace pmodel
