// A set of 64-bit state fingerprints: open addressing with linear probing, 8 bytes a slot.
//
// Threads insert without locks: a slot goes from empty (0) to a fingerprint by compare-and-swap
// and never changes again, so two threads inserting one fingerprint meet on the same slot and
// exactly one of them is told it was new (LTSmin's table works the same way). What needs a
// lock is growth, which moves every slot: a thread inserts inside a Writer session, and the
// table grows only when no session is open.
//
// Room for inserts is reserved in quanta per session (one shared counter update per quantum, not
// per insert). When a reservation would take the table past 3/4 full, the reserving thread
// ends its session, waits until every other session has ended, grows every shard by half, and
// opens its session again; the others stop at their next session start or reservation and grow
// shards along with it. So the table holds between 1/2 and 3/4 of its slots: 10.7 to 16 bytes
// per state. Slots are spread over shards, each grown by one thread at a time, so a growth needs
// only one shard's worth of memory more per thread.
//
// Rule for callers: a thread holds a Writer of at most one set that can grow while it waits for
// another (a thread waiting to grow set A while holding a session of set B, and another waiting
// to grow B while holding a session of A, would wait forever). contains() outside a session is
// only for sets no thread inserts into at the time.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "mapped_memory.hpp"

namespace pcheck {

__extension__ using uint128 = unsigned __int128;  // GCC/Clang: for a 64x64->128 multiply

class FingerprintSet {
  public:
    explicit FingerprintSet(unsigned shard_bits = 6)
        : shards_(std::size_t{1} << shard_bits), shift_(64 - shard_bits) {
        for (Shard& shard : shards_) shard.reset(initial_capacity);
        next_shard_.store(shards_.size());  // no growth under way
    }
    FingerprintSet(const FingerprintSet&) = delete;
    FingerprintSet& operator=(const FingerprintSet&) = delete;

    // A thread's right to insert, for a batch of work (the checker: a chunk of states).
    class Writer {
      public:
        explicit Writer(FingerprintSet& set) : set_(set) { set_.open_session(); }
        Writer(const Writer&) = delete;
        Writer& operator=(const Writer&) = delete;
        ~Writer() { set_.close_session(room_); }

        // True when the fingerprint was not in the set (it is now).
        bool insert(std::uint64_t fingerprint) {
            if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
            while (true) {
                if (room_ == 0) room_ = set_.reserve();
                const std::uint64_t capacity = set_.total_capacity();
                const Placed placed = set_.place(fingerprint);
                if (placed == Placed::inserted) {
                    --room_;
                    return true;
                }
                if (placed == Placed::present) return false;
                // A probe ran too long (an unlucky shard): grow, whatever the count says.
                set_.grow_from_session(room_, capacity);
                room_ = 0;
            }
        }
        [[nodiscard]] bool contains(std::uint64_t fingerprint) const {
            return set_.find(fingerprint);
        }
        // Starts loading the fingerprint's home slot into the cache: an insert soon after
        // does not wait for memory. (The table does not grow while a session is open.)
        // always_inline: GCC 12 judges a non-inlined wrapper of __builtin_prefetch free of side
        // effects (pure) and deletes the call before inlining it: no prefetch was ever issued.
        [[gnu::always_inline]] void prefetch(std::uint64_t fingerprint) const {
            set_.prefetch(fingerprint);
        }

      private:
        FingerprintSet& set_;
        std::uint64_t room_ = 0;  // inserts reserved and not yet made
    };

    // One-off insert in a session of its own (not for hot loops).
    bool insert(std::uint64_t fingerprint) {
        Writer writer(*this);
        return writer.insert(fingerprint);
    }

    // See the rule above: only while no thread inserts, or inside a session.
    [[nodiscard]] bool contains(std::uint64_t fingerprint) const { return find(fingerprint); }

    // Calls each(fingerprint) on every member, in table order (no session open).
    template <class Each>
    void for_each(Each&& each) const {
        for (const Shard& shard : shards_) {
            for (std::size_t at = 0; at < shard.capacity; ++at) {
                const std::uint64_t held = shard.words[at];
                if (held != 0) each(held);
            }
        }
    }

    // Empties the set (between layers only: no session open).
    void clear() {
        for (Shard& shard : shards_) shard.reset(initial_capacity);
        reserved_.store(0);
    }

