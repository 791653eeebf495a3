// TokenBucket: the reference implementation. See token_bucket.h.
//
// Tokens are kept as credit (tokens * period), so refilling `elapsed`
// nanoseconds adds exactly elapsed * limit credit. Intermediate products use
// 128-bit integers: an idle period of any length refills without overflow.
//
// REQUIRES of Decide and Peek: cost >= 0. A negative cost is a contract
// violation (it would mint tokens); debug builds stop on an assert.

#include "rate_limiter/token_bucket.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace rl {
namespace {

using Wide = __int128;

// Bucket is the state that one decision reads and, if it commits, writes.
struct Bucket {
  std::int64_t credit = 0;
  Nanos last = 0;
};

struct Outcome {
  Decision decision;
  Bucket bucket;
};

// CeilDiv returns ceil(a / b) for a >= 0 and b > 0, in one 64-bit division.
Nanos CeilDiv(std::int64_t a, std::int64_t b) { return a / b + (a % b != 0); }

// ElapsedSince returns now - last for now >= last, exact for any two times.
std::uint64_t ElapsedSince(Nanos last, Nanos now) {
  return static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(last);
}

// Refill returns the bucket as of `now`, which is clamped to the latest time
// seen so that an older timestamp never adds credit. A bucket that has not
// started yet is full.
Bucket Refill(const Quota& quota, Bucket bucket, bool started, Nanos now) {
  const std::int64_t full = quota.burst * quota.period;
  if (!started) {
    return Bucket{full, now};
  }

  now = std::max(now, bucket.last);
  const Wide refilled =
      Wide{bucket.credit} + Wide{ElapsedSince(bucket.last, now)} * quota.limit;
  bucket.credit = static_cast<std::int64_t>(std::min<Wide>(refilled, full));
  bucket.last = now;
  return bucket;
}

// Evaluate decides a request of `cost` tokens at `now` and returns the
// decision with the bucket that Decide commits.
Outcome Evaluate(const Quota& quota, Bucket bucket, bool started, Nanos now,
                 std::int64_t cost) {
  assert(cost >= 0 && "cost must not be negative");
  bucket = Refill(quota, bucket, started, now);
  const std::int64_t full = quota.burst * quota.period;

  Decision decision;
  decision.limit = quota.burst;
  if (cost > quota.burst) {
    // More tokens than the bucket can ever hold: waiting cannot help.
    decision.retry_after = kNever;
  } else {
    const std::int64_t needed = cost * quota.period;
    decision.allowed = bucket.credit >= needed;
    if (decision.allowed) {
      bucket.credit -= needed;
    } else {
      decision.retry_after = CeilDiv(needed - bucket.credit, quota.limit);
    }
  }

  decision.remaining = bucket.credit / quota.period;
  decision.reset_after = CeilDiv(full - bucket.credit, quota.limit);
  return Outcome{decision, bucket};
}

}  // namespace

TokenBucket::TokenBucket(Quota quota) : quota_(quota) {
  assert(ValidQuota(quota));
}

Decision TokenBucket::Decide(Nanos now, std::int64_t cost) {
  const Outcome outcome =
      Evaluate(quota_, Bucket{credit_, last_}, started_, now, cost);
  credit_ = outcome.bucket.credit;
  last_ = outcome.bucket.last;
  started_ = true;
  return outcome.decision;
}

Decision TokenBucket::Peek(Nanos now, std::int64_t cost) const {
  return Evaluate(quota_, Bucket{credit_, last_}, started_, now, cost).decision;
}

}  // namespace rl
