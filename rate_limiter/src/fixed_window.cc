// FixedWindow: the reference implementation. See fixed_window.h.
//
// The window index is floor(now / period), so windows line up the same way
// on both sides of time zero.
//
// REQUIRES of Decide and Peek: cost >= 0. A negative cost is a contract
// violation (it would lower the count); debug builds stop on an assert.

#include "rate_limiter/fixed_window.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>

namespace rl {
namespace {

// Window is the state that one decision reads and, if it commits, writes.
struct Window {
  std::int64_t index = 0;
  std::int64_t count = 0;
  Nanos last = 0;
};

struct Outcome {
  Decision decision;
  Window window;
};

// FloorDiv returns floor(a / b) for b > 0, also for negative a.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t quotient = a / b;
  return (a % b != 0 && a < 0) ? quotient - 1 : quotient;
}

// FloorMod returns a - floor(a / b) * b, in [0, b), for b > 0.
std::int64_t FloorMod(std::int64_t a, std::int64_t b) {
  const std::int64_t remainder = a % b;
  return remainder < 0 ? remainder + b : remainder;
}

// Evaluate decides a request of `cost` at `now` and returns the decision with
// the window that Decide commits.
Outcome Evaluate(const Quota& quota, Window window, Nanos now,
                 std::int64_t cost) {
  assert(cost >= 0 && "cost must not be negative");

  // An older timestamp is treated as the latest time seen.
  now = std::max(now, window.last);
  window.last = now;

  // A new window starts with a count of zero.
  const std::int64_t index = FloorDiv(now, quota.period);
  if (index != window.index) {
    window.index = index;
    window.count = 0;
  }
  const Nanos until_next_window = quota.period - FloorMod(now, quota.period);

  Decision decision;
  decision.limit = quota.limit;
  if (cost > quota.limit) {
    // More than any window admits: waiting cannot help.
    decision.retry_after = kNever;
  } else {
    decision.allowed = window.count + cost <= quota.limit;
    if (decision.allowed) {
      window.count += cost;
    } else {
      decision.retry_after = until_next_window;
    }
  }

  decision.remaining = std::max<std::int64_t>(quota.limit - window.count, 0);
  decision.reset_after = window.count == 0 ? 0 : until_next_window;
  return Outcome{decision, window};
}

}  // namespace

FixedWindow::FixedWindow(Quota quota)
    : quota_(quota), last_(std::numeric_limits<Nanos>::min()) {
  assert(ValidQuota(quota));
}

Decision FixedWindow::Decide(Nanos now, std::int64_t cost) {
  const Outcome outcome =
      Evaluate(quota_, Window{window_, count_, last_}, now, cost);
  window_ = outcome.window.index;
  count_ = outcome.window.count;
  last_ = outcome.window.last;
  return outcome.decision;
}

Decision FixedWindow::Peek(Nanos now, std::int64_t cost) const {
  return Evaluate(quota_, Window{window_, count_, last_}, now, cost).decision;
}

}  // namespace rl
