// Memo tables of one search: component steps taken from interned slots, and edits of interned
// parts, each computed once and then looked up. Used only by check/ (pcheck::StateStore).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "pcheck/intern_table.hpp"
#include "pmodel/parts.hpp"
#include "pmodel/step_cache.hpp"

namespace pcheck {

using pmodel::CompSlot;
using pmodel::Message;

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
    // The slot after the step (interned, borrowed), its hash, the effects, and each Send's
    // message content hash (its message is then named by its address here: AppendMemo).
    using Result = pmodel::KnownStep;

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

}  // namespace pcheck
