// Gcra: the Generic Cell Rate Algorithm for one client key.
//
// GCRA is a token bucket that stores one time instead of a token count: the
// theoretical arrival time (TAT), when the bucket would be full again. Each
// request pushes TAT forward by cost * emission interval, where the emission
// interval T is quota.period / quota.limit. A request is allowed when the new
// TAT is at most burst * T ahead of now.
//
// Exact arithmetic: T is usually not a whole number of nanoseconds
// (1 s / 7), so TAT is kept as a whole part in nanoseconds plus a remainder
// in units of 1/quota.limit nanosecond. Nothing is rounded away.
//
// Thread-safety: none. One Gcra serves one key; KeyedStore locks.
#pragma once

#include <cstdint>

#include "rate_limiter/quota.h"

namespace rl {

class Gcra {
 public:
  // REQUIRES: ValidQuota(quota).
  explicit Gcra(Quota quota);

  // Decide allows the request and advances TAT by cost * T if that keeps TAT
  // within burst * T of `now`; otherwise it rejects and changes nothing. A
  // `now` older than the latest time seen is treated as that latest time.
  Decision Decide(Nanos now, std::int64_t cost = 1);

  // Peek returns what Decide(now, cost) would return, without changing state.
  Decision Peek(Nanos now, std::int64_t cost = 1) const;

  const Quota& quota() const { return quota_; }

 private:
  Quota quota_;
  // TAT is tat_ + tat_remainder_ / quota_.limit nanoseconds,
  // with 0 <= tat_remainder_ < quota_.limit.
  Nanos tat_ = 0;
  std::int64_t tat_remainder_ = 0;
  // last_ is the latest time seen.
  Nanos last_ = 0;
  // started_ is false until the first decision; a new key has TAT <= now.
  bool started_ = false;
};

}  // namespace rl
