// The world: every component's state, the links between them, and the ghost state the
// property monitors need. One transition system for every driver (simulator, checker, replay,
// property tests, export): `enabled_actions` and `apply` are the only way to move.
//
//   action = run C            C executes its next statement (or its failure handler step)
//          | deliver A->B     B handles the head message of link A->B (per-pair FIFO)
//          | fault K C        an injected crash, host cancel or OS signal (contract §5)
//          | timeout C        timeouts=on: C, blocked on a peer, gives up (SPIN's `timeout`:
//                             enabled only when no run or deliver is)
//
// Links are per ordered pair of components (reowolf-notes §1.1: FIFO per sender-receiver pair).
// The world frees a component when its reference count reaches 0; messages still in its inbox
// go with it (their carried handles are released).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "pcore/component.hpp"
#include "pcore/encode.hpp"
#include "pmodel/observed.hpp"
#include "pmodel/scenario.hpp"

namespace pmodel {

using pcore::ChannelId;
using pcore::CompId;
using pcore::ComponentState;
using pcore::Message;

enum class ActionKind : std::uint8_t { run, deliver, fault, timeout };

struct Action {
    ActionKind kind = ActionKind::run;
    CompId comp;              // run, fault, timeout
    CompId from;              // deliver
    CompId to;                // deliver
    std::uint32_t index = 0;  // deliver: position in the link (0 with FIFO links); fault: kind
    friend bool operator==(const Action&, const Action&) = default;
};

// Contract §5: how many faults of each kind a run may inject.
struct FaultBudget {
    std::uint32_t crash = 0;
    std::uint32_t cancel = 0;
    std::uint32_t signal = 0;
    [[nodiscard]] std::uint32_t of(pcore::FaultKind kind) const {
        return const_cast<FaultBudget&>(*this).of(kind);
    }
    [[nodiscard]] std::uint32_t& of(pcore::FaultKind kind) {
        return kind == pcore::FaultKind::crash    ? crash
               : kind == pcore::FaultKind::cancel ? cancel
                                                  : signal;
    }
    [[nodiscard]] bool any() const { return crash + cancel + signal > 0; }
    friend bool operator==(const FaultBudget&, const FaultBudget&) = default;
};

// Every fault kind, in the order of pmodel::Action::index; fault_name gives its contract name.
inline constexpr pcore::FaultKind fault_kinds[] = {
    pcore::FaultKind::crash, pcore::FaultKind::cancel, pcore::FaultKind::signal};
[[nodiscard]] const char* fault_name(pcore::FaultKind kind);

struct Violation {
    std::string property;  // a contract §7 id
    std::vector<CompId> comps;
    std::string detail;
    friend bool operator==(const Violation&, const Violation&) = default;
};

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
// from an InternTable (use_count 0: the table owns it, no count is kept); edit() clones the
// last two. Empty until the first edit() or a value is given.
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
    // For InternTable: owned by worlds (changed since the last World::share_parts, or copied to
    // other worlds before it was ever interned), or borrowed from a table (its address then
    // stands for its content).
    [[nodiscard]] bool owned() const { return value_.use_count() > 0; }
    [[nodiscard]] bool borrowed() const { return value_ != nullptr && value_.use_count() == 0; }
    [[nodiscard]] const std::shared_ptr<T>& pointer() const { return value_; }
    void share(std::shared_ptr<T> equal) { value_ = std::move(equal); }
    // The same object (equal content without comparing it).
    [[nodiscard]] bool same(const Shared& other) const { return value_ == other.value_; }
    // Packed states (World::pack): a borrowed value travels as its address.
    [[nodiscard]] const T* address() const { return value_.get(); }
    void borrow(const T* owned_by_table) {
        value_ = std::shared_ptr<T>(std::shared_ptr<T>(), const_cast<T*>(owned_by_table));
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

    struct PackedEntry;  // World::pack's form of an entry (below)

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
        // The interned packed form of this entry (World::pack), when it came from one and has
        // not changed since: packing a successor then interns only the entries its step changed.
        const PackedEntry* packed = nullptr;
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
        slots_[index].packed = nullptr;
        return slots_[index].refcount;
    }
    void set_freed(std::size_t index, bool freed) {
        slots_[index].entry_hash = 0;
        slots_[index].packed = nullptr;
        slots_[index].freed = freed;
    }
    [[nodiscard]] const SlotGhost& ghost(std::size_t index) const { return slots_[index].ghost; }
    SlotGhost& ghost_at(std::size_t index) {
        slots_[index].entry_hash = 0;
        slots_[index].packed = nullptr;
        return slots_[index].ghost;
    }
    // The slot, ours alone from now on (cloned if another world still shares it).
    CompSlot& mutable_at(std::size_t index) {
        slots_[index].slot_hash = 0;
        slots_[index].entry_hash = 0;
        slots_[index].packed = nullptr;
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
    // Collapse compression: the slot at `index` is replaced by the table's equal one when there
    // is one (slots with equal content are then one object, however many states hold them).
    [[nodiscard]] bool owned(std::size_t index) const { return slots_[index].slot.owned(); }
    [[nodiscard]] bool borrowed(std::size_t index) const { return slots_[index].slot.borrowed(); }
    [[nodiscard]] const Pointer& pointer(std::size_t index) const {
        return slots_[index].slot.pointer();
    }
    void share(std::size_t index, Pointer equal) { slots_[index].slot.share(std::move(equal)); }
    // World::pack: an entry as a plain value (its slot borrowed from an InternTable), and back.
    struct PackedEntry {
        const CompSlot* slot;
        std::int32_t refcount;
        std::uint32_t freed;
        SlotGhost ghost;
        std::uint64_t slot_hash;
        std::uint64_t entry_hash;
        friend bool operator==(const PackedEntry&, const PackedEntry&) = default;
    };
    [[nodiscard]] PackedEntry packed(std::size_t index) const {
        const Entry& entry = slots_[index];
        return PackedEntry{entry.slot.address(), entry.refcount,  entry.freed ? 1u : 0u,
                           entry.ghost,          entry.slot_hash, entry.entry_hash};
    }
    // The interned packed form of the entry, if known (see Entry::packed), and to remember.
    [[nodiscard]] const PackedEntry* interned_packed(std::size_t index) const {
        return slots_[index].packed;
    }
    void remember_packed(std::size_t index, const PackedEntry* packed) const {
        slots_[index].packed = packed;
    }
    // `count` addresses of PackedEntry values (interned), back to back from `bytes`.
    void assign_packed(const std::byte* bytes, std::size_t count) {
        slots_.resize(count);
        for (std::size_t index = 0; index < count; ++index) {
            const PackedEntry* packed = nullptr;
            std::memcpy(&packed, bytes + index * sizeof packed, sizeof packed);
            Entry& entry = slots_[index];
            entry.slot.borrow(packed->slot);
            entry.refcount = packed->refcount;
            entry.freed = packed->freed != 0;
            entry.ghost = packed->ghost;
            entry.slot_hash = packed->slot_hash;
            entry.entry_hash = packed->entry_hash;
            entry.packed = packed;
        }
    }
    // A different slot whose encoding hashes to `hash` (a memoised step's result).
    void replace(std::size_t index, Pointer slot, std::uint64_t hash) {
        slots_[index].slot.share(std::move(slot));
        slots_[index].slot_hash = hash;
        slots_[index].entry_hash = 0;
        slots_[index].packed = nullptr;
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

// A hash of a few words for the search's memo tables, cheaper than pcore::hash_words: it only
// picks a bucket and a cache slot (keys are compared whole), so it need not be as strong as a
// fingerprint, which it never feeds.
[[nodiscard]] inline std::uint64_t memo_hash(std::initializer_list<std::uint64_t> words) {
    std::uint64_t hash = 0x9E3779B97F4A7C15ull;
    for (const std::uint64_t word : words) {
        hash = (hash ^ word) * 0xFF51AFD7ED558CCDull;
        hash ^= hash >> 32;
    }
    return hash;
}

// A multimap from 64-bit hashes, split into shards with a lock each so that threads insert at
// once; every shard has its own cache line (no false sharing). Used by the search's tables.
template <typename Value>
class ShardedMultimap {
  public:
    using Map = std::unordered_multimap<std::uint64_t, Value>;
    ShardedMultimap() : shards_(std::make_unique<Shard[]>(shard_count)) {}
    // fn(map) on the shard that holds `hash`, under its lock.
    template <typename Fn>
    decltype(auto) with_shard(std::uint64_t hash, Fn&& fn) const {
        Shard& shard = shards_[hash % shard_count];
        std::lock_guard<std::mutex> lock(shard.mutex);
        return std::forward<Fn>(fn)(shard.map);
    }
    [[nodiscard]] std::uint64_t size() const {
        std::uint64_t total = 0;
        for (std::size_t index = 0; index < shard_count; ++index) {
            std::lock_guard<std::mutex> lock(shards_[index].mutex);
            total += shards_[index].map.size();
        }
        return total;
    }

  private:
    static constexpr std::size_t shard_count = 64;
    struct alignas(64) Shard {
        std::mutex mutex;
        Map map;
    };
    std::unique_ptr<Shard[]> shards_;
};

// Values by content, shared by every world that holds an equal one (SPIN's collapse
// compression, per component slot, link queue and monitor state): a checker frontier then stores
// each distinct part once, however many states hold it. Safe for concurrent use; sharded to keep
// threads apart.
template <typename T>
class InternTable {
  public:
    InternTable() = default;
    InternTable(const InternTable&) = delete;
    InternTable& operator=(const InternTable&) = delete;

    // The table's value equal to `*value` (content hash `hash`), inserting `value` if none is.
    // The pointer returned does not own (use_count 0): copying a world that holds it costs no
    // atomic count, which threads would contend on. The table keeps every value until it is
    // destroyed, so it must outlive the worlds that borrow from it.
    std::shared_ptr<T> intern(std::uint64_t hash, const std::shared_ptr<T>& value) {
        return values_.with_shard(hash, [&](auto& map) {
            auto [first, last] = map.equal_range(hash);
            for (; first != last; ++first) {
                if (*first->second == *value) return borrowed(first->second);
            }
            map.emplace(hash, value);
            return borrowed(value);
        });
    }
    [[nodiscard]] std::uint64_t size() const { return values_.size(); }

  private:
    static std::shared_ptr<T> borrowed(const std::shared_ptr<T>& owned) {
        return std::shared_ptr<T>(std::shared_ptr<T>(), owned.get());
    }
    ShardedMultimap<std::shared_ptr<T>> values_;
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
    // For InternTable (see Shared).
    [[nodiscard]] bool owned() const { return messages_.owned(); }
    [[nodiscard]] bool borrowed() const { return messages_.borrowed(); }
    // World::pack (see Shared::address).
    [[nodiscard]] const std::vector<Message>* address() const { return messages_.address(); }
    void borrow(const std::vector<Message>* owned_by_table) { messages_.borrow(owned_by_table); }
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

// Memoised component steps. A step is a pure function of the component's state, its input and
// the id the next spawn would get (core/ is pure), so when states hold interned slots, stepping
// interned slot S with input I is computed once per search: later the result slot and the
// effects are looked up. Safe for concurrent use; entries are never removed.
class StepMemo {
  public:
    struct Key {
        const CompSlot* slot = nullptr;  // interned: one object per content
        std::uint32_t next_comp = 0;
        std::size_t input_kind = 0;  // index in pcore::Input
        std::uint32_t from = 0;
        std::uint8_t fault = 0;
        std::optional<Message> message;  // compared whole: no reliance on hashes
        // A message delivered from an interned queue is named by the queue and its position
        // instead (the queue's content never changes): no message to compare or copy.
        const std::vector<Message>* queue = nullptr;
        std::uint32_t position = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    // A key to look up, borrowing the message: a lookup that finds its step copies nothing.
    struct Probe {
        const CompSlot* slot = nullptr;
        std::uint32_t next_comp = 0;
        std::size_t input_kind = 0;
        std::uint32_t from = 0;
        std::uint8_t fault = 0;
        const Message* message = nullptr;  // null when named by `queue`
        const std::vector<Message>* queue = nullptr;
        std::uint32_t position = 0;
        [[nodiscard]] bool matches(const Key& key) const {
            return key.slot == slot && key.next_comp == next_comp && key.input_kind == input_kind &&
                   key.from == from && key.fault == fault && key.queue == queue &&
                   key.position == position && key.message.has_value() == (message != nullptr) &&
                   (message == nullptr || *key.message == *message);
        }
        [[nodiscard]] Key key() const {
            Key owned{slot, next_comp, input_kind, from, fault, std::nullopt, queue, position};
            if (message != nullptr) owned.message = *message;
            return owned;
        }
    };
    struct Result {
        SlotVector::Pointer slot;  // interned, borrowed
        std::uint64_t slot_hash = 0;
        pcore::Effects effects;
        // By effect: the content hash of a Send's message (0 for other effects). The message
        // is then named by its address here (AppendMemo), hashed by its content.
        std::vector<std::uint64_t> message_hashes;
    };

    StepMemo() : generation_(next_generation()) {}
    // The result for `key` (hash `hash`), or nullptr. It stays valid while the memo lives.
    [[nodiscard]] const Result* find(std::uint64_t hash, const Probe& key) const {
        // A few steps are taken from very many states: a per-thread cache in front keeps the
        // threads off the shards' locks for them. Entries are tagged with the memo's
        // generation, so a cache never answers for another memo.
        struct Cached {
            std::uint64_t generation = 0;
            std::uint64_t hash = 0;
            const Entry* entry = nullptr;
        };
        thread_local std::vector<Cached> cache(cache_size);
        Cached& cached = cache[hash % cache_size];
        if (cached.generation == generation_ && cached.hash == hash &&
            key.matches(cached.entry->first)) {
            return &cached.entry->second;
        }
        const Entry* found = entries_.with_shard(hash, [&](const auto& map) -> const Entry* {
            auto [first, last] = map.equal_range(hash);
            for (; first != last; ++first) {
                if (key.matches(first->second->first)) return first->second.get();
            }
            return nullptr;
        });
        if (found == nullptr) return nullptr;
        cached = Cached{generation_, hash, found};
        return &found->second;
    }
    void insert(std::uint64_t hash, Key key, Result result) {
        entries_.with_shard(hash, [&](auto& map) {
            auto [first, last] = map.equal_range(hash);
            for (; first != last; ++first) {
                if (first->second->first == key) return;  // another thread computed it too
            }
            map.emplace(hash, std::make_unique<Entry>(std::move(key), std::move(result)));
        });
    }
    [[nodiscard]] std::uint64_t size() const { return entries_.size(); }

  private:
    using Entry = std::pair<Key, Result>;
    static constexpr std::size_t cache_size = 4096;
    static std::uint64_t next_generation() {
        static std::atomic<std::uint64_t> counter{0};
        return ++counter;
    }
    ShardedMultimap<std::unique_ptr<Entry>> entries_;
    std::uint64_t generation_;
};

// A memo from small keys naming interned parts (compared by address: one object per content)
// to values, hashed by the parts' content hashes, never by address. Safe for concurrent use,
// with a per-thread cache in front (as in StepMemo: most lookups take no lock); entries are
// never removed. Key: equality-comparable and cheap to copy; Value: default-constructible.
template <typename Key, typename Value>
class PartMemo {
  public:
    PartMemo() : generation_(next_generation()) {}
    PartMemo(const PartMemo&) = delete;
    PartMemo& operator=(const PartMemo&) = delete;

    // The value for `key` (hash `hash`); `compute()` gives it on the first request.
    template <typename Compute>
    Value get(std::uint64_t hash, const Key& key, Compute&& compute) {
        struct Cached {
            std::uint64_t generation = 0;
            Key key{};
            Value value{};
        };
        thread_local std::vector<Cached> cache(cache_size);
        Cached& cached = cache[hash % cache_size];
        if (cached.generation == generation_ && cached.key == key) return cached.value;
        std::optional<Value> found =
            entries_.with_shard(hash, [&](const auto& map) -> std::optional<Value> {
                auto [first, last] = map.equal_range(hash);
                for (; first != last; ++first) {
                    if (first->second.first == key) return first->second.second;
                }
                return std::nullopt;
            });
        if (!found.has_value()) {
            found = std::forward<Compute>(compute)();
            // Another thread may have computed an equal value meanwhile: either one will do.
            entries_.with_shard(hash,
                                [&](auto& map) { map.emplace(hash, std::pair(key, *found)); });
        }
        cached = Cached{generation_, key, *found};
        return *found;
    }
    [[nodiscard]] std::uint64_t size() const { return entries_.size(); }

  private:
    static constexpr std::size_t cache_size = 4096;
    static std::uint64_t next_generation() {
        static std::atomic<std::uint64_t> counter{0};
        return ++counter;
    }
    ShardedMultimap<std::pair<Key, Value>> entries_;
    std::uint64_t generation_;
};

// An interned link queue and its content hash; queue null (hash 0) for no messages.
struct InternedQueue {
    const std::vector<Message>* queue = nullptr;
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
using TakeMemo = PartMemo<TakeKey, InternedQueue>;
using AppendMemo = PartMemo<AppendKey, InternedQueue>;

// The intern tables of one search (see InternTable): every distinct part of the states met,
// and the component steps and deliveries taken from interned parts.
struct StateTables {
    InternTable<CompSlot> slots;
    InternTable<std::vector<Message>> queues;
    InternTable<Ghost> ghosts;
    StepMemo steps;
    TakeMemo taken;
    AppendMemo appended;
    // Component entries of packed states (World::pack), by content: a frontier state holds
    // an address per component instead of the entry (8 bytes instead of 64).
    InternTable<SlotVector::PackedEntry> entries;
    PartMemo<SlotVector::PackedEntry, const SlotVector::PackedEntry*> packed_entries;
};

struct AppDeadlock {
    std::vector<CompId> cycle;  // the wait-for cycle, first component repeated at the end
    std::string detail;
};

struct ApplyResult {
    std::vector<CompId> touched;                  // components whose runnability may have changed
    std::vector<std::pair<CompId, CompId>> sent;  // links that received a message, in order
    // For the partial-order reduction: the other components whose world entries the step read
    // or wrote (message and cancel targets, reference counts, ghost round fields of submitters),
    // and the components whose ghost round fields it read or wrote (a decision's submitters,
    // the receiver of a decision or of a round-failing ClosePort).
    std::vector<CompId> reached;
    std::vector<CompId> round_ghost;
};

// Where a delivered message came from, when its queue is interned: the step memo names the
// message by (queue, position, queue hash) instead of hashing and comparing it.
struct InternedOrigin {
    const std::vector<Message>* queue = nullptr;
    std::uint32_t position = 0;
    std::uint64_t queue_hash = 0;
};

class World {
  public:
    World(std::shared_ptr<const Scenario> scenario,
          pcore::Variants variants,
          FaultBudget faults = {});

    [[nodiscard]] const Scenario& scenario() const { return *scenario_; }
    [[nodiscard]] const std::shared_ptr<const Scenario>& scenario_ptr() const { return scenario_; }
    [[nodiscard]] const pcore::Variants& variants() const { return variants_; }
    [[nodiscard]] const FaultBudget& fault_budget() const { return faults_; }
    [[nodiscard]] bool fault_injected() const;
    [[nodiscard]] const SlotVector& comps() const { return comps_; }
    [[nodiscard]] std::int32_t refcount(CompId comp) const { return comps_.refcount(comp.value()); }
    [[nodiscard]] bool freed(CompId comp) const { return comps_.freed(comp.value()); }
    [[nodiscard]] const SlotGhost& slot_ghost(CompId comp) const {
        return comps_.ghost(comp.value());
    }
    // The links with messages in flight (a link is dropped when it empties), in (from, to)
    // order.
    [[nodiscard]] const std::vector<Link>& links() const { return links_; }
    [[nodiscard]] const Ghost& ghost() const { return *ghost_; }
    [[nodiscard]] const std::vector<Violation>& violations() const { return violations_; }
    [[nodiscard]] std::uint64_t delivered() const { return delivered_; }

    // Canonical order: runs by component id, then deliveries by (from, to, index).
    void enabled_actions(std::vector<Action>& out) const;
    [[nodiscard]] bool enabled(const Action& action) const;
    [[nodiscard]] bool runnable(CompId comp) const;
    [[nodiscard]] const Link* link(CompId from, CompId to) const;

    // Applies an enabled action; state monitors run on every effect.
    ApplyResult apply(const Action& action);
    // The same, into a result the caller reuses (the checker: no allocation per step).
    void apply(const Action& action, ApplyResult& result);

    // Properties that are judged on a terminal state (no enabled action): DF-1, DF-2, DF-3,
    // LC-2, NM-1..NM-5, EXPECT (only in runs without injected faults: a fault changes the
    // scenario its expect block was written for). Appends to violations(); returns the
    // application deadlocks.
    std::vector<AppDeadlock> check_terminal();

    [[nodiscard]] std::uint64_t fingerprint() const;

    // The checker's frontier form of a state: the addresses of its interned parts (each
    // component's entry is interned whole, in tables.entries) and its small fields as plain
    // bytes, no allocation. Only for a world using tables (use_tables), without violations,
    // whose parts are all interned (after share_parts). unpack() overwrites this world's state with
    // a packed one of the same search (same scenario, variants, fault budget and tables).
    [[nodiscard]] std::size_t packed_size() const;
    void pack(std::byte* out) const;
    void unpack(const std::byte* in);
    // Replaces the parts only this world holds (component slots, link queues, monitor state) by
    // equal ones from `tables` (inserting them when new). Call after fingerprint(), which
    // computes the hashes it uses.
    void share_parts(StateTables& tables);
    // Steps of components whose slot is interned are looked up in (and added to) tables.steps;
    // the world's copies inherit this. The tables must outlive every world that uses them.
    void use_tables(StateTables& tables) { tables_ = &tables; }

    [[nodiscard]] std::string name_of(CompId comp) const;
    [[nodiscard]] CompId find_by_name(const std::string& name) const;
    [[nodiscard]] std::string describe(const Action& action) const;

    // Equal states: same components, same links, same monitors.
    friend bool operator==(const World& a, const World& b);

  private:
    friend struct WorldTestAccess;  // property tests build worlds by hand

    // The link, to change it (created when missing; its cached hash dropped).
    Link& link_for(CompId from, CompId to);
    void step_component(CompId comp,
                        const pcore::Input& input,
                        ApplyResult& result,
                        const InternedOrigin& origin = {});
    // The step itself, unobserved.
    void advance_component(CompId comp,
                           const pcore::Input& input,
                           ApplyResult& result,
                           const InternedOrigin& origin);
    [[nodiscard]] pcore::StepContext step_context() const;
    // A delivery from an interned queue: the message is copied only when its step is not
    // memoised yet.
    void step_delivered(CompId to, CompId from, const InternedOrigin& origin, ApplyResult& result);
    // The memo's key for a step of interned slot `index`, and its hash.
    StepMemo::Probe step_probe(std::size_t index,
                               const pcore::StepContext& context,
                               const pcore::Input* input,
                               CompId from,
                               const InternedOrigin& origin,
                               std::uint64_t& hash) const;
    // The next step of `comp`, when memoised: its slot is replaced by the result and the
    // memoised effects applied. False when not memoised yet (nothing changed).
    bool step_from_memo(CompId comp,
                        std::uint64_t hash,
                        const StepMemo::Probe& key,
                        ApplyResult& result);
    void step_and_memoise(std::size_t index,
                          const pcore::StepContext& context,
                          const pcore::Input& input,
                          std::uint64_t hash,
                          const StepMemo::Probe& key,
                          pcore::Effects& effects);
    void apply_effects(CompId source, pcore::Effects& effects, ApplyResult& result);
    void apply_memoised_effects(CompId source, const StepMemo::Result& known, ApplyResult& result);
    // `messages` interned in tables_->queues, with their content hash.
    InternedQueue intern_queue(std::shared_ptr<std::vector<Message>> messages);
    // A Send of a memoised step: the longer queue is memoised too (AppendMemo).
    void send_memoised(CompId source,
                       const pcore::Send& effect,
                       std::uint64_t message_hash,
                       ApplyResult& result);
    // One handler per effect of a step by `source`. The runtime's own effects:
    void on_effect(CompId source, pcore::Send& effect, ApplyResult& result);
    void on_effect(CompId source, pcore::SendImmediate& effect, ApplyResult& result);
    void on_effect(CompId source, pcore::SpawnComponent& effect, ApplyResult& result);
    // The same from a memoised step's effects, which stay in the memo (copies made).
    void on_effect(CompId source, const pcore::Send& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::SendImmediate& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::SpawnComponent& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::ScheduleComponent& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::RefInc& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::RefDec& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::RequestCancel& effect, ApplyResult& result);
    // Events for the observers (model/src/properties/):
    void on_effect(CompId source, const pcore::FactAccepted& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::FactCause& effect, ApplyResult& result);
    void on_effect(CompId source, const pcore::FactHandlerRun& effect, ApplyResult& result);
    // What the observers see of a step of `comp` (model/src/properties/observe.cpp): before
    // it, the statement it was at; after it, what changed.
    struct StepBefore {
        std::uint32_t pc = 0;
        bool run = false;      // a run action (or a nested run), not a delivery or fault
        bool handler = false;  // the run was its failure handler's step, not a statement
        bool running = true;   // its outcome was still open
        EndTrigger input = EndTrigger::own;
        CompId from;                  // delivered messages: the sender (close_port: the closer)
        std::uint32_t data_sent = 0;  // puts of its own sent so far in this apply
    };
    [[nodiscard]] StepBefore observe_before(CompId comp,
                                            const pcore::Input& input,
                                            const Message* delivered) const;
    void observe_after(CompId comp, const StepBefore& before, ApplyResult& result);
    void observe_delivery(CompId to, CompId from, const Message& message);
    void observe_fault(CompId comp, pcore::FaultKind kind);
    void observe_send(CompId source, const Message& message);
    void observe_spawn(CompId creator, CompId created);
    void observe_schedule(CompId creator, CompId created);
    // Sync rounds (model/src/properties/rounds.cpp).
    void round_entered(CompId comp);
    void round_concluded(CompId comp, ApplyResult& result);
    void judge_link(const RoundLink& link, ApplyResult& result);
    void judge_round_puts(CompId comp, std::uint32_t round);
    // Errors (model/src/properties/errors.cpp).
    void record_arrival(CompId comp, CompId author, const pcore::ErrorInfo& error);
    void check_errors();
    void check_relay_path(CompId comp, const pcore::Outcome& outcome);
    // Lifetime and progress (model/src/properties/lifetime.cpp, progress.cpp).
    void check_conservation();
    void check_in_flight_at_free(CompId comp);
    std::vector<AppDeadlock> check_progress();
    void free_if_unreferenced(CompId comp, ApplyResult& result);
    void violation(std::string property, std::vector<CompId> comps, std::string detail);
    void release_carried(const Message& message, ApplyResult& result);

    [[nodiscard]] std::uint32_t instances_named(const std::string& base) const;
    // Every mutation of a component slot goes through here: it drops the cached hash.
    CompSlot& slot_for_update(CompId comp);
    [[nodiscard]] std::uint64_t queue_hash(const Link& link) const;
    [[nodiscard]] std::uint64_t slot_hash(std::size_t index) const;
    // The hash of a component's entry: its slot hash, count, freed flag and facts (cached).
    [[nodiscard]] std::uint64_t entry_hash(std::size_t index) const;
    [[nodiscard]] std::uint64_t ghost_hash() const;
    Ghost& edit_ghost();
    void check_expectations();
    void enabled_faults(std::vector<Action>& out) const;
    [[nodiscard]] bool fault_target(CompId comp, pcore::FaultKind kind) const;
    [[nodiscard]] bool timeout_target(CompId comp) const;

    std::shared_ptr<const Scenario> scenario_;
    pcore::Variants variants_;
    FaultBudget faults_;
    SlotVector comps_;
    std::vector<Link> links_;  // sorted by (from, to); none empty
    Shared<Ghost> ghost_{Ghost{}};
    std::vector<Violation> violations_;
    std::uint64_t delivered_ = 0;
    mutable std::uint64_t ghost_hash_ = 0;
    StateTables* tables_ = nullptr;  // a search's tables (StepMemo), not state
    // Not state: the observers' view of the step being applied.
    std::uint32_t data_sent_ = 0;           // Data messages sent by their own putter in this apply
    CompId spawned_ = CompId::none();       // the component spawned in this step, if any
    const StepBefore* stepping_ = nullptr;  // the step being applied (nested: the innermost)
};

}  // namespace pmodel
