// Load-balancing policies. Each picks the server for the next request from
// the balancer's exact count of the requests outstanding at each server.
//
//   scaling::SeededRandom random(42);
//   std::unique_ptr<scaling::Policy> policy =
//       scaling::MakePolicy(scaling::PolicyKind::kTwoChoices);
//   std::vector<int> outstanding = {3, 0, 7, 1};
//   std::size_t server = policy->Choose(outstanding, random);
//
// A Policy keeps state (round robin's position), so each balancer owns its
// own. A Policy and a SeededRandom are not safe to share between threads.
// Standard library only: the lab's two_choices starter includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace scaling {

// RandomSource is the source of the random numbers a policy draws. Tests substitute a
// source that returns scripted values.
class RandomSource {
 public:
  virtual ~RandomSource() = default;

  // Below returns a uniformly distributed integer in [0, n).
  // REQUIRES: n > 0.
  virtual std::uint64_t Below(std::uint64_t n) = 0;
};

// SeededRandom is a fast, seeded generator (SplitMix64), so the same seed
// gives the same sequence on every machine and standard library.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}

  // Next returns the next 64 uniformly distributed bits.
  std::uint64_t Next();

  // Below returns an unbiased integer in [0, n) (Lemire's method).
  std::uint64_t Below(std::uint64_t n) override;

  // Uniform returns a double in the open interval (0, 1), so its logarithm
  // is always finite.
  double Uniform();

 private:
  std::uint64_t state_;
};

// Policy picks a server for each request.
class Policy {
 public:
  virtual ~Policy() = default;

  // Name returns the policy's name in snake_case, for example "round_robin".
  virtual std::string_view Name() const = 0;

  // Choose returns the index of the server for the next request, in
  // [0, outstanding.size()). outstanding[i] is the number of requests that
  // server i has, queued or in service, exactly as the balancer counts them.
  // REQUIRES: !outstanding.empty().
  virtual std::size_t Choose(std::span<const int> outstanding,
                             RandomSource& random) = 0;
};

// RoundRobin sends requests to servers 0, 1, ..., n - 1, 0, ... in turn.
class RoundRobin final : public Policy {
 public:
  std::string_view Name() const override { return "round_robin"; }
  std::size_t Choose(std::span<const int> outstanding,
                     RandomSource& random) override;

 private:
  std::size_t next_ = 0;
};

// RandomChoice sends each request to a server drawn uniformly at random.
class RandomChoice final : public Policy {
 public:
  std::string_view Name() const override { return "random"; }
  std::size_t Choose(std::span<const int> outstanding,
                     RandomSource& random) override;
};

// LeastConnections sends each request to a server that has the fewest
// requests. Among servers tied for the fewest it takes turns, as HAProxy's
// leastconn does: the scan starts after the server chosen last.
class LeastConnections final : public Policy {
 public:
  std::string_view Name() const override { return "least_connections"; }
  std::size_t Choose(std::span<const int> outstanding,
                     RandomSource& random) override;

 private:
  std::size_t next_ = 0;
};

// TwoChoices is the power of two choices (Mitzenmacher): draw two distinct
// servers at random and send the request to the one that has fewer
// requests. It needs no global scan, yet with n balls thrown into n bins
// the fullest bin contains about log log n / log 2 balls, against about
// log n / log log n for one random choice (Azar, Broder, Karlin and Upfal).
class TwoChoices final : public Policy {
 public:
  std::string_view Name() const override { return "two_choices"; }

  // Choose draws exactly two numbers from `random`, in this order:
  //   first  = random.Below(n)
  //   second = random.Below(n - 1), plus one when it is >= first,
  // so the pair is uniform over pairs of distinct servers. It returns the
  // candidate that has fewer requests, and `first` on a tie. With one
  // server it returns 0 and draws nothing.
  std::size_t Choose(std::span<const int> outstanding,
                     RandomSource& random) override;
};

// PolicyKind names each policy above.
enum class PolicyKind { kRoundRobin, kRandom, kLeastConnections, kTwoChoices };

// kAllPolicies lists every PolicyKind, in the order reports print them.
inline constexpr PolicyKind kAllPolicies[] = {
    PolicyKind::kRoundRobin, PolicyKind::kRandom,
    PolicyKind::kLeastConnections, PolicyKind::kTwoChoices};

// MakePolicy returns a new policy of the given kind.
std::unique_ptr<Policy> MakePolicy(PolicyKind kind);

// PolicyName returns the kind's name, the same as its Policy::Name().
std::string_view PolicyName(PolicyKind kind);

// ParsePolicyKind returns the kind with the given name, or nullopt.
std::optional<PolicyKind> ParsePolicyKind(std::string_view name);

}  // namespace scaling
