// SlidingLog: an exact sliding window that remembers every allowed request.
//
// A request at `now` is allowed when fewer than quota.limit requests (counting
// `cost`) were allowed in the window (now - period, now]. Exact: no span of
// one period ever holds more than `limit` allowed requests. The price is
// memory: up to `limit` timestamps per key.
//
// Thread-safety: none. One SlidingLog serves one key; KeyedStore locks.
#pragma once

#include <cstdint>
#include <deque>

#include "rate_limiter/quota.h"

namespace rl {

class SlidingLog {
 public:
  // REQUIRES: ValidQuota(quota). quota.burst is ignored.
  explicit SlidingLog(Quota quota);

  // Decide logs `cost` entries at `now` if the window (now - period, now]
  // then holds at most quota.limit entries; otherwise it rejects and logs
  // nothing. A `now` older than the latest time seen is treated as that
  // latest time.
  Decision Decide(Nanos now, std::int64_t cost = 1);

  // Peek returns what Decide(now, cost) would return, without changing state.
  Decision Peek(Nanos now, std::int64_t cost = 1) const;

  const Quota& quota() const { return quota_; }

 private:
  Quota quota_;
  // log_ holds the time of each allowed unit of cost, oldest first. Entries
  // at or before now - period are expired and may be dropped at any time.
  std::deque<Nanos> log_;
  // last_ is the latest time seen.
  Nanos last_ = 0;
};

}  // namespace rl
