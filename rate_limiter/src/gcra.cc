// Gcra: the reference implementation. See gcra.h.
//
// Every time below is "scaled": multiplied by quota.limit, so that the
// emission interval T = period / limit becomes exactly `period` scaled units
// and nothing is rounded. Scaled values use 128-bit integers, which hold any
// time point times any limit.
//
// REQUIRES of Decide and Peek: cost >= 0. A negative cost is a contract
// violation (it would move TAT back and mint capacity); debug builds stop on
// an assert.

#include "rate_limiter/gcra.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace rl {
namespace {

using Wide = __int128;

// Cell is the state that one decision reads and, if it commits, writes:
// the theoretical arrival time and the latest time seen, both scaled.
struct Cell {
  Wide tat = 0;
  Wide last = 0;
};

struct Outcome {
  Decision decision;
  Cell cell;
};

// Quotient returns a / b rounded toward zero, for b > 0. When both fit in
// 64 bits, as they do for the times and quotas of everyday use, it divides
// in 64 bits: a hardware division instead of the 128-bit library call.
Wide Quotient(Wide a, Wide b) {
  const auto narrow_a = static_cast<std::int64_t>(a);
  const auto narrow_b = static_cast<std::int64_t>(b);
  if (narrow_a == a && narrow_b == b) return narrow_a / narrow_b;
  return a / b;
}

// CeilDiv returns ceil(a / b) for a >= 0 and b > 0.
Nanos CeilDiv(Wide a, Wide b) {
  return static_cast<Nanos>(Quotient(a + b - 1, b));
}

// FloorDiv returns floor(a / b) for b > 0, also for negative a.
Wide FloorDiv(Wide a, Wide b) {
  const Wide quotient = Quotient(a, b);
  return (quotient * b != a && a < 0) ? quotient - 1 : quotient;
}

// Evaluate decides a request of `cost` at `now` and returns the decision with
// the cell that Decide commits.
Outcome Evaluate(const Quota& quota, Cell cell, bool started, Nanos now,
                 std::int64_t cost) {
  assert(cost >= 0 && "cost must not be negative");
  const Wide interval = quota.period;  // T, scaled
  const Wide tolerance = Wide{quota.burst} * interval;

  // An older timestamp is treated as the latest time seen. A new key has
  // TAT <= now, so it starts with the whole burst.
  Wide scaled_now = Wide{now} * quota.limit;
  if (started) {
    scaled_now = std::max(scaled_now, cell.last);
  } else {
    cell.tat = scaled_now;
  }
  cell.last = scaled_now;

  Decision decision;
  decision.limit = quota.burst;
  const Wide base = std::max(cell.tat, scaled_now);
  if (cost > quota.burst) {
    // More than the burst can ever admit: waiting cannot help.
    decision.retry_after = kNever;
  } else {
    const Wide new_tat = base + cost * interval;
    decision.allowed = new_tat - scaled_now <= tolerance;
    if (decision.allowed) {
      cell.tat = new_tat;
    } else {
      decision.retry_after =
          CeilDiv(new_tat - tolerance - scaled_now, quota.limit);
    }
  }

  // Capacity left: how many more intervals fit between TAT and the tolerance.
  const Wide ahead = std::max(cell.tat, scaled_now) - scaled_now;
  decision.remaining =
      static_cast<std::int64_t>(Quotient(tolerance - ahead, interval));
  decision.reset_after = CeilDiv(ahead, quota.limit);
  return Outcome{decision, cell};
}

}  // namespace

Gcra::Gcra(Quota quota) : quota_(quota) { assert(ValidQuota(quota)); }

Decision Gcra::Decide(Nanos now, std::int64_t cost) {
  const Wide limit = quota_.limit;
  const Cell cell{Wide{tat_} * limit + tat_remainder_, Wide{last_} * limit};
  const Outcome outcome = Evaluate(quota_, cell, started_, now, cost);

  // Split the scaled TAT back into whole nanoseconds and a remainder.
  const Wide tat_whole = FloorDiv(outcome.cell.tat, limit);
  tat_ = static_cast<Nanos>(tat_whole);
  tat_remainder_ =
      static_cast<std::int64_t>(outcome.cell.tat - tat_whole * limit);
  // The latest time seen is max(now, last_), or now for a new key, so it
  // needs no division.
  last_ = started_ ? std::max(now, last_) : now;
  started_ = true;
  return outcome.decision;
}

Decision Gcra::Peek(Nanos now, std::int64_t cost) const {
  const Wide limit = quota_.limit;
  const Cell cell{Wide{tat_} * limit + tat_remainder_, Wide{last_} * limit};
  return Evaluate(quota_, cell, started_, now, cost).decision;
}

}  // namespace rl
