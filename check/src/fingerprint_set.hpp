// A set of 64-bit state fingerprints: open addressing with linear probing, 8 bytes a slot.
//
// The table grows by half when three quarters full, so it holds between 1/2 and 3/4 of its
// slots: 10.7 to 16 bytes per state. Slots are spread over shards, each with its own lock, so
// that several threads insert at once; a shard is picked by the fingerprint's top bits and the
// slot by a multiply-shift of the rest (any capacity, no power of two needed).
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace pcheck {

__extension__ using uint128 = unsigned __int128;  // GCC/Clang: for a 64x64->128 multiply

class FingerprintSet {
  public:
    explicit FingerprintSet(unsigned shard_bits = 6) : shards_(std::size_t{1} << shard_bits) {
        shift_ = 64 - shard_bits;
        for (Shard& shard : shards_) shard.slots.assign(initial_capacity, 0);
    }

    // True when the fingerprint was not in the set (it is now).
    bool insert(std::uint64_t fingerprint) {
        if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
        Shard& shard = shards_[fingerprint >> shift_];
        std::lock_guard<std::mutex> lock(shard.mutex);
        if ((shard.size + 1) * 4 > shard.slots.size() * 3) grow(shard);
        if (!place(shard.slots, fingerprint)) return false;
        ++shard.size;
        return true;
    }

    [[nodiscard]] bool contains(std::uint64_t fingerprint) {
        if (fingerprint == 0) fingerprint = 1;
        Shard& shard = shards_[fingerprint >> shift_];
        std::lock_guard<std::mutex> lock(shard.mutex);
        return shard.slots[probe(shard.slots, fingerprint)] == fingerprint;
    }

    // Empties the set (not thread-safe: between layers only).
    void clear() {
        for (Shard& shard : shards_) {
            shard.slots.assign(initial_capacity, 0);
            shard.size = 0;
        }
    }

    [[nodiscard]] std::uint64_t size() const {
        std::uint64_t total = 0;
        for (const Shard& shard : shards_) total += shard.size;
        return total;
    }

    [[nodiscard]] std::uint64_t bytes() const {
        std::uint64_t total = 0;
        for (const Shard& shard : shards_) total += shard.slots.size() * sizeof(std::uint64_t);
        return total;
    }

  private:
    static constexpr std::size_t initial_capacity = 64;

    struct alignas(64) Shard {  // a cache line each: no false sharing between threads
        std::mutex mutex;
        std::vector<std::uint64_t> slots;
        std::uint64_t size = 0;
    };

    static std::size_t home(std::uint64_t fingerprint, std::size_t capacity) {
        // Bits below the shard bits are as random as the rest: scale them to the capacity.
        const uint128 wide = static_cast<uint128>(fingerprint * 0x9E3779B97F4A7C15ull) *
                             static_cast<uint128>(capacity);
        return static_cast<std::size_t>(wide >> 64);
    }

    // The slot holding `fingerprint`, or the empty one where it would go (linear probing).
    static std::size_t probe(const std::vector<std::uint64_t>& slots, std::uint64_t fingerprint) {
        std::size_t at = home(fingerprint, slots.size());
        while (slots[at] != fingerprint && slots[at] != 0) {
            if (++at == slots.size()) at = 0;
        }
        return at;
    }

    static bool place(std::vector<std::uint64_t>& slots, std::uint64_t fingerprint) {
        const std::size_t at = probe(slots, fingerprint);
        if (slots[at] == fingerprint) return false;
        slots[at] = fingerprint;
        return true;
    }

    static void grow(Shard& shard) {
        std::vector<std::uint64_t> bigger(shard.slots.size() + shard.slots.size() / 2, 0);
        for (std::uint64_t held : shard.slots) {
            if (held != 0) (void)place(bigger, held);
        }
        shard.slots.swap(bigger);
    }

    std::vector<Shard> shards_;
    unsigned shift_ = 58;
};

}  // namespace pcheck
