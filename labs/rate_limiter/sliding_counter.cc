// Exercise: the sliding window counter.
//
// Implement SlidingCounter::Decide and SlidingCounter::Peek below. The
// contract (the weighted estimate, the units, the private fields you may
// use) is in rate_limiter/include/rate_limiter/sliding_counter.h, and the
// Decision fields are explained in rate_limiter/include/rate_limiter/quota.h.
//
//   Check your work:  ./labkit check rate_limiter sliding_counter
//   Get a hint:       ./labkit hint rate_limiter sliding_counter
//
// Rules the tests enforce:
//   - Integers only: compare everything multiplied by the period.
//   - Windows are [k * period, (k + 1) * period), also before time zero.
//   - The previous window's count is weighted by the share of it that the
//     sliding window still covers.
//   - After a gap of two or more windows, the old counts no longer count.
//   - retry_after is the exact instant the estimate admits the request,
//     rounded up to the next nanosecond, even when it falls in a later
//     window.
//   - A cost above the limit gets retry_after == kNever, because waiting
//     cannot help, and counts nothing.
//   - A cost of 0 is a query: always allowed, and it counts nothing.
//   - An older timestamp counts as the latest time seen.
//   - Peek changes nothing.

#include "rate_limiter/sliding_counter.h"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace rl {

// No time has been seen yet, so last_ starts at the smallest time point:
// the first request's time is never older than it.
SlidingCounter::SlidingCounter(Quota quota)
    : quota_(quota), last_(std::numeric_limits<Nanos>::min()) {}

// TODO: Move to the window that contains now (the current count becomes the
// previous one when now is in the next window), then count `cost` if
// previous * (period - elapsed) + (current + cost) * period stays within
// limit * period. Fill in every Decision field: allowed, limit, remaining,
// retry_after, reset_after.
Decision SlidingCounter::Decide([[maybe_unused]] Nanos now,
                                [[maybe_unused]] std::int64_t cost) {
  throw std::logic_error(
      "not implemented yet: SlidingCounter::Decide "
      "(see labs/rate_limiter/hints/sliding_counter.md)");
}

// TODO: Return exactly what Decide(now, cost) would return, without changing
// any field. Sharing one helper between Decide and Peek keeps them in step.
Decision SlidingCounter::Peek([[maybe_unused]] Nanos now,
                              [[maybe_unused]] std::int64_t cost) const {
  throw std::logic_error(
      "not implemented yet: SlidingCounter::Peek "
      "(see labs/rate_limiter/hints/sliding_counter.md)");
}

}  // namespace rl
