// Exercise: the token bucket.
//
// Implement TokenBucket::Decide and TokenBucket::Peek below. The contract
// (what each function must return, the units, the private fields you may
// use) is in rate_limiter/include/rate_limiter/token_bucket.h, and the
// Decision fields are explained in rate_limiter/include/rate_limiter/quota.h.
//
//   Check your work:  ./labkit check rate_limiter token_bucket
//   Get a hint:       ./labkit hint rate_limiter token_bucket
//
// Rules the tests enforce:
//   - Integers only (no float or double), so nothing drifts.
//   - A new bucket is full, whatever the time of its first request.
//   - An older timestamp never adds tokens.
//   - The bucket never contains more than the burst, not even after 30
//     days idle at 10^9 per second (and nothing overflows).
//   - retry_after counts partial refill and is rounded up to the next
//     nanosecond: at 7 per second one token takes 142857143 ns.
//   - A cost above the burst gets retry_after == kNever, because waiting
//     cannot help, and takes nothing.
//   - A cost of 0 is a query: always allowed, and it takes nothing.
//   - Peek changes nothing.

#include "rate_limiter/token_bucket.h"

#include <cstdint>
#include <stdexcept>

namespace rl {

TokenBucket::TokenBucket(Quota quota) : quota_(quota) {}

// TODO: Refill the bucket for the time since last_ (credit_ grows by
// elapsed * quota_.limit, up to quota_.burst * quota_.period), then take
// cost * quota_.period credit if the bucket contains it. Fill in every Decision
// field: allowed, limit, remaining, retry_after, reset_after.
Decision TokenBucket::Decide([[maybe_unused]] Nanos now,
                             [[maybe_unused]] std::int64_t cost) {
  throw std::logic_error(
      "not implemented yet: TokenBucket::Decide "
      "(see labs/rate_limiter/hints/token_bucket.md)");
}

// TODO: Return exactly what Decide(now, cost) would return, without changing
// any field. Sharing one helper between Decide and Peek keeps them in step.
Decision TokenBucket::Peek([[maybe_unused]] Nanos now,
                           [[maybe_unused]] std::int64_t cost) const {
  throw std::logic_error(
      "not implemented yet: TokenBucket::Peek "
      "(see labs/rate_limiter/hints/token_bucket.md)");
}

}  // namespace rl
