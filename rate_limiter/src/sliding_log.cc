// SlidingLog: the reference implementation. See sliding_log.h.
//
// The log is sorted oldest first, because every entry is logged at the
// latest time seen. An entry logged at t is live while now - t < period, so
// the window (now - period, now] holds exactly the live entries.
//
// REQUIRES of Decide and Peek: cost >= 0. A negative cost is a contract
// violation; debug builds stop on an assert.

#include "rate_limiter/sliding_log.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <deque>
#include <limits>

namespace rl {
namespace {

// Expired is true when an entry logged at `logged` is outside the window
// (now - period, now]. REQUIRES: logged <= now.
bool Expired(Nanos logged, Nanos now, Nanos period) {
  // Unsigned subtraction gives the exact age for any two times.
  const std::uint64_t age =
      static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(logged);
  return age >= static_cast<std::uint64_t>(period);
}

// Evaluate decides a request of `cost` at `now` (already clamped to the
// latest time seen) against `log`, without changing it. The remaining and
// reset_after fields count the request's own entries when it is allowed.
Decision Evaluate(const Quota& quota, const std::deque<Nanos>& log, Nanos now,
                  std::int64_t cost) {
  assert(cost >= 0 && "cost must not be negative");
  const auto live = std::partition_point(
      log.begin(), log.end(),
      [&](Nanos logged) { return Expired(logged, now, quota.period); });
  const std::int64_t live_count = log.end() - live;

  Decision decision;
  decision.limit = quota.limit;
  if (cost > quota.limit) {
    // More than any window admits: waiting cannot help.
    decision.retry_after = kNever;
  } else {
    decision.allowed = live_count + cost <= quota.limit;
    if (!decision.allowed) {
      // Wait until enough of the oldest live entries expire: the entry that
      // must go last is the (live_count + cost - limit)-th oldest.
      const Nanos must_expire = live[live_count + cost - quota.limit - 1];
      decision.retry_after = quota.period - (now - must_expire);
    }
  }

  const std::int64_t used = live_count + (decision.allowed ? cost : 0);
  decision.remaining = std::max<std::int64_t>(quota.limit - used, 0);
  if (decision.allowed && cost > 0) {
    decision.reset_after = quota.period;
  } else if (live_count > 0) {
    decision.reset_after = quota.period - (now - log.back());
  }
  return decision;
}

}  // namespace

SlidingLog::SlidingLog(Quota quota)
    : quota_(quota), last_(std::numeric_limits<Nanos>::min()) {
  assert(ValidQuota(quota));
}

Decision SlidingLog::Decide(Nanos now, std::int64_t cost) {
  // An older timestamp is treated as the latest time seen.
  now = std::max(now, last_);
  last_ = now;

  // Drop the expired entries, then decide and log the allowed cost.
  while (!log_.empty() && Expired(log_.front(), now, quota_.period)) {
    log_.pop_front();
  }
  const Decision decision = Evaluate(quota_, log_, now, cost);
  if (decision.allowed) {
    log_.insert(log_.end(), cost, now);
  }
  return decision;
}

Decision SlidingLog::Peek(Nanos now, std::int64_t cost) const {
  return Evaluate(quota_, log_, std::max(now, last_), cost);
}

}  // namespace rl
