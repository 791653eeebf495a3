// Hash ring exercise: the specification, step by step.
//
// Several tests place points with a hand-made hash function, so the
// expected owner of each key can be worked out on paper.

#include "scaling/hash_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace {

using scaling::HashRing;

// IndexHash places point "name#i" at (i + 1) * 1000 for every node name, so
// every node's points collide with every other node's. A key that is a
// number ("2500") hashes to that number.
std::uint64_t IndexHash(std::string_view text) {
  const std::size_t hash_sign = text.find('#');
  std::uint64_t value = 0;
  if (hash_sign == std::string_view::npos) {
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  const std::string_view index = text.substr(hash_sign + 1);
  std::from_chars(index.data(), index.data() + index.size(), value);
  return (value + 1) * 1000;
}

// SpreadHash is IndexHash with each node's points shifted by the node
// name's first letter: "a#0" is at 1000, "b#0" at 1001, "c#0" at 1002.
std::uint64_t SpreadHash(std::string_view text) {
  const std::uint64_t hash = IndexHash(text);
  if (text.find('#') == std::string_view::npos) return hash;
  return hash + static_cast<std::uint64_t>(text[0] - 'a');
}

std::string Owner(const HashRing& ring, std::string_view key) {
  const std::optional<std::string_view> node = ring.NodeFor(key);
  return node ? std::string(*node) : "(no node)";
}

TEST(HashRingExerciseTest, EmptyRingHasNoNode) {
  HashRing ring(100);
  EXPECT_FALSE(ring.NodeFor("user:42").has_value())
      << "an empty ring must return std::nullopt, not a node or a crash";
  EXPECT_FALSE(ring.NodeForHash(0).has_value())
      << "an empty ring must return std::nullopt for hash 0 too";
}

TEST(HashRingExerciseTest, KeyGoesToNextPointClockwise) {
  // Points: a at 1000, 2000, 3000; b at 1001, 2001, 3001.
  HashRing ring(3, SpreadHash);
  ASSERT_TRUE(ring.AddNode("a").ok()) << "adding node a must succeed";
  ASSERT_TRUE(ring.AddNode("b").ok()) << "adding node b must succeed";

  EXPECT_EQ(Owner(ring, "1500"), "a")
      << "key 1500: the first point at or after it is a's 2000";
  EXPECT_EQ(Owner(ring, "2000"), "a")
      << "key 2000 sits exactly on a's point 2000, so it belongs to a: the "
         "first point whose hash is >= the key's hash";
  EXPECT_EQ(Owner(ring, "2001"), "b")
      << "key 2001 sits exactly on b's point 2001, so it belongs to b";
  EXPECT_EQ(Owner(ring, "2500"), "a")
      << "key 2500: the first point at or after it is a's 3000";
  EXPECT_EQ(Owner(ring, "0"), "a")
      << "key 0: the first point at or after it is a's 1000";
}

TEST(HashRingExerciseTest, KeyPastLastPointWrapsToFirst) {
  HashRing ring(3, SpreadHash);
  ASSERT_TRUE(ring.AddNode("b").ok()) << "adding node b must succeed";
  ASSERT_TRUE(ring.AddNode("c").ok()) << "adding node c must succeed";

  // Points: b at 1001, 2001, 3001; c at 1002, 2002, 3002.
  EXPECT_EQ(Owner(ring, "3003"), "b")
      << "key 3003 is past the largest point (c's 3002), so it wraps around "
         "to the smallest point, b's 1001";
  EXPECT_EQ(Owner(ring, "18446744073709551615"), "b")
      << "the largest 64-bit hash wraps around to the smallest point, b's 1001";
}

TEST(HashRingExerciseTest, CollidingPointsAreAllKept) {
  // IndexHash puts a's and b's points at exactly the same hashes.
  HashRing ring(4, IndexHash);
  ASSERT_TRUE(ring.AddNode("b").ok()) << "adding node b must succeed";
  ASSERT_TRUE(ring.AddNode("a").ok()) << "adding node a must succeed";
  EXPECT_EQ(ring.points().size(), 8u)
      << "a and b have 4 points each at the same hashes; the ring must keep "
         "all 8, not drop the second node's colliding points";

  EXPECT_EQ(Owner(ring, "1500"), "a")
      << "a and b both have a point at 2000; the node with the smaller name, "
         "a, must own it whatever the order the nodes were added in";

  ASSERT_TRUE(ring.RemoveNode("a").ok()) << "removing node a must succeed";
  EXPECT_EQ(Owner(ring, "1500"), "b")
      << "after removing a, b's own point at 2000 must still be there";
  EXPECT_EQ(ring.points().size(), 4u) << "after removing a, b's 4 points remain";
}

TEST(HashRingExerciseTest, PlacementIgnoresInsertionOrder) {
  const std::vector<std::string> names = {"cache-a", "cache-b", "cache-c",
                                          "cache-d", "cache-e"};
  std::vector<std::string> reversed(names.rbegin(), names.rend());
  std::vector<std::string> shuffled = {"cache-c", "cache-e", "cache-a",
                                       "cache-d", "cache-b"};

  // A weak 8-bit hash makes collisions common, so the tie-break matters.
  auto weak = [](std::string_view text) -> std::uint64_t {
    return scaling::KeyHash(text) & 0xff;
  };
  for (scaling::HashFunction hash : {scaling::HashFunction(scaling::KeyHash),
                                     scaling::HashFunction(weak)}) {
    HashRing forward(50, hash);
    HashRing backward(50, hash);
    HashRing mixed(50, hash);
    for (const std::string& n : names) ASSERT_TRUE(forward.AddNode(n).ok());
    for (const std::string& n : reversed) ASSERT_TRUE(backward.AddNode(n).ok());
    for (const std::string& n : shuffled) ASSERT_TRUE(mixed.AddNode(n).ok());

    for (int i = 0; i < 5000; ++i) {
      const std::string key = "key-" + std::to_string(i);
      const std::string expected = Owner(forward, key);
      ASSERT_EQ(Owner(backward, key), expected)
          << "key '" << key << "' must have the same owner whether the nodes "
             "were added forwards or backwards";
      ASSERT_EQ(Owner(mixed, key), expected)
          << "key '" << key << "' must have the same owner whatever order "
             "the nodes were added in";
    }
  }
}

TEST(HashRingExerciseTest, RemovingEveryNodeEmptiesRing) {
  HashRing ring(100);
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(ring.AddNode(n).ok());
  for (const char* n : {"b", "a", "c"}) {
    ASSERT_TRUE(ring.RemoveNode(n).ok()) << "removing node " << n << " must succeed";
  }
  EXPECT_TRUE(ring.points().empty()) << "removing every node must leave no point";
  EXPECT_FALSE(ring.NodeFor("user:42").has_value())
      << "a ring whose nodes were all removed must return std::nullopt";
  EXPECT_TRUE(ring.AddNode("a").ok()) << "a node can be added again after removal";
  EXPECT_EQ(Owner(ring, "user:42"), "a") << "the only node owns every key";
}

TEST(HashRingExerciseTest, RejectsBadNodeNames) {
  HashRing ring(10);
  EXPECT_FALSE(ring.AddNode("").ok()) << "an empty node name must be rejected";
  ASSERT_TRUE(ring.AddNode("a").ok()) << "adding node a must succeed";
  EXPECT_FALSE(ring.AddNode("a").ok()) << "adding node a twice must fail";
  EXPECT_EQ(ring.points().size(), 10u)
      << "a rejected AddNode must not add points: a has 10";
  EXPECT_FALSE(ring.RemoveNode("z").ok()) << "removing an absent node must fail";
  EXPECT_EQ(ring.points().size(), 10u) << "a failed RemoveNode must change nothing";
}

TEST(HashRingExerciseTest, EachNodeHasVirtualNodesPoints) {
  HashRing ring(100);
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(ring.AddNode(n).ok());
  EXPECT_EQ(ring.points().size(), 300u) << "3 nodes with 100 virtual nodes each";
  EXPECT_TRUE(std::is_sorted(ring.points().begin(), ring.points().end(),
                             [](const HashRing::Point& x, const HashRing::Point& y) {
                               return x.hash < y.hash;
                             }))
      << "points() must be sorted by hash";
}

TEST(HashRingExerciseTest, AddingNodeMovesKeysOnlyToIt) {
  HashRing ring(100);
  for (const char* n : {"a", "b", "c", "d"}) ASSERT_TRUE(ring.AddNode(n).ok());
  std::map<std::string, std::string> before;
  for (int i = 0; i < 20'000; ++i) {
    const std::string key = "key-" + std::to_string(i);
    before[key] = Owner(ring, key);
  }

  ASSERT_TRUE(ring.AddNode("e").ok()) << "adding node e must succeed";
  int moved = 0;
  for (const auto& [key, owner] : before) {
    const std::string now = Owner(ring, key);
    if (now == owner) continue;
    ASSERT_EQ(now, "e") << "key '" << key << "' moved from " << owner << " to "
                        << now << ": adding e may move keys only to e";
    ++moved;
  }
  EXPECT_GT(moved, 2000) << "e should take about 1/5 of 20,000 keys, took " << moved;
  EXPECT_LT(moved, 6000) << "e should take about 1/5 of 20,000 keys, took " << moved;

  ASSERT_TRUE(ring.RemoveNode("e").ok()) << "removing node e must succeed";
  for (const auto& [key, owner] : before) {
    ASSERT_EQ(Owner(ring, key), owner)
        << "after removing e, key '" << key << "' must be back on " << owner;
  }
}

}  // namespace
