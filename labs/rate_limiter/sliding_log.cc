// Exercise: the sliding window log.
//
// Implement SlidingLog::Decide and SlidingLog::Peek below. The contract
// (what each function must return, the units, the private fields you may
// use) is in rate_limiter/include/rate_limiter/sliding_log.h, and the
// Decision fields are explained in rate_limiter/include/rate_limiter/quota.h.
//
//   Check your work:  ./labkit check rate_limiter sliding_log
//   Get a hint:       ./labkit hint rate_limiter sliding_log
//
// Rules the tests enforce:
//   - The window is (now - period, now]: an entry exactly one period old no
//     longer counts.
//   - Requests with equal timestamps each count.
//   - retry_after is the wait until enough entries have left the window for
//     this request's cost, exact to the nanosecond.
//   - A rejected request is not logged.
//   - A cost above the limit gets retry_after == kNever, because waiting
//     cannot help, and logs nothing.
//   - A cost of 0 is a query: always allowed, and it logs nothing.
//   - An older timestamp counts as the latest time seen.
//   - Peek changes nothing.

#include "rate_limiter/sliding_log.h"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace rl {

// No time has been seen yet, so last_ starts at the smallest time point:
// the first request's time is never older than it.
SlidingLog::SlidingLog(Quota quota)
    : quota_(quota), last_(std::numeric_limits<Nanos>::min()) {}

// TODO: Drop the entries of log_ that have left the window (now - period,
// now], then log `cost` entries at now if the log then contains at most
// quota_.limit entries. Fill in every Decision field: allowed, limit,
// remaining, retry_after, reset_after.
Decision SlidingLog::Decide([[maybe_unused]] Nanos now,
                            [[maybe_unused]] std::int64_t cost) {
  throw std::logic_error(
      "not implemented yet: SlidingLog::Decide "
      "(see labs/rate_limiter/hints/sliding_log.md)");
}

// TODO: Return exactly what Decide(now, cost) would return, without changing
// any field: count the live entries without dropping the expired ones.
Decision SlidingLog::Peek([[maybe_unused]] Nanos now,
                          [[maybe_unused]] std::int64_t cost) const {
  throw std::logic_error(
      "not implemented yet: SlidingLog::Peek "
      "(see labs/rate_limiter/hints/sliding_log.md)");
}

}  // namespace rl
