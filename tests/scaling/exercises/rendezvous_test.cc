// Weighted rendezvous hashing exercise: the specification, step by step.
//
// The score of a node with weight w for a key is -w / ln(u), with u in
// (0, 1) from the (key, node) hash, and the key goes to the highest score.

#include "scaling/rendezvous.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace {

using scaling::KeyHash;
using scaling::RendezvousHash;
using scaling::RendezvousScore;

constexpr int kKeys = 100'000;

// Shares returns each node's fraction of kKeys keys.
std::map<std::string, double> Shares(const RendezvousHash& nodes) {
  std::map<std::string, double> shares;
  for (int i = 0; i < kKeys; ++i) {
    shares[std::string(*nodes.NodeFor("key-" + std::to_string(i)))] += 1.0 / kKeys;
  }
  return shares;
}

TEST(RendezvousExerciseTest, NoNodeReturnsNullopt) {
  RendezvousHash nodes;
  EXPECT_FALSE(nodes.NodeFor("user:42").has_value())
      << "with no node, NodeFor must return std::nullopt";
}

TEST(RendezvousExerciseTest, ScoreIsPositiveAndScalesWithWeight) {
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t key = KeyHash("key-" + std::to_string(i));
    const std::uint64_t node = KeyHash("node-" + std::to_string(i % 7));
    const double score = RendezvousScore(key, node, 1.0);
    ASSERT_TRUE(std::isfinite(score)) << "a score must be finite, got " << score;
    ASSERT_GT(score, 0.0) << "-w / ln(u) is positive for u in (0, 1), got " << score;
    EXPECT_DOUBLE_EQ(RendezvousScore(key, node, 3.0), 3 * score)
        << "the score -w / ln(u) is proportional to the weight w";
  }
}

TEST(RendezvousExerciseTest, ScoreFollowsFormula) {
  // With key_hash ^ node_hash == 0, Mix64 gives 0, so x = 0 and
  // u = 0.5 / 2^53: the smallest u, the lowest score.
  const double u = 0.5 / 9007199254740992.0;
  EXPECT_DOUBLE_EQ(RendezvousScore(12345, 12345, 2.0), -2.0 / std::log(u))
      << "for key_hash == node_hash, Mix64(0) = 0, so u = 0.5 / 2^53 and the "
         "score must be -2 / ln(u) for weight 2";
}

TEST(RendezvousExerciseTest, EqualWeightsShareEvenly) {
  RendezvousHash nodes;
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(nodes.AddNode("node-" + std::to_string(n)).ok());
  for (const auto& [node, share] : Shares(nodes)) {
    EXPECT_NEAR(share, 0.2, 0.01) << node << " must get about 1/5 of the keys, got "
                                  << share;
  }
}

TEST(RendezvousExerciseTest, SharesFollowWeights) {
  RendezvousHash nodes;
  ASSERT_TRUE(nodes.AddNode("w1", 1.0).ok()) << "adding w1 must succeed";
  ASSERT_TRUE(nodes.AddNode("w2", 2.0).ok()) << "adding w2 must succeed";
  ASSERT_TRUE(nodes.AddNode("w3", 3.0).ok()) << "adding w3 must succeed";
  ASSERT_TRUE(nodes.AddNode("w4", 4.0).ok()) << "adding w4 must succeed";
  std::map<std::string, double> shares = Shares(nodes);

  // 100,000 keys give a standard deviation below 0.16%; 1% is far outside it.
  EXPECT_NEAR(shares["w1"], 0.1, 0.01) << "weight 1 of 10 must get about 10%";
  EXPECT_NEAR(shares["w2"], 0.2, 0.01) << "weight 2 of 10 must get about 20%";
  EXPECT_NEAR(shares["w3"], 0.3, 0.01) << "weight 3 of 10 must get about 30%";
  EXPECT_NEAR(shares["w4"], 0.4, 0.01)
      << "weight 4 of 10 must get about 40%; a score of w * u instead of "
         "-w / ln(u) gives a heavy node more than its share";
}

TEST(RendezvousExerciseTest, RemovingNodeMovesOnlyItsKeys) {
  RendezvousHash nodes;
  for (int n = 0; n < 6; ++n) {
    ASSERT_TRUE(nodes.AddNode("node-" + std::to_string(n), 1.0 + n).ok());
  }
  std::vector<std::string> before;
  for (int i = 0; i < 20'000; ++i) {
    before.emplace_back(*nodes.NodeFor("key-" + std::to_string(i)));
  }

  ASSERT_TRUE(nodes.RemoveNode("node-3").ok()) << "removing node-3 must succeed";
  for (int i = 0; i < 20'000; ++i) {
    const std::string now(*nodes.NodeFor("key-" + std::to_string(i)));
    if (before[i] == "node-3") {
      ASSERT_NE(now, "node-3") << "key-" << i << " must leave the removed node";
    } else {
      ASSERT_EQ(now, before[i]) << "key-" << i << " was on " << before[i]
                                << ", which is still present, so it must stay";
    }
  }
}

TEST(RendezvousExerciseTest, PlacementIgnoresInsertionOrder) {
  RendezvousHash forward;
  RendezvousHash backward;
  for (int n = 0; n < 8; ++n) ASSERT_TRUE(forward.AddNode("node-" + std::to_string(n)).ok());
  for (int n = 7; n >= 0; --n) ASSERT_TRUE(backward.AddNode("node-" + std::to_string(n)).ok());
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ASSERT_EQ(*forward.NodeFor(key), *backward.NodeFor(key))
        << "key '" << key << "' must have the same node whatever the order the "
           "nodes were added in";
  }
}

TEST(RendezvousExerciseTest, KeyGoesToHighestScore) {
  RendezvousHash nodes;
  ASSERT_TRUE(nodes.AddNode("a", 1.0).ok()) << "adding a must succeed";
  ASSERT_TRUE(nodes.AddNode("b", 2.0).ok()) << "adding b must succeed";
  ASSERT_TRUE(nodes.AddNode("c", 0.5).ok()) << "adding c must succeed";
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key-" + std::to_string(i);
    const std::uint64_t key_hash = KeyHash(key);
    std::string best;
    double best_score = 0;
    for (const RendezvousHash::Node& node : nodes.nodes()) {
      const double score = RendezvousScore(key_hash, node.hash, node.weight);
      if (score > best_score) {
        best = node.name;
        best_score = score;
      }
    }
    ASSERT_EQ(*nodes.NodeFor(key), best)
        << "key '" << key << "' must go to the node with the highest score, "
        << best << " (score " << best_score << ")";
  }
}

TEST(RendezvousExerciseTest, RejectsBadNodes) {
  RendezvousHash nodes;
  EXPECT_FALSE(nodes.AddNode("", 1.0).ok()) << "an empty name must be rejected";
  EXPECT_FALSE(nodes.AddNode("a", 0.0).ok()) << "weight 0 must be rejected";
  EXPECT_FALSE(nodes.AddNode("a", -1.0).ok()) << "a negative weight must be rejected";
  EXPECT_FALSE(nodes.AddNode("a", NAN).ok()) << "a NaN weight must be rejected";
  EXPECT_TRUE(nodes.nodes().empty()) << "rejected nodes must not be added";
}

}  // namespace
