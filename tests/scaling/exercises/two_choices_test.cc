// two_choices exercise: the specification of TwoChoices::Choose, the power
// of two choices.
//
// ScriptedRandom returns chosen draws, so each case spells out which two
// servers Choose looks at and which one it must pick. The last case runs
// the policy in the simulator, where it must beat random placement.

#include "scaling/balancer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "scaling/simulator.h"

namespace {

using scaling::TwoChoices;

// ScriptedRandom returns the scripted draws in order and records the bound
// of each Below(n) call.
class ScriptedRandom final : public scaling::RandomSource {
 public:
  explicit ScriptedRandom(std::vector<std::uint64_t> draws)
      : draws_(draws.begin(), draws.end()) {}

  std::uint64_t Below(std::uint64_t n) override {
    bounds_.push_back(n);
    if (draws_.empty()) {
      ADD_FAILURE() << "Choose drew a third number; it must draw exactly two";
      return 0;
    }
    const std::uint64_t draw = draws_.front();
    draws_.pop_front();
    EXPECT_LT(draw, n) << "test script error: draw " << draw
                       << " is not below the bound " << n
                       << " that Choose passed to Below";
    return draw;
  }

  const std::vector<std::uint64_t>& bounds() const { return bounds_; }

 private:
  std::deque<std::uint64_t> draws_;
  std::vector<std::uint64_t> bounds_;
};

std::size_t ChooseWith(const std::vector<int>& outstanding,
                       std::vector<std::uint64_t> draws) {
  ScriptedRandom random(std::move(draws));
  TwoChoices policy;
  return policy.Choose(outstanding, random);
}

TEST(TwoChoicesExerciseTest, DrawsBelowNThenBelowNMinusOne) {
  const std::vector<int> outstanding = {5, 0, 9, 2};
  ScriptedRandom random({2, 0});
  TwoChoices policy;
  policy.Choose(outstanding, random);

  const std::vector<std::uint64_t> expected = {4, 3};
  EXPECT_EQ(random.bounds(), expected)
      << "with 4 servers, Choose must call Below(4) for the first candidate, "
         "then Below(3) for the second, which skips the first";
}

TEST(TwoChoicesExerciseTest, PicksLessLoadedCandidate) {
  const std::vector<int> outstanding = {5, 0, 9, 2};

  EXPECT_EQ(ChooseWith(outstanding, {2, 0}), 0u)
      << "draws 2 then 0 look at servers 2 (9 requests) and 0 (5 requests): "
         "pick server 0";
  EXPECT_EQ(ChooseWith(outstanding, {2, 1}), 1u)
      << "draws 2 then 1 look at servers 2 (9 requests) and 1 (0 requests): "
         "pick server 1";
  EXPECT_EQ(ChooseWith(outstanding, {3, 2}), 3u)
      << "draws 3 then 2 look at servers 3 (2 requests) and 2 (9 requests): "
         "pick server 3";
}

TEST(TwoChoicesExerciseTest, SecondDrawSkipsFirstServer) {
  const std::vector<int> outstanding = {5, 0, 9, 2};

  EXPECT_EQ(ChooseWith(outstanding, {1, 1}), 1u)
      << "draws 1 then 1: the second draw skips server 1, so the candidates "
         "are servers 1 (0 requests) and 2 (9 requests): pick server 1";
  EXPECT_EQ(ChooseWith(outstanding, {0, 2}), 3u)
      << "draws 0 then 2: the second draw skips server 0, so the candidates "
         "are servers 0 (5 requests) and 3 (2 requests): pick server 3";
  EXPECT_EQ(ChooseWith(outstanding, {3, 0}), 3u)
      << "draws 3 then 0: 0 is below the first candidate and stays 0, so "
         "the candidates are servers 3 (2 requests) and 0 (5 requests): "
         "pick server 3";
}

TEST(TwoChoicesExerciseTest, TieGoesToFirstCandidate) {
  const std::vector<int> outstanding = {4, 4, 4};

  EXPECT_EQ(ChooseWith(outstanding, {2, 0}), 2u)
      << "draws 2 then 0 look at servers 2 and 0, both with 4 requests: a "
         "tie keeps the first candidate, server 2";
  EXPECT_EQ(ChooseWith(outstanding, {0, 0}), 0u)
      << "draws 0 then 0 look at servers 0 and 1, both with 4 requests: a "
         "tie keeps the first candidate, server 0";
}

TEST(TwoChoicesExerciseTest, OneServerNeedsNoDraw) {
  const std::vector<int> outstanding = {7};
  ScriptedRandom random({});
  TwoChoices policy;

  EXPECT_EQ(policy.Choose(outstanding, random), 0u)
      << "with one server, Choose must return server 0";
  EXPECT_TRUE(random.bounds().empty())
      << "with one server there is nothing to choose: Choose must not draw";
}

TEST(TwoChoicesExerciseTest, TwoServersNeverSameCandidate) {
  // With two servers the two distinct candidates are always both servers,
  // so the less loaded one must win every time.
  const std::vector<int> outstanding = {3, 1};
  scaling::SeededRandom random(7);
  TwoChoices policy;

  int picked_busier = 0;
  for (int i = 0; i < 1000; ++i) {
    if (policy.Choose(outstanding, random) != 1) ++picked_busier;
  }
  EXPECT_EQ(picked_busier, 0)
      << "with servers holding {3, 1}, the two candidates must be distinct, "
         "so server 1 wins every time; server 0 was picked " << picked_busier
      << " times in 1000";
}

TEST(TwoChoicesExerciseTest, IdleServerShareMatchesDistinctPairs) {
  // Ten servers, only server 0 idle. It is picked exactly when it is one
  // of the two candidates: 1 - C(9,2) / C(10,2) = 0.2 of the time.
  std::vector<int> outstanding(10, 10);
  outstanding[0] = 0;
  scaling::SeededRandom random(11);
  TwoChoices policy;

  constexpr int kTrials = 20000;
  int idle_picked = 0;
  for (int i = 0; i < kTrials; ++i) {
    if (policy.Choose(outstanding, random) == 0) ++idle_picked;
  }
  const double share = static_cast<double>(idle_picked) / kTrials;
  EXPECT_NEAR(share, 0.2, 0.02)
      << "the idle server is one of two distinct random candidates in 20% of "
         "draws, so it must be picked about 20% of the time, got "
      << share * 100 << "%";
}

TEST(TwoChoicesExerciseTest, SimulatedP99BeatsRandom) {
  scaling::SimulationConfig config;
  config.servers = 100;
  config.utilisation = 0.9;
  config.requests = 200000;
  config.distribution = scaling::ServiceDistribution::kLognormal;
  config.seed = 3;

  TwoChoices two_choices;
  auto ours = scaling::Simulate(config, two_choices);
  auto random = scaling::Simulate(config, scaling::PolicyKind::kRandom);
  auto round_robin =
      scaling::Simulate(config, scaling::PolicyKind::kRoundRobin);
  ASSERT_TRUE(ours.ok()) << "the simulation with TwoChoices failed: "
                         << (ours.ok() ? "" : ours.error());
  ASSERT_TRUE(random.ok()) << "the simulation with random failed";
  ASSERT_TRUE(round_robin.ok()) << "the simulation with round robin failed";

  EXPECT_LT(ours.value().p99, 0.5 * random.value().p99)
      << "100 servers at 90% utilisation with lognormal service times: the "
         "power of two choices must cut random's p99 ("
      << random.value().p99 * 1e3 << " ms) at least in half, got "
      << ours.value().p99 * 1e3 << " ms";
  EXPECT_LT(ours.value().p99, round_robin.value().p99)
      << "at 90% utilisation with skewed service times the power of two "
         "choices must beat round robin's p99 ("
      << round_robin.value().p99 * 1e3 << " ms), got "
      << ours.value().p99 * 1e3 << " ms";
}

}  // namespace
