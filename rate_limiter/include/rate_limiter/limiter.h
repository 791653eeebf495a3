// Limiter: any one of the five algorithms, chosen at run time, and Limit, a
// named quota applied with an algorithm.
//
// KeyedStore keeps one Limiter per (limit, key). std::variant keeps the state
// inline, with no allocation or virtual call per decision.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "rate_limiter/fixed_window.h"
#include "rate_limiter/gcra.h"
#include "rate_limiter/quota.h"
#include "rate_limiter/sliding_counter.h"
#include "rate_limiter/sliding_log.h"
#include "rate_limiter/token_bucket.h"

namespace rl {

enum class Algorithm {
  kFixedWindow,
  kSlidingLog,
  kSlidingCounter,
  kTokenBucket,
  kGcra,
};

// AlgorithmName returns the configuration name: "fixed_window",
// "sliding_log", "sliding_counter", "token_bucket" or "gcra".
std::string_view AlgorithmName(Algorithm algorithm);

// ParseAlgorithm returns the algorithm with that configuration name, or
// nullopt for any other text.
std::optional<Algorithm> ParseAlgorithm(std::string_view name);

// Limit is one named rule: "api" allows 100 per minute with a token bucket.
// The name is what the RateLimit-Policy header and the metrics show.
struct Limit {
  std::string name;
  Algorithm algorithm = Algorithm::kGcra;
  Quota quota;
};

// Limiter holds the state of one algorithm for one key.
class Limiter {
 public:
  // REQUIRES: ValidQuota(quota).
  Limiter(Algorithm algorithm, Quota quota);

  // Decide and Peek forward to the algorithm; see its header.
  Decision Decide(Nanos now, std::int64_t cost = 1);
  Decision Peek(Nanos now, std::int64_t cost = 1) const;

  Algorithm algorithm() const;
  const Quota& quota() const;

 private:
  std::variant<FixedWindow, SlidingLog, SlidingCounter, TokenBucket, Gcra>
      state_;
};

}  // namespace rl
