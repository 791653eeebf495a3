// The random source and every load-balancing policy except TwoChoices,
// which two_choices.cc defines (the two_choices exercise replaces it).

#include "scaling/balancer.h"

namespace scaling {

std::uint64_t SeededRandom::Next() {
  // SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
  // generators", 2014).
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t SeededRandom::Below(std::uint64_t n) {
  // Lemire, "Fast random integer generation in an interval" (2019): the high
  // word of a 128-bit product, with the few biased low words rejected.
  unsigned __int128 product = static_cast<unsigned __int128>(Next()) * n;
  std::uint64_t low = static_cast<std::uint64_t>(product);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(Next()) * n;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

double SeededRandom::Uniform() {
  // The top 53 bits, centred in their interval: never 0, never 1.
  return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
}

std::size_t RoundRobin::Choose(std::span<const int> outstanding,
                               RandomSource& /*random*/) {
  const std::size_t server = next_ % outstanding.size();
  next_ = server + 1;
  return server;
}

std::size_t RandomChoice::Choose(std::span<const int> outstanding,
                                 RandomSource& random) {
  return static_cast<std::size_t>(random.Below(outstanding.size()));
}

std::size_t LeastConnections::Choose(std::span<const int> outstanding,
                                     RandomSource& /*random*/) {
  const std::size_t n = outstanding.size();
  std::size_t best = next_ % n;
  for (std::size_t step = 1; step < n; ++step) {
    const std::size_t server = (next_ + step) % n;
    if (outstanding[server] < outstanding[best]) best = server;
  }
  next_ = best + 1;
  return best;
}

std::unique_ptr<Policy> MakePolicy(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kRoundRobin: return std::make_unique<RoundRobin>();
    case PolicyKind::kRandom: return std::make_unique<RandomChoice>();
    case PolicyKind::kLeastConnections:
      return std::make_unique<LeastConnections>();
    case PolicyKind::kTwoChoices: return std::make_unique<TwoChoices>();
  }
  return nullptr;
}

std::string_view PolicyName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kRoundRobin: return "round_robin";
    case PolicyKind::kRandom: return "random";
    case PolicyKind::kLeastConnections: return "least_connections";
    case PolicyKind::kTwoChoices: return "two_choices";
  }
  return "unknown";
}

std::optional<PolicyKind> ParsePolicyKind(std::string_view name) {
  for (PolicyKind kind : kAllPolicies) {
    if (PolicyName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace scaling
