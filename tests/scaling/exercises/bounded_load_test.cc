// Bounded-load consistent hashing exercise: the specification, step by step.
//
// Capacity = ceil((1 + epsilon) * m / n) for m keys (the new one counted)
// on n nodes, and a key walks clockwise to the first node with room.

#include "scaling/bounded_load.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scaling/hash_ring.h"

namespace {

using scaling::BoundedLoadAssigner;
using scaling::HashRing;

// PointHash places "name#0" by the name's first letter: a at 1000, b at
// 2000, c at 3000. A key that is a number ("500") hashes to that number.
std::uint64_t PointHash(std::string_view text) {
  if (text.find('#') != std::string_view::npos) {
    return static_cast<std::uint64_t>(text[0] - 'a' + 1) * 1000;
  }
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

TEST(BoundedLoadExerciseTest, EmptyRingHasNoNode) {
  HashRing ring(10);
  BoundedLoadAssigner assigner(&ring, 0.25);
  EXPECT_FALSE(assigner.Assign("user:42").has_value())
      << "an empty ring must return std::nullopt";
  EXPECT_EQ(assigner.assigned(), 0) << "a key with no node must not be counted";
}

TEST(BoundedLoadExerciseTest, CapacityIsCeilingOfBound) {
  HashRing ring(1, PointHash);
  ASSERT_TRUE(ring.AddNode("a").ok()) << "adding a must succeed";
  ASSERT_TRUE(ring.AddNode("b").ok()) << "adding b must succeed";
  BoundedLoadAssigner assigner(&ring, 0.5);
  EXPECT_EQ(assigner.Capacity(1), 1) << "ceil(1.5 * 1 / 2) = ceil(0.75) = 1";
  EXPECT_EQ(assigner.Capacity(3), 3) << "ceil(1.5 * 3 / 2) = ceil(2.25) = 3";
  EXPECT_EQ(assigner.Capacity(4), 3) << "ceil(1.5 * 4 / 2) = 3 exactly";
  EXPECT_EQ(assigner.Capacity(0), 0) << "no key, no capacity needed: 0";
}

TEST(BoundedLoadExerciseTest, FullNodeSendsKeyClockwise) {
  // Points: a at 1000, b at 2000, c at 3000. Keys 500 all prefer a.
  HashRing ring(1, PointHash);
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(ring.AddNode(n).ok());
  BoundedLoadAssigner assigner(&ring, 0.5);

  // Key m gets capacity ceil(1.5 * m / 3): 1, 1, 2, 2, 3, 3 for m = 1..6.
  const std::vector<std::string> expected = {"a", "b", "a", "b", "a", "b"};
  for (std::size_t m = 1; m <= expected.size(); ++m) {
    const std::optional<std::string> node = assigner.Assign("500");
    ASSERT_TRUE(node.has_value()) << "key " << m << " must get a node";
    EXPECT_EQ(*node, expected[m - 1])
        << "key " << m << " prefers a; with capacity ceil(1.5 * " << m
        << " / 3) it must go to " << expected[m - 1]
        << " (a has " << assigner.LoadOf("a") << ", b has "
        << assigner.LoadOf("b") << " keys now)";
  }
  EXPECT_EQ(assigner.LoadOf("a"), 3) << "a ends with 3 of the 6 keys";
  EXPECT_EQ(assigner.LoadOf("b"), 3) << "b ends with 3 of the 6 keys";
  EXPECT_EQ(assigner.LoadOf("c"), 0) << "c is never reached: b always had room";
}

TEST(BoundedLoadExerciseTest, WalkWrapsPastLastPoint) {
  HashRing ring(1, PointHash);
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(ring.AddNode(n).ok());
  BoundedLoadAssigner assigner(&ring, 0.5);

  // Key 2500 prefers c (3000). Capacity 1, 1, 2, 2: c, a, c, a.
  const std::vector<std::string> expected = {"c", "a", "c", "a"};
  for (std::size_t m = 1; m <= expected.size(); ++m) {
    const std::optional<std::string> node = assigner.Assign("2500");
    ASSERT_TRUE(node.has_value()) << "key " << m << " must get a node";
    EXPECT_EQ(*node, expected[m - 1])
        << "key " << m << " prefers c, the last point; when c is full the "
           "walk wraps around to the first point, a";
  }
}

TEST(BoundedLoadExerciseTest, ReleaseFreesRoom) {
  HashRing ring(1, PointHash);
  for (const char* n : {"a", "b"}) ASSERT_TRUE(ring.AddNode(n).ok());
  BoundedLoadAssigner assigner(&ring, 0.5);
  ASSERT_EQ(assigner.Assign("500").value_or(""), "a") << "key 1 goes to a";
  ASSERT_EQ(assigner.Assign("500").value_or(""), "a") << "key 2: capacity 2, a has room";
  ASSERT_TRUE(assigner.Release("a").ok()) << "releasing a key of a must succeed";
  EXPECT_EQ(assigner.LoadOf("a"), 1) << "a has 1 key after the release";
  EXPECT_EQ(assigner.assigned(), 1) << "1 key is assigned after the release";
  EXPECT_FALSE(assigner.Release("b").ok()) << "b has no key to release";
}

TEST(BoundedLoadExerciseTest, NoNodeExceedsCapacity) {
  HashRing ring(100);
  for (int n = 0; n < 10; ++n) ASSERT_TRUE(ring.AddNode("node-" + std::to_string(n)).ok());
  BoundedLoadAssigner assigner(&ring, 0.1);
  for (int i = 0; i < 100'000; ++i) {
    const std::optional<std::string> node = assigner.Assign("key-" + std::to_string(i));
    ASSERT_TRUE(node.has_value()) << "key-" << i << " must get a node";
    ASSERT_LE(assigner.LoadOf(*node), assigner.Capacity(i + 1))
        << "after key-" << i << ", " << *node << " has " << assigner.LoadOf(*node)
        << " keys, above the capacity ceil(1.1 * " << i + 1 << " / 10)";
  }
  for (int n = 0; n < 10; ++n) {
    EXPECT_LE(assigner.LoadOf("node-" + std::to_string(n)), 11'000)
        << "no node may hold more than ceil(1.1 * 100000 / 10) = 11000 keys";
  }
}

}  // namespace