    // Exact when no session is open (otherwise it counts their unused room too).
    [[nodiscard]] std::uint64_t size() const { return reserved_.load(); }

    // While no growth is under way (the search has ended).
    [[nodiscard]] std::uint64_t bytes() const {
        std::lock_guard<std::mutex> lock(gate_);
        std::uint64_t total = 0;
        for (const Shard& shard : shards_) total += shard.capacity * sizeof(std::uint64_t);
        return total;
    }

  private:
    static constexpr std::size_t initial_capacity = 64;
    static constexpr std::uint64_t max_quantum = 1024;

    // Slots are plain words in mapped (zero-filled) memory, accessed through atomic_ref.
    struct Shard {
        MappedMemory memory;
        std::uint64_t* words = nullptr;
        std::size_t capacity = 0;
        void reset(std::size_t size) {
            memory = MappedMemory(size * sizeof(std::uint64_t), MappedMemory::Touch::now);
            words = reinterpret_cast<std::uint64_t*>(memory.data());
            capacity = size;
        }
        [[nodiscard]] std::atomic_ref<std::uint64_t> slot(std::size_t at) const {
            return std::atomic_ref<std::uint64_t>(words[at]);
        }
    };

    // By the fingerprint's top bits (a shift by 64 would be undefined: one shard is shard 0).
    [[nodiscard]] std::size_t shard_index(std::uint64_t fingerprint) const {
        return shards_.size() == 1 ? 0 : static_cast<std::size_t>(fingerprint >> shift_);
    }

    enum class Placed { inserted, present, probe_too_long };

    static std::size_t home(std::uint64_t fingerprint, std::size_t capacity) {
        // Bits below the shard bits are as random as the rest: scale them to the capacity.
        const uint128 wide = static_cast<uint128>(fingerprint * 0x9E3779B97F4A7C15ull) *
                             static_cast<uint128>(capacity);
        return static_cast<std::size_t>(wide >> 64);
    }

    // Past a quarter of a shard, a probe tells of a shard far fuller than the average.
    static std::size_t probe_limit(std::size_t capacity) { return capacity / 4 + 16; }

    Placed place(std::uint64_t fingerprint) {
        Shard& shard = shards_[shard_index(fingerprint)];
        const std::size_t capacity = shard.capacity;
        std::size_t at = home(fingerprint, capacity);
        const std::size_t limit = std::min(capacity, probe_limit(capacity));
        for (std::size_t step = 0; step < limit; ++step) {
            const std::atomic_ref<std::uint64_t> slot = shard.slot(at);
            std::uint64_t held = slot.load(std::memory_order_relaxed);
            if (held == 0) {
                if (slot.compare_exchange_strong(held, fingerprint, std::memory_order_relaxed)) {
                    return Placed::inserted;
                }
                // Another thread filled the slot first: with this fingerprint, or another one
                // (then the probe goes on).
            }
            if (held == fingerprint) return Placed::present;
            if (++at == capacity) at = 0;
        }
        return Placed::probe_too_long;
    }

    [[gnu::always_inline]] void prefetch(std::uint64_t fingerprint) const {
        if (fingerprint == 0) fingerprint = 1;
        const Shard& shard = shards_[shard_index(fingerprint)];
        __builtin_prefetch(shard.words + home(fingerprint, shard.capacity), 1);
    }

    [[nodiscard]] bool find(std::uint64_t fingerprint) const {
        if (fingerprint == 0) fingerprint = 1;
        const Shard& shard = shards_[shard_index(fingerprint)];
        std::size_t at = home(fingerprint, shard.capacity);
        for (std::size_t step = 0; step < shard.capacity; ++step) {
            const std::uint64_t held = shard.slot(at).load(std::memory_order_relaxed);
            if (held == fingerprint) return true;
            if (held == 0) return false;
            if (++at == shard.capacity) at = 0;
        }
        return false;
    }

    [[nodiscard]] std::uint64_t total_capacity() const {
        return static_cast<std::uint64_t>(shards_.size()) * shards_.front().capacity;
    }

    void open_session() {
        std::unique_lock<std::mutex> lock(gate_);
        wait_for_growth(lock);
        ++sessions_;
    }

    void close_session(std::uint64_t room) {
        {
            std::lock_guard<std::mutex> lock(gate_);
            reserved_.fetch_sub(room);  // room never used was never filled
            --sessions_;
        }
        changed_.notify_all();
    }

