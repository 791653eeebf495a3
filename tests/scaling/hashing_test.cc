// Tests of the sharding schemes together: the key hash, a ring's balance by
// points per server and hash, and the keys each scheme moves when a backend
// is removed, on the same keys. Each exercise's own tests are in
// exercises/; these cover what spans several schemes.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "scaling/hash_ring.h"
#include "scaling/jump_hash.h"
#include "scaling/key_hash.h"
#include "scaling/maglev.h"
#include "scaling/shard_report.h"

namespace {

using scaling::HashRing;

TEST(KeyHashTest, Crc32MatchesCheckValue) {
  EXPECT_EQ(scaling::Crc32("123456789"), 0xCBF43926u)
      << "CRC-32 of \"123456789\" is the standard check value 0xCBF43926";
  EXPECT_EQ(scaling::Crc32(""), 0u) << "CRC-32 of no bytes is 0";
}

TEST(KeyHashTest, FnvCoreMatchesPublishedValues) {
  // KeyHash = Mix64(FNV-1a 64). Mix64 is a bijection, so undoing nothing,
  // check the FNV-1a 64 values of the FNV test suite through it.
  EXPECT_EQ(scaling::KeyHash(""), scaling::Mix64(0xcbf29ce484222325ULL))
      << "FNV-1a 64 of no bytes is the offset basis 0xcbf29ce484222325";
  EXPECT_EQ(scaling::KeyHash("a"), scaling::Mix64(0xaf63dc4c8601ec8cULL))
      << "FNV-1a 64 of \"a\" is 0xaf63dc4c8601ec8c";
  EXPECT_EQ(scaling::KeyHash("foobar"), scaling::Mix64(0x85944171f73967e8ULL))
      << "FNV-1a 64 of \"foobar\" is 0x85944171f73967e8";
}

TEST(KeyHashTest, Mix64SpreadsOneBitChanges) {
  // Flipping one input bit flips about half of the 64 output bits.
  double total = 0;
  int samples = 0;
  for (std::uint64_t x = 1; x < 1000; ++x) {
    for (int bit = 0; bit < 64; ++bit) {
      const std::uint64_t diff = scaling::Mix64(x) ^ scaling::Mix64(x ^ (1ULL << bit));
      total += __builtin_popcountll(diff);
      ++samples;
    }
  }
  EXPECT_NEAR(total / samples, 32.0, 0.5)
      << "Mix64 must flip about 32 of 64 output bits per input bit";
}

// BusiestOverMean returns the largest server's keys over the mean, for
// 100,000 keys on a ring of `names` with `points` points each.
double BusiestOverMean(const std::vector<std::string>& names, int points,
                       scaling::HashFunction hash) {
  HashRing ring(points, hash);
  for (const std::string& name : names) ring.AddNode(name);
  std::vector<int> counts(names.size(), 0);
  constexpr int kKeys = 100'000;
  for (int i = 0; i < kKeys; ++i) {
    const std::string_view node = *ring.NodeFor("key-" + std::to_string(i));
    ++counts[std::find(names.begin(), names.end(), node) - names.begin()];
  }
  const double mean = static_cast<double>(kKeys) / names.size();
  return *std::max_element(counts.begin(), counts.end()) / mean;
}

std::vector<std::string> Servers(int set) {
  std::vector<std::string> names;
  for (int i = 1; i <= 3; ++i) {
    names.push_back("set" + std::to_string(set) + "-server-" + std::to_string(i));
  }
  return names;
}

// Three servers: the busiest one's share with CRC32 and 20 points, and with
// KeyHash and 10, 100, 1000 points, over 40 different sets of server names.
// One ring is one sample: with v points per server a server's share varies
// by about 1/sqrt(v) of the mean, so a single 100-point ring can land past
// 1.1. The median over 40 sets shows the typical ring.
TEST(RingBalanceTest, MorePointsAndBetterHashBalance) {
  std::vector<double> crc20, key10, key100, key1000;
  for (int set = 0; set < 40; ++set) {
    crc20.push_back(BusiestOverMean(Servers(set), 20, scaling::Crc32));
    key10.push_back(BusiestOverMean(Servers(set), 10, scaling::KeyHash));
    key100.push_back(BusiestOverMean(Servers(set), 100, scaling::KeyHash));
    key1000.push_back(BusiestOverMean(Servers(set), 1000, scaling::KeyHash));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  auto max = [](const std::vector<double>& v) {
    return *std::max_element(v.begin(), v.end());
  };
  std::printf("busiest/mean over 40 sets of 3 servers, 100,000 keys:\n"
              "  crc32     20 points: median %.3f, worst %.3f\n"
              "  key_hash  10 points: median %.3f, worst %.3f\n"
              "  key_hash 100 points: median %.3f, worst %.3f\n"
              "  key_hash 1000 points: median %.3f, worst %.3f\n",
              median(crc20), max(crc20), median(key10), max(key10),
              median(key100), max(key100), median(key1000), max(key1000));

  EXPECT_LE(median(key100), 1.1)
      << "with 100 points per server and a 64-bit hash, the typical busiest "
         "server must be within 1.1x of the mean";
  EXPECT_LE(max(key1000), 1.1)
      << "with 1000 points per server, every one of the 40 rings must be "
         "within 1.1x of the mean";
  EXPECT_GT(median(crc20), median(key100))
      << "CRC32 with 20 points must balance worse than KeyHash with 100";
  EXPECT_GT(median(key10), median(key1000))
      << "10 points per server must balance worse than 1000";
}

// Removing one of 10 backends: the fraction of the keys that change backend,
// on the same 100,000 keys, for the ring, jump hash and Maglev. The ideal is
// the removed backend's own share, about 10%.
TEST(RemovalTest, MaglevMovesAboutAsFewAsRingAndJump) {
  constexpr int kKeys = 100'000;
  constexpr int kNodes = 10;
  std::vector<std::string> names;
  for (int n = 0; n < kNodes; ++n) names.push_back("node-" + std::to_string(n));
  std::vector<std::uint64_t> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back(scaling::KeyHash("key-" + std::to_string(i)));

  // Jump hash can only remove the last bucket, so every scheme removes the
  // last node.
  HashRing ring_before(100), ring_after(100);
  for (int n = 0; n < kNodes; ++n) ring_before.AddNode(names[n]);
  for (int n = 0; n < kNodes - 1; ++n) ring_after.AddNode(names[n]);
  scaling::MaglevTable maglev_before, maglev_after;
  ASSERT_TRUE(scaling::MaglevTable::Build(names, 65537, &maglev_before).ok());
  ASSERT_TRUE(scaling::MaglevTable::Build({names.begin(), names.end() - 1}, 65537,
                                          &maglev_after).ok());

  int ring_moved = 0, jump_moved = 0, maglev_moved = 0, maglev_removed = 0;
  for (std::uint64_t key : keys) {
    ring_moved += *ring_before.NodeForHash(key) != *ring_after.NodeForHash(key);
    jump_moved += scaling::JumpHash(key, kNodes) != scaling::JumpHash(key, kNodes - 1);
    const std::string_view old_backend = *maglev_before.BackendForHash(key);
    maglev_moved += old_backend != *maglev_after.BackendForHash(key);
    maglev_removed += old_backend == names.back();
  }
  const double ring = static_cast<double>(ring_moved) / kKeys;
  const double jump = static_cast<double>(jump_moved) / kKeys;
  const double maglev = static_cast<double>(maglev_moved) / kKeys;
  const double maglev_ideal = static_cast<double>(maglev_removed) / kKeys;
  std::printf("keys moved when 1 of 10 backends is removed (100,000 keys):\n"
              "  ring (100 points) %.2f%%, jump %.2f%%, maglev %.2f%% "
              "(its removed backend had %.2f%%)\n",
              100 * ring, 100 * jump, 100 * maglev, 100 * maglev_ideal);

  EXPECT_NEAR(jump, 0.1, 0.01) << "jump hash moves only the last bucket's keys, about 10%";
  EXPECT_GE(maglev, maglev_ideal) << "Maglev moves at least the removed backend's keys";
  EXPECT_LT(maglev - maglev_ideal, 0.03)
      << "Maglev may move a few other keys too, but less than 3% of all keys";
  EXPECT_LT(ring, 0.15) << "the ring moves only the removed node's keys, about 10%";
}

TEST(ShardReportTest, RowsForEveryScheme) {
  scaling::ShardReportOptions options;
  options.keys = 20'000;
  std::vector<scaling::ShardRow> rows;
  const scaling::Status status = scaling::MeasureSharding(options, &rows);
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(rows.size(), 5u) << "one row per scheme";
  const char* expected[] = {"ring", "jump", "rendezvous", "maglev", "bounded-load"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].scheme, expected[i]) << "row " << i;
    EXPECT_GE(rows[i].busiest_over_mean, 1.0) << rows[i].scheme;
    EXPECT_GT(rows[i].moved_on_add, 0.0) << rows[i].scheme;
    EXPECT_LT(rows[i].moved_on_add, 0.2) << rows[i].scheme << " moves about 1/11";
    EXPECT_GT(rows[i].moved_on_remove, 0.0) << rows[i].scheme;
    EXPECT_LT(rows[i].moved_on_remove, 0.2) << rows[i].scheme << " moves about 1/10";
    EXPECT_GT(rows[i].lookup_ns, 0.0) << rows[i].scheme;
  }
  EXPECT_LE(rows[4].busiest_over_mean, 1.25 + 10.0 / 20'000)
      << "bounded loads with epsilon 0.25 keep every node within "
         "ceil(1.25 * mean)";

  std::ostringstream data;
  scaling::WriteShardData(options, rows, scaling::MeasureRingBalance(3, 1000), data);
  EXPECT_NE(data.str().find("\nring 10 "), std::string::npos)
      << "the data file has a 'ring 10 ...' line: " << data.str();
  EXPECT_NE(data.str().find("\n\n\n# index 1"), std::string::npos)
      << "two blank lines separate the gnuplot data blocks: " << data.str();
}

TEST(ShardReportTest, RejectsBadOptions) {
  std::vector<scaling::ShardRow> rows;
  scaling::ShardReportOptions options;
  options.table_size = 65536;
  scaling::Status status = scaling::MeasureSharding(options, &rows);
  EXPECT_FALSE(status.ok()) << "65536 is not prime";
  EXPECT_NE(status.message().find("65536"), std::string::npos)
      << "the message names the value: " << status.message();

  options = {};
  options.nodes = 1;
  status = scaling::MeasureSharding(options, &rows);
  EXPECT_FALSE(status.ok()) << "1 node cannot lose a node";
  EXPECT_NE(status.message().find("nodes 1"), std::string::npos)
      << "the message names the value: " << status.message();
}

}  // namespace
