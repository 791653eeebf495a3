// TokenBucket: the classic token bucket for one client key.
//
// The bucket holds at most quota.burst tokens and refills continuously at
// quota.limit tokens per quota.period. A request of `cost` tokens is allowed
// when the bucket holds at least `cost` tokens, and then takes them.
//
// Exact arithmetic: tokens are stored as "credit", tokens multiplied by
// quota.period, so a refill of `elapsed` nanoseconds adds exactly
// elapsed * quota.limit credit. No fraction is ever rounded away.
//
// Thread-safety: none. One TokenBucket serves one key; KeyedStore locks.
#pragma once

#include <cstdint>

#include "rate_limiter/quota.h"

namespace rl {

class TokenBucket {
 public:
  // REQUIRES: ValidQuota(quota).
  explicit TokenBucket(Quota quota);

  // Decide allows the request and takes `cost` tokens if the bucket holds
  // them at time `now`; otherwise it rejects and takes nothing. A `now` older
  // than the latest time seen is treated as that latest time.
  Decision Decide(Nanos now, std::int64_t cost = 1);

  // Peek returns what Decide(now, cost) would return, without changing state.
  Decision Peek(Nanos now, std::int64_t cost = 1) const;

  const Quota& quota() const { return quota_; }

 private:
  Quota quota_;
  // credit_ is tokens * quota_.period, in [0, burst * period].
  std::int64_t credit_ = 0;
  // last_ is the latest time seen; credit_ is up to date as of last_.
  Nanos last_ = 0;
  // started_ is false until the first decision; a new bucket is full.
  bool started_ = false;
};

}  // namespace rl
