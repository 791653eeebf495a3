// Exercise: the fixed window counter.
//
// Implement FixedWindow::Decide and FixedWindow::Peek below. The contract
// (what each function must return, the units, the private fields you may
// use) is in rate_limiter/include/rate_limiter/fixed_window.h, and the
// Decision fields are explained in rate_limiter/include/rate_limiter/quota.h.
//
//   Check your work:  ./labkit check rate_limiter fixed_window
//   Get a hint:       ./labkit hint rate_limiter fixed_window
//
// Rules the tests enforce:
//   - Windows are [k * period, (k + 1) * period), also before time zero.
//   - A window admits exactly `limit`, not limit + 1; requests with equal
//     timestamps each count.
//   - retry_after and reset_after run to the end of the current window.
//   - A rejected request counts nothing.
//   - A cost above the limit gets retry_after == kNever, because waiting
//     cannot help, and counts nothing.
//   - A cost of 0 is a query: always allowed, and it counts nothing.
//   - An older timestamp never resets the count.
//   - Peek changes nothing.

#include "rate_limiter/fixed_window.h"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace rl {

// No time has been seen yet, so last_ starts at the smallest time point:
// the first request's time is never older than it.
FixedWindow::FixedWindow(Quota quota)
    : quota_(quota), last_(std::numeric_limits<Nanos>::min()) {}

// TODO: Find the window that contains now (its index k = floor(now / period)),
// start its count at zero if it is a new window, and count `cost` if the
// count stays within quota_.limit. Fill in every Decision field: allowed,
// limit, remaining, retry_after, reset_after.
Decision FixedWindow::Decide([[maybe_unused]] Nanos now,
                             [[maybe_unused]] std::int64_t cost) {
  throw std::logic_error(
      "not implemented yet: FixedWindow::Decide "
      "(see labs/rate_limiter/hints/fixed_window.md)");
}

// TODO: Return exactly what Decide(now, cost) would return, without changing
// any field. Sharing one helper between Decide and Peek keeps them in step.
Decision FixedWindow::Peek([[maybe_unused]] Nanos now,
                           [[maybe_unused]] std::int64_t cost) const {
  throw std::logic_error(
      "not implemented yet: FixedWindow::Peek "
      "(see labs/rate_limiter/hints/fixed_window.md)");
}

}  // namespace rl
