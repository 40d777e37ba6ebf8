// Dense numbers for the store's interned parts, so that a frontier state names each part in one
// to three bytes (a varint of its number) instead of an eight-byte address (issue 18: "a lean
// frontier"). Used only by check/ (StateStore::pack/unpack).
//
// Numbers are handed out once and never reused; the directory only grows while a search runs.
// Appends take a lock only when a new chunk is needed; reads take none: a number is read only
// from a packed state, which reaches another thread through the layer barrier (LayerPool::run)
// after the append that made it, so the entry is visible by then.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>

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
        chunk(place.chunk)[place.offset] = make(static_cast<std::uint32_t>(number));
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
            owned_[which] = std::make_unique<Entry[]>(first_chunk << which);
            found = owned_[which].get();
            chunks_[which].store(found, std::memory_order_release);
        }
        return found;
    }

    std::atomic<std::uint64_t> next_{0};
    std::mutex grow_;
    std::array<std::atomic<Entry*>, chunk_count> chunks_{};
    std::array<std::unique_ptr<Entry[]>, chunk_count> owned_{};
};

}  // namespace pcheck
