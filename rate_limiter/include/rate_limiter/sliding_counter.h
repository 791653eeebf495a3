// SlidingCounter: the sliding window counter, a cheap approximation of the
// sliding log for one client key.
//
// It keeps two fixed-window counts, the previous window's and the current
// one's, and estimates the count over the last period by weighting the
// previous window by the part of it still inside the sliding window:
//
//   estimate = previous * (period - elapsed) / period + current
//
// where elapsed is how far `now` is into the current window. A request is
// allowed when estimate + cost <= limit. The comparison is done multiplied
// by period, in integers, so no rounding is involved.
//
// Thread-safety: none. One SlidingCounter serves one key; KeyedStore locks.
#pragma once

#include <cstdint>

#include "rate_limiter/quota.h"

namespace rl {

class SlidingCounter {
 public:
  // REQUIRES: ValidQuota(quota). quota.burst is ignored.
  explicit SlidingCounter(Quota quota);

  // Decide counts the request in the current window if the weighted estimate
  // stays within quota.limit; otherwise it rejects and counts nothing. A
  // `now` older than the latest time seen is treated as that latest time.
  Decision Decide(Nanos now, std::int64_t cost = 1);

  // Peek returns what Decide(now, cost) would return, without changing state.
  Decision Peek(Nanos now, std::int64_t cost = 1) const;

  const Quota& quota() const { return quota_; }

 private:
  Quota quota_;
  // window_ is the index k of the current window [k * period, (k+1) * period).
  std::int64_t window_ = 0;
  std::int64_t current_ = 0;
  std::int64_t previous_ = 0;
  // last_ is the latest time seen.
  Nanos last_ = 0;
};

}  // namespace rl
