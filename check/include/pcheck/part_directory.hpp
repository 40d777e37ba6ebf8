// Dense numbers for the store's interned parts, so that a frontier state names each part in a
// varint of its number (one byte below 128, four below 2^28) instead of an eight-byte address
// (issue 18: "a lean frontier"). Used only by check/ (StateStore::pack/unpack).
//
// Numbers are handed out once and never reused; the directory only grows while a search runs.
// Appends take a lock only when a new chunk is needed; reads take none. A number reaches
// another thread after the append that made it: through a packed state (across the layer
// barrier, LayerPool::run) or through the store's memo of numbers (PartMemo, whose shard lock
// is taken after the entry was written), so the entry is visible by then.
//
// 2^32 numbers of one kind would need more than 2^32 interned parts (over 256 GB): a search
// meets --max-memory or the machine's end long before the length_error below.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace pcheck {

template <typename Entry>
class PartDirectory {
  public:
    PartDirectory() = default;
    PartDirectory(const PartDirectory&) = delete;
    PartDirectory& operator=(const PartDirectory&) = delete;

    // A fresh number for `entry`.
    std::uint32_t add(const Entry& entry) {
        return add_with([&](std::uint32_t /*number*/) { return entry; });
    }
    // A fresh number, and make(number) as its entry (an entry that knows its own number).
    template <typename Make>
    std::uint32_t add_with(Make&& make) {
        const std::uint64_t number = next_.fetch_add(1, std::memory_order_relaxed);
        if (number > std::numeric_limits<std::uint32_t>::max()) {
            throw std::length_error("more than 2^32 distinct parts of one kind in a search");
        }
        const Place place = place_of(number);
        new (chunk(place.chunk) + place.offset) Entry(make(static_cast<std::uint32_t>(number)));
        return static_cast<std::uint32_t>(number);
    }
    [[nodiscard]] const Entry& at(std::uint32_t number) const {
        const Place place = place_of(number);
        return chunks_[place.chunk].load(std::memory_order_acquire)[place.offset];
    }
    [[nodiscard]] std::uint64_t size() const { return next_.load(std::memory_order_relaxed); }

  private:
    // Chunk k holds first_chunk << k numbers, from first_chunk * (2^k - 1) on: a small search
    // allocates one small chunk, a large one a few dozen.
    static constexpr std::uint64_t first_chunk = 1024;
    static constexpr std::size_t chunk_count = 23;  // covers 2^32 numbers
    struct Place {
        std::size_t chunk;
        std::uint64_t offset;
    };
    static Place place_of(std::uint64_t number) {
        const auto chunk = static_cast<std::size_t>(std::bit_width(number / first_chunk + 1) - 1);
        return Place{chunk, number - first_chunk * ((std::uint64_t{1} << chunk) - 1)};
    }

    Entry* chunk(std::size_t which) {
        Entry* found = chunks_[which].load(std::memory_order_acquire);
        if (found != nullptr) return found;
        std::lock_guard<std::mutex> lock(grow_);
        found = chunks_[which].load(std::memory_order_relaxed);
        if (found == nullptr) {
            // Raw bytes, not constructed entries: a large chunk's pages stay untouched (and
            // out of the resident memory) until numbers reach them; add() constructs each.
            owned_[which].reset(new std::byte[(first_chunk << which) * sizeof(Entry)]);
            found = reinterpret_cast<Entry*>(owned_[which].get());
            chunks_[which].store(found, std::memory_order_release);
        }
        return found;
    }

    std::atomic<std::uint64_t> next_{0};
    std::mutex grow_;
    std::array<std::atomic<Entry*>, chunk_count> chunks_{};
    std::array<std::unique_ptr<std::byte[]>, chunk_count> owned_{};
    static_assert(std::is_trivially_destructible_v<Entry> &&
                  alignof(Entry) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
};

}  // namespace pcheck
