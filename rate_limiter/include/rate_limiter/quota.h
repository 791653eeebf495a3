// Quota and Decision: the vocabulary every rate-limiting algorithm shares.
//
// A Quota says "at most `limit` requests per `period`, with bursts of up to
// `burst`". A Decision is what an algorithm returns for one request: allowed
// or rejected, how much quota is left, and how long to wait.
//
// Units: every time is integer nanoseconds (Nanos) from a monotonic clock that
// the caller passes in, so the algorithms are deterministic and testable. No
// floating point is used anywhere, so nothing drifts.
//
// This header is deliberately light (only <cstdint>): the lab's starter files
// and exercise tests include it, and they must compile in well under a second.
#pragma once

#include <cstdint>
#include <limits>

namespace rl {

// Nanos is a time point or a duration in nanoseconds on a monotonic clock.
using Nanos = std::int64_t;

inline constexpr Nanos kNanosPerSecond = 1'000'000'000;
inline constexpr Nanos kNanosPerMilli = 1'000'000;

// kNever is the retry_after of a request that can never be allowed, because
// its cost is larger than the burst (or the limit, for window algorithms).
inline constexpr Nanos kNever = std::numeric_limits<Nanos>::max();

// Quota is "limit requests per period", with bursts of up to `burst`.
//
// Window algorithms (fixed window, sliding log, sliding counter) admit at
// most `limit` per window of length `period` and ignore `burst`.
// Token bucket and GCRA refill at limit/period tokens per nanosecond and hold
// at most `burst` tokens; a new bucket starts full.
//
// REQUIRES: ValidQuota(quota).
struct Quota {
  std::int64_t limit = 0;
  Nanos period = 0;
  std::int64_t burst = 0;

  // PerSecond returns `n` per second with a burst of `n`.
  static constexpr Quota PerSecond(std::int64_t n) {
    return Quota{n, kNanosPerSecond, n};
  }
  // WithBurst returns a copy of this quota with a different burst.
  constexpr Quota WithBurst(std::int64_t b) const {
    return Quota{limit, period, b};
  }
  friend constexpr bool operator==(const Quota&, const Quota&) = default;
};

// ValidQuota is true when every field is positive and both limit * period
// and burst * period fit in 64 bits. The algorithms scale counts by the
// period to stay exact, so these products must not overflow.
constexpr bool ValidQuota(const Quota& q) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  return q.limit > 0 && q.period > 0 && q.burst > 0 &&
         q.limit <= kMax / q.period && q.burst <= kMax / q.period;
}

// Decision is the outcome of one rate-limit decision.
struct Decision {
  // allowed is true when the request may proceed. An allowed request has
  // consumed its cost; a rejected one consumed nothing.
  bool allowed = false;

  // limit is the quota's capacity: `burst` for token bucket and GCRA,
  // `limit` for the window algorithms. Used for the RateLimit-Policy header.
  std::int64_t limit = 0;

  // remaining is how many more unit-cost requests would be allowed right now,
  // after this decision. Never negative.
  std::int64_t remaining = 0;

  // retry_after is how long a rejected request must wait before the same
  // request would be allowed: 0 when allowed, kNever when it never can be.
  Nanos retry_after = 0;

  // reset_after is how long until the quota is fully available again
  // (remaining == limit) if no more requests arrive. 0 when it already is.
  Nanos reset_after = 0;
};

}  // namespace rl
