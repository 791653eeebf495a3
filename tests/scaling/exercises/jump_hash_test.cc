// Jump consistent hash exercise: the specification, step by step.
//
// JumpHash must return exactly what Lamping and Veach's reference function
// returns ("A Fast, Minimal Memory, Consistent Hash Algorithm", 2014), and
// moving from n to n + 1 buckets may move a key only into the new bucket.

#include "scaling/jump_hash.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "scaling/key_hash.h"

namespace {

using scaling::JumpHash;
using scaling::KeyHash;

// Keys returns `count` well-spread 64-bit keys: the KeyHash of "key-i".
std::vector<std::uint64_t> Keys(int count) {
  std::vector<std::uint64_t> keys;
  for (int i = 0; i < count; ++i) keys.push_back(KeyHash("key-" + std::to_string(i)));
  return keys;
}

TEST(JumpHashExerciseTest, MatchesPaperForKeyOne) {
  // The values the paper's reference function returns for key 1.
  const std::int32_t expected[] = {0, 0, 0, 0, 0, 0, 6};
  for (std::int32_t buckets = 1; buckets <= 7; ++buckets) {
    EXPECT_EQ(JumpHash(1, buckets), expected[buckets - 1])
        << "JumpHash(1, " << buckets << ") must be " << expected[buckets - 1]
        << ", as in the paper's reference function (key 1 first jumps at 7 "
           "buckets)";
  }
}

TEST(JumpHashExerciseTest, MatchesPublishedVectors) {
  // Values of the reference function from ClickHouse's jumpConsistentHash
  // test (tests/queries/0_stateless/00580_consistent_hashing_functions).
  struct Vector {
    std::uint64_t key;
    std::int32_t buckets;
    std::int32_t bucket;
  };
  const Vector vectors[] = {{42, 57, 43},
                            {256, 1024, 520},
                            {3735883980, 1, 0},
                            {3735883980, 666, 361},
                            {16045690984833335023ULL, 255, 237}};
  for (const Vector& v : vectors) {
    EXPECT_EQ(JumpHash(v.key, v.buckets), v.bucket)
        << "JumpHash(" << v.key << ", " << v.buckets << ") must be " << v.bucket
        << ", the reference function's value; check the generator step "
           "key * 2862933555777941757 + 1 and the floating-point jump";
  }
}

TEST(JumpHashExerciseTest, OneBucketTakesEveryKey) {
  for (std::uint64_t key : Keys(1000)) {
    ASSERT_EQ(JumpHash(key, 1), 0)
        << "with 1 bucket every key belongs to bucket 0 (key " << key << ")";
  }
}

TEST(JumpHashExerciseTest, NoBucketReturnsMinusOne) {
  EXPECT_EQ(JumpHash(1, 0), -1) << "with 0 buckets there is no bucket: -1";
  EXPECT_EQ(JumpHash(42, -5), -1) << "a negative bucket count has no bucket: -1";
}

TEST(JumpHashExerciseTest, StaysInRange) {
  for (std::int32_t buckets : {2, 3, 10, 1000, 1 << 20, 2147483647}) {
    for (std::uint64_t key : Keys(2000)) {
      const std::int32_t bucket = JumpHash(key, buckets);
      ASSERT_GE(bucket, 0) << "bucket of key " << key << " among " << buckets
                           << " buckets must be at least 0";
      ASSERT_LT(bucket, buckets) << "bucket of key " << key << " among "
                                 << buckets << " buckets must be below "
                                 << buckets;
    }
  }
}

TEST(JumpHashExerciseTest, AddingBucketMovesKeysOnlyIntoIt) {
  const std::vector<std::uint64_t> keys = Keys(20'000);
  for (std::int32_t n = 1; n <= 64; ++n) {
    int moved = 0;
    for (std::uint64_t key : keys) {
      const std::int32_t before = JumpHash(key, n);
      const std::int32_t after = JumpHash(key, n + 1);
      if (after == before) continue;
      ASSERT_EQ(after, n) << "going from " << n << " to " << n + 1
                          << " buckets, key " << key << " moved from bucket "
                          << before << " to " << after
                          << ": a key may move only into the new bucket " << n;
      ++moved;
    }

    // About 1/(n + 1) of the keys move. 20,000 keys give a standard
    // deviation below 0.4%, so 2% is far outside chance.
    const double fraction = static_cast<double>(moved) / keys.size();
    EXPECT_NEAR(fraction, 1.0 / (n + 1), 0.02)
        << "going from " << n << " to " << n + 1 << " buckets must move about 1/"
        << n + 1 << " of the keys into the new bucket, but moved " << fraction;
  }
}

TEST(JumpHashExerciseTest, SpreadsKeysEvenly) {
  const std::vector<std::uint64_t> keys = Keys(100'000);
  for (std::int32_t buckets : {10, 37}) {
    std::vector<int> counts(buckets, 0);
    for (std::uint64_t key : keys) ++counts[JumpHash(key, buckets)];
    const double mean = static_cast<double>(keys.size()) / buckets;
    for (std::int32_t b = 0; b < buckets; ++b) {
      EXPECT_NEAR(counts[b] / mean, 1.0, 0.1)
          << "bucket " << b << " of " << buckets << " got " << counts[b]
          << " of " << keys.size() << " keys; each should get about " << mean;
    }
  }
}

TEST(JumpHashExerciseTest, LargeKeysUseTopBits) {
  // Keys that differ only in their high bits must still spread: the
  // generator's output is read from its top 31 bits.
  std::vector<int> counts(8, 0);
  for (std::uint64_t i = 0; i < 8000; ++i) ++counts[JumpHash(i << 40, 8)];
  for (int b = 0; b < 8; ++b) {
    EXPECT_GT(counts[b], 700) << "bucket " << b << " of 8 got only " << counts[b]
                              << " of 8000 keys that differ in their high bits";
  }
}

}  // namespace
