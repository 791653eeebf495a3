// FixedWindow: a counter per fixed window of time for one client key.
//
// Time is cut into windows [k * period, (k + 1) * period). Each window admits
// at most quota.limit requests; the count resets when a new window starts.
// Cheap and simple, but a client can send `limit` requests at the end of one
// window and `limit` more at the start of the next: up to 2 * limit within
// one period that straddles a boundary.
//
// Thread-safety: none. One FixedWindow serves one key; KeyedStore locks.
#pragma once

#include <cstdint>

#include "rate_limiter/quota.h"

namespace rl {

class FixedWindow {
 public:
  // REQUIRES: ValidQuota(quota). quota.burst is ignored.
  explicit FixedWindow(Quota quota);

  // Decide counts the request in the window containing `now` if the count
  // stays within quota.limit; otherwise it rejects and counts nothing. A
  // `now` older than the latest time seen is treated as that latest time.
  Decision Decide(Nanos now, std::int64_t cost = 1);

  // Peek returns what Decide(now, cost) would return, without changing state.
  Decision Peek(Nanos now, std::int64_t cost = 1) const;

  const Quota& quota() const { return quota_; }

 private:
  Quota quota_;
  // window_ is the index k of the window that count_ belongs to.
  std::int64_t window_ = 0;
  std::int64_t count_ = 0;
  // last_ is the latest time seen.
  Nanos last_ = 0;
};

}  // namespace rl
