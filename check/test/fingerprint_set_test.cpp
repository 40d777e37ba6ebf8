// The visited set: exact membership, one "new" per fingerprint however many threads insert it,
// growth while threads insert, and the 16 bytes per state bound.
#include "../src/fingerprint_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

namespace {

using pcheck::FingerprintSet;

// splitmix64: well spread test fingerprints.
std::uint64_t spread(std::uint64_t seed) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

TEST(FingerprintSet, KnowsWhatItHoldsAndNothingElse) {
    FingerprintSet set;
    std::set<std::uint64_t> reference;
    FingerprintSet::Writer writer(set);
    for (std::uint64_t at = 0; at < 100'000; ++at) {
        // Every third one repeats an earlier fingerprint.
        const std::uint64_t fingerprint = spread(at % 3 == 0 ? at / 3 : at);
        EXPECT_EQ(writer.insert(fingerprint), reference.insert(fingerprint).second) << at;
    }
    for (std::uint64_t at = 0; at < 200'000; ++at) {
        const std::uint64_t fingerprint = spread(at);
        EXPECT_EQ(writer.contains(fingerprint), reference.count(fingerprint) == 1) << at;
    }
}

TEST(FingerprintSet, StaysWithinSixteenBytesPerState) {
    FingerprintSet set;
    std::uint64_t inserted = 0;
    {
        FingerprintSet::Writer writer(set);
        for (std::uint64_t at = 1; at <= 1'000'000; ++at) inserted += writer.insert(spread(at));
    }
    ASSERT_EQ(inserted, 1'000'000u);
    EXPECT_EQ(set.size(), 1'000'000u);
    const double per_state = static_cast<double>(set.bytes()) / static_cast<double>(set.size());
    EXPECT_LE(per_state, 16.0);
    EXPECT_GE(per_state, 8.0 * 4 / 3 - 0.01);  // never fuller than 3/4
}

TEST(FingerprintSet, ZeroIsStoredAsOne) {
    // 0 marks an empty slot: the fingerprint 0 shares 1's entry (a collision of probability
    // 2^-64 per state, like any other).
    FingerprintSet set;
    EXPECT_TRUE(set.insert(0));
    EXPECT_FALSE(set.insert(1));
    EXPECT_TRUE(set.contains(0));
}

TEST(FingerprintSet, ThreadsInsertingOneFingerprintHearNewOnce) {
    // Four threads insert the same 300,000 fingerprints (with repeats), each in its own order,
    // in sessions of 500 inserts: the table grows many times while they insert.
    constexpr std::uint64_t distinct = 300'000;
    FingerprintSet set;
    std::vector<std::atomic<std::uint32_t>> heard_new(distinct);
    std::vector<std::thread> threads;
    for (std::uint64_t thread = 0; thread < 4; ++thread) {
        threads.emplace_back([&, thread] {
            std::uint64_t at = 0;
            while (at < 2 * distinct) {
                FingerprintSet::Writer writer(set);
                for (std::uint64_t end = at + 500; at < end && at < 2 * distinct; ++at) {
                    const std::uint64_t key = (at * (2 * thread + 1) + thread * 7919) % distinct;
                    if (writer.insert(spread(key + 1))) heard_new[key].fetch_add(1);
                }
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (std::uint64_t key = 0; key < distinct; ++key) {
        ASSERT_EQ(heard_new[key].load(), 1u) << key;
        ASSERT_TRUE(set.contains(spread(key + 1))) << key;
    }
    EXPECT_EQ(set.size(), distinct);
}

TEST(FingerprintSet, CrowdedHomesMakeItGrowNotLoop) {
    // Fingerprints f with f * 0x9E3779B97F4A7C15 small all have home slot 0 in one shard: the
    // probes get long, and the set must grow until they fit instead of probing forever.
    std::uint64_t inverse = 0x9E3779B97F4A7C15ull;  // Newton: x <- x (2 - a x) mod 2^64
    for (int round = 0; round < 6; ++round) inverse *= 2 - 0x9E3779B97F4A7C15ull * inverse;
    ASSERT_EQ(inverse * 0x9E3779B97F4A7C15ull, 1u);
    FingerprintSet set(0);  // one shard: every fingerprint lands in it
    FingerprintSet::Writer writer(set);
    for (std::uint64_t k = 1; k <= 2000; ++k) EXPECT_TRUE(writer.insert(k * inverse));
    for (std::uint64_t k = 1; k <= 2000; ++k) EXPECT_FALSE(writer.insert(k * inverse));
}

TEST(FingerprintSet, ClearEmptiesIt) {
    FingerprintSet set;
    for (std::uint64_t at = 1; at <= 1000; ++at) (void)set.insert(spread(at));
    set.clear();
    EXPECT_EQ(set.size(), 0u);
    EXPECT_FALSE(set.contains(spread(1)));
    EXPECT_TRUE(set.insert(spread(1)));
}

}  // namespace