    // Room for the next inserts of a session (at least 1), growing the table first when the
    // room could take it past 3/4 full.
    std::uint64_t reserve() {
        while (true) {
            // A quantum small against the table: every open session may fill its room before
            // the next check, and a table of 64 slots a shard must still not overflow.
            const std::uint64_t capacity = total_capacity();
            const std::uint64_t quantum = std::clamp<std::uint64_t>(capacity / 64, 1, max_quantum);
            const std::uint64_t limit = capacity / 4 * 3;
            std::uint64_t now = reserved_.load(std::memory_order_relaxed);
            while (now + quantum <= limit) {
                if (reserved_.compare_exchange_weak(now, now + quantum,
                                                    std::memory_order_relaxed)) {
                    return quantum;
                }
            }
            grow_from_session(0, capacity);
        }
    }

    // Called inside a session holding `room` reserved inserts (given back), which found the
    // table of `seen_capacity` slots too full: ends the session, grows the table unless another
    // thread did since, opens the session again.
    void grow_from_session(std::uint64_t room, std::uint64_t seen_capacity) {
        std::unique_lock<std::mutex> lock(gate_);
        reserved_.fetch_sub(room);
        --sessions_;
        changed_.notify_all();
        if (growing_) {
            // Another thread grows the table: help it, then retry.
            wait_for_growth(lock);
            ++sessions_;
            return;
        }
        growing_ = true;
        changed_.wait(lock, [&] { return sessions_ == 0; });
        // Another thread may have grown the table while this one waited for the sessions.
        if (total_capacity() == seen_capacity) {
            // The shards are independent: every thread that arrives at a session start or a
            // reservation meanwhile grows some of them (one thread alone would leave the others
            // idle for seconds in a large search).
            shards_grown_ = 0;
            next_shard_.store(0);
            changed_.notify_all();
            lock.unlock();
            grow_shards();
            lock.lock();
            changed_.wait(lock, [&] { return shards_grown_ == shards_.size(); });
        }
        growing_ = false;
        ++sessions_;
        lock.unlock();
        changed_.notify_all();
    }

    // Outside a session, holding the gate: returns when no growth is under way, having grown
    // shards of it meanwhile.
    void wait_for_growth(std::unique_lock<std::mutex>& lock) {
        while (growing_) {
            if (next_shard_.load() < shards_.size()) {
                lock.unlock();
                grow_shards();
                lock.lock();
                continue;
            }
            changed_.wait(lock);
        }
    }

    // Claims shards of the growth under way until none is left (no session is open: plain
    // reads and writes), then counts them grown. Called without the gate.
    void grow_shards() {
        std::size_t grown = 0;
        while (true) {
            const std::size_t index = next_shard_.fetch_add(1);
            if (index >= shards_.size()) break;
            grow(shards_[index]);
            ++grown;
        }
        {
            std::lock_guard<std::mutex> lock(gate_);
            shards_grown_ += grown;
        }
        changed_.notify_all();
    }

    // By half. The old slots are read in order, and a fingerprint's home only moves up with
    // the capacity: the new table fills from front to back (the probe wrapping round at its
    // end aside), so it costs a pass over memory rather than a cache miss per fingerprint.
    static void grow(Shard& shard) {
        Shard bigger;
        bigger.reset(shard.capacity + shard.capacity / 2);
        for (std::size_t from = 0; from < shard.capacity; ++from) {
            const std::uint64_t value = shard.words[from];
            if (value == 0) continue;
            std::size_t at = home(value, bigger.capacity);
            while (bigger.words[at] != 0) {
                if (++at == bigger.capacity) at = 0;
            }
            bigger.words[at] = value;
        }
        shard = std::move(bigger);
    }

    std::vector<Shard> shards_;
    unsigned shift_ = 58;
    // Inserts made plus room reserved by open sessions.
    std::atomic<std::uint64_t> reserved_{0};
    mutable std::mutex gate_;
    std::condition_variable changed_;
    std::uint64_t sessions_ = 0;
    bool growing_ = false;
    // The growth under way: the first shard no thread has claimed (the shard count when none
    // is left, or no growth is under way), and the shards grown.
    std::atomic<std::size_t> next_shard_{0};
    std::size_t shards_grown_ = 0;
};

}  // namespace pcheck
