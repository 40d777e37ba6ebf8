// The search's shared tables: a sharded multimap from content hashes that threads use at once,
// and the intern table built on it (SPIN's collapse compression). Used only by check/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace pcheck {

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

}  // namespace pcheck
