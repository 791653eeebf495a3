#include "rate_limiter/limiter.h"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace rl {
namespace {

struct NamedAlgorithm {
  Algorithm algorithm;
  std::string_view name;
};

constexpr std::array<NamedAlgorithm, 5> kAlgorithms = {{
    {Algorithm::kFixedWindow, "fixed_window"},
    {Algorithm::kSlidingLog, "sliding_log"},
    {Algorithm::kSlidingCounter, "sliding_counter"},
    {Algorithm::kTokenBucket, "token_bucket"},
    {Algorithm::kGcra, "gcra"},
}};

std::string Describe(const Quota& quota) {
  return "{limit " + std::to_string(quota.limit) + ", period " +
         std::to_string(quota.period) + " ns, burst " +
         std::to_string(quota.burst) + "}";
}

using State =
    std::variant<FixedWindow, SlidingLog, SlidingCounter, TokenBucket, Gcra>;

// MakeState constructs the algorithm's state in place, full.
State MakeState(Algorithm algorithm, Quota quota) {
  if (!ValidQuota(quota)) {
    throw std::invalid_argument(
        "invalid quota " + Describe(quota) +
        ": limit, period and burst must be positive, and limit * period and "
        "burst * period must fit in 64 bits");
  }
  switch (algorithm) {
    case Algorithm::kFixedWindow:
      return State(std::in_place_type<FixedWindow>, quota);
    case Algorithm::kSlidingLog:
      return State(std::in_place_type<SlidingLog>, quota);
    case Algorithm::kSlidingCounter:
      return State(std::in_place_type<SlidingCounter>, quota);
    case Algorithm::kTokenBucket:
      return State(std::in_place_type<TokenBucket>, quota);
    case Algorithm::kGcra:
      return State(std::in_place_type<Gcra>, quota);
  }
  throw std::invalid_argument(
      "invalid algorithm value " +
      std::to_string(static_cast<int>(algorithm)) +
      ": use one of the rl::Algorithm enumerators");
}

Algorithm AlgorithmOf(const FixedWindow&) { return Algorithm::kFixedWindow; }
Algorithm AlgorithmOf(const SlidingLog&) { return Algorithm::kSlidingLog; }
Algorithm AlgorithmOf(const SlidingCounter&) {
  return Algorithm::kSlidingCounter;
}
Algorithm AlgorithmOf(const TokenBucket&) { return Algorithm::kTokenBucket; }
Algorithm AlgorithmOf(const Gcra&) { return Algorithm::kGcra; }

}  // namespace

std::string_view AlgorithmName(Algorithm algorithm) {
  for (const NamedAlgorithm& entry : kAlgorithms) {
    if (entry.algorithm == algorithm) return entry.name;
  }
  return "unknown";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  for (const NamedAlgorithm& entry : kAlgorithms) {
    if (entry.name == name) return entry.algorithm;
  }
  return std::nullopt;
}

Limiter::Limiter(Algorithm algorithm, Quota quota)
    : state_(MakeState(algorithm, quota)) {}

Decision Limiter::Decide(Nanos now, std::int64_t cost) {
  return std::visit([&](auto& state) { return state.Decide(now, cost); },
                    state_);
}

Decision Limiter::Peek(Nanos now, std::int64_t cost) const {
  return std::visit([&](const auto& state) { return state.Peek(now, cost); },
                    state_);
}

Algorithm Limiter::algorithm() const {
  return std::visit([](const auto& state) { return AlgorithmOf(state); },
                    state_);
}

const Quota& Limiter::quota() const {
  return std::visit(
      [](const auto& state) -> const Quota& { return state.quota(); },
      state_);
}

}  // namespace rl
