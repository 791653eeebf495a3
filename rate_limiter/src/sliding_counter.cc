// SlidingCounter: the reference implementation. See sliding_counter.h.
//
// All comparisons are multiplied by period: the request is allowed when
//
//   previous * (period - elapsed) + (current + cost) * period
//       <= limit * period
//
// and the products use 128-bit integers. Window indexes use floor division,
// so windows line up the same way on both sides of time zero.
//
// REQUIRES of Decide and Peek: cost >= 0. A negative cost is a contract
// violation; debug builds stop on an assert.

#include "rate_limiter/sliding_counter.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>

namespace rl {
namespace {

using Wide = __int128;

// Counts is the state that one decision reads and, if it commits, writes.
struct Counts {
  std::int64_t window = 0;
  std::int64_t current = 0;
  std::int64_t previous = 0;
  Nanos last = 0;
};

struct Outcome {
  Decision decision;
  Counts counts;
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

// CeilDiv returns ceil(a / b) for a >= 0 and b > 0.
Wide CeilDiv(Wide a, Wide b) { return (a + b - 1) / b; }

// SaturateNanos returns `wait` as Nanos, capped just below kNever.
Nanos SaturateNanos(Wide wait) {
  return static_cast<Nanos>(std::min<Wide>(wait, kNever - 1));
}

// MoveToWindow returns the counts as of window `index`: the current count
// becomes the previous one when `index` is the next window, and both are
// zero after a gap of two or more windows.
Counts MoveToWindow(Counts counts, std::int64_t index) {
  if (index == counts.window) {
    return counts;
  }
  if (index == counts.window + 1) {
    counts.previous = counts.current;
  } else {
    counts.previous = 0;
  }
  counts.current = 0;
  counts.window = index;
  return counts;
}

// FirstElapsedAdmitting returns the smallest `elapsed` into a window whose
// previous count is `previous` at which a weighted estimate of
// previous * (period - elapsed) / period stays within `room` requests.
// REQUIRES: 0 <= room, previous > 0. The result is in [0, period].
Wide FirstElapsedAdmitting(std::int64_t previous, std::int64_t room,
                           Nanos period) {
  const Wide weight_allowed = Wide{room} * period / previous;
  return std::max<Wide>(Wide{period} - weight_allowed, 0);
}

// RetryAfter returns the exact wait until the estimate admits `cost`, for a
// rejected request with 0 <= cost <= limit.
Nanos RetryAfter(const Quota& quota, const Counts& counts, Nanos elapsed,
                 std::int64_t cost) {
  // Within this window, only the previous window's weight can shrink.
  const std::int64_t room = quota.limit - counts.current - cost;
  if (room >= 0) {
    return SaturateNanos(
        FirstElapsedAdmitting(counts.previous, room, quota.period) - elapsed);
  }

  // Otherwise wait for the next window, where this window's count (nonzero,
  // because room < 0 and cost <= limit) becomes the previous one and decays.
  const Wide until_next_window = Wide{quota.period} - elapsed;
  return SaturateNanos(
      until_next_window +
      FirstElapsedAdmitting(counts.current, quota.limit - cost, quota.period));
}

// Evaluate decides a request of `cost` at `now` and returns the decision with
// the counts that Decide commits.
Outcome Evaluate(const Quota& quota, Counts counts, Nanos now,
                 std::int64_t cost) {
  assert(cost >= 0 && "cost must not be negative");

  // An older timestamp is treated as the latest time seen.
  now = std::max(now, counts.last);
  counts = MoveToWindow(counts, FloorDiv(now, quota.period));
  counts.last = now;
  const Nanos elapsed = FloorMod(now, quota.period);
  const Wide period = quota.period;
  const Wide weighted_previous = Wide{counts.previous} * (period - elapsed);

  Decision decision;
  decision.limit = quota.limit;
  if (cost > quota.limit) {
    // More than any window admits: waiting cannot help.
    decision.retry_after = kNever;
  } else {
    decision.allowed =
        weighted_previous + Wide{counts.current + cost} * period <=
        Wide{quota.limit} * period;
    if (decision.allowed) {
      counts.current += cost;
    } else {
      decision.retry_after = RetryAfter(quota, counts, elapsed, cost);
    }
  }

  // remaining = limit - current - ceil(weighted previous / period).
  const Wide remaining =
      Wide{quota.limit} - counts.current - CeilDiv(weighted_previous, period);
  decision.remaining = static_cast<std::int64_t>(std::max<Wide>(remaining, 0));

  // Full again once every counted request has left the sliding window.
  if (counts.current > 0) {
    decision.reset_after = SaturateNanos(2 * period - elapsed);
  } else if (weighted_previous > 0) {
    decision.reset_after = SaturateNanos(period - elapsed);
  }
  return Outcome{decision, counts};
}

}  // namespace

SlidingCounter::SlidingCounter(Quota quota)
    : quota_(quota), last_(std::numeric_limits<Nanos>::min()) {
  assert(ValidQuota(quota));
}

Decision SlidingCounter::Decide(Nanos now, std::int64_t cost) {
  const Outcome outcome =
      Evaluate(quota_, Counts{window_, current_, previous_, last_}, now, cost);
  window_ = outcome.counts.window;
  current_ = outcome.counts.current;
  previous_ = outcome.counts.previous;
  last_ = outcome.counts.last;
  return outcome.decision;
}

Decision SlidingCounter::Peek(Nanos now, std::int64_t cost) const {
  return Evaluate(quota_, Counts{window_, current_, previous_, last_}, now,
                  cost)
      .decision;
}

}  // namespace rl
