// Exercise: GCRA, the generic cell rate algorithm.
//
// Implement Gcra::Decide and Gcra::Peek below. The contract (what each
// function must return, the units, the private fields you may use) is in
// rate_limiter/include/rate_limiter/gcra.h, and the Decision fields are
// explained in rate_limiter/include/rate_limiter/quota.h.
//
//   Check your work:  ./labkit check rate_limiter gcra
//   Get a hint:       ./labkit hint rate_limiter gcra
//
// Rules the tests enforce:
//   - Integers only (no float or double), and the emission interval
//     T = period / limit is never rounded.
//   - A new key has its whole burst, whatever the time of its first request.
//   - The burst is the cap: at most `burst` at once, not burst + 1.
//   - An older timestamp never frees capacity.
//   - Nothing overflows, even after 30 days idle at 10^9 per second.
//   - retry_after counts the partial interval and is rounded up to the next
//     nanosecond: at 7 per second the wait is 142857143 ns.
//   - A cost above the burst gets retry_after == kNever, because waiting
//     cannot help, and takes nothing.
//   - A cost of 0 is a query: always allowed, and it takes nothing.
//   - Peek changes nothing.
//   - GCRA allows exactly what a token bucket with the same quota allows.

#include "rate_limiter/gcra.h"

#include <cstdint>
#include <stdexcept>

namespace rl {

Gcra::Gcra(Quota quota) : quota_(quota) {}

// TODO: Move the theoretical arrival time (TAT) forward by cost * T, where
// TAT = tat_ + tat_remainder_ / quota_.limit ns, if the new TAT stays within
// quota_.burst * T of now; otherwise reject and change nothing. Fill in
// every Decision field: allowed, limit, remaining, retry_after, reset_after.
Decision Gcra::Decide([[maybe_unused]] Nanos now,
                      [[maybe_unused]] std::int64_t cost) {
  throw std::logic_error(
      "not implemented yet: Gcra::Decide "
      "(see labs/rate_limiter/hints/gcra.md)");
}

// TODO: Return exactly what Decide(now, cost) would return, without changing
// any field. Sharing one helper between Decide and Peek keeps them in step.
Decision Gcra::Peek([[maybe_unused]] Nanos now,
                    [[maybe_unused]] std::int64_t cost) const {
  throw std::logic_error(
      "not implemented yet: Gcra::Peek "
      "(see labs/rate_limiter/hints/gcra.md)");
}

}  // namespace rl
