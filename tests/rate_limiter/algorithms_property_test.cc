// Property tests: each of the five algorithms against a simple oracle over
// many random schedules with fixed seeds.
//
// Each oracle is written the obvious way, independent of the algorithm's
// representation: the token bucket keeps an exact fraction of tokens, the
// fixed window keeps a count per window index, the sliding log keeps every
// allowed timestamp and counts them by brute force. GCRA must match the
// token bucket field for field. For every algorithm, retry_after and
// reset_after must be exact to the nanosecond.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "rate_limiter/fixed_window.h"
#include "rate_limiter/gcra.h"
#include "rate_limiter/quota.h"
#include "rate_limiter/sliding_counter.h"
#include "rate_limiter/sliding_log.h"
#include "rate_limiter/token_bucket.h"

namespace {

using rl::Decision;
using rl::Nanos;
using rl::Quota;

using Wide = __int128;

constexpr int kSchedules = 60;
constexpr int kRequestsPerSchedule = 1500;

// Request is one step of a schedule: a decision of `cost` at `now`.
struct Request {
  Nanos now = 0;
  std::int64_t cost = 1;
};

// RandomQuota returns a quota with a small limit and burst and a period that
// is rarely a multiple of the limit, so rates have fractional intervals.
Quota RandomQuota(std::mt19937_64& random) {
  std::uniform_int_distribution<std::int64_t> limit(1, 12);
  std::uniform_int_distribution<Nanos> period(1, 3 * rl::kNanosPerSecond);
  std::uniform_int_distribution<std::int64_t> burst(1, 15);
  return Quota{limit(random), period(random), burst(random)};
}

// RandomSchedule returns requests with mostly increasing times: bursts at
// one timestamp, short and long gaps, and a few older timestamps. Costs
// range over 0 .. capacity + 1, so some never fit.
std::vector<Request> RandomSchedule(std::mt19937_64& random, const Quota& quota,
                                    std::int64_t capacity) {
  std::uniform_int_distribution<int> kind(0, 99);
  std::uniform_int_distribution<Nanos> short_gap(1, quota.period / 4 + 1);
  std::uniform_int_distribution<Nanos> long_gap(0, 3 * quota.period);
  std::uniform_int_distribution<Nanos> step_back(1, quota.period);
  std::uniform_int_distribution<std::int64_t> cost(0, capacity + 1);
  std::uniform_int_distribution<Nanos> start(-5 * rl::kNanosPerSecond,
                                             5 * rl::kNanosPerSecond);

  std::vector<Request> schedule;
  Nanos now = start(random);
  for (int i = 0; i < kRequestsPerSchedule; ++i) {
    const int k = kind(random);
    if (k < 30) {
      // Same timestamp as the previous request.
    } else if (k < 85) {
      now += short_gap(random);
    } else if (k < 95) {
      now += long_gap(random);
    } else {
      // An older timestamp, as from a thread that read the clock earlier.
      schedule.push_back(Request{now - step_back(random), 1});
      continue;
    }
    const std::int64_t c = kind(random) < 70 ? 1 : cost(random);
    schedule.push_back(Request{now, c});
  }
  return schedule;
}

std::string Describe(int seed, int step, const Quota& quota, const Request& r) {
  return "seed " + std::to_string(seed) + ", step " + std::to_string(step) +
         ", quota {limit " + std::to_string(quota.limit) + ", period " +
         std::to_string(quota.period) + " ns, burst " +
         std::to_string(quota.burst) + "}, request at " +
         std::to_string(r.now) + " ns with cost " + std::to_string(r.cost);
}

// ExpectExactWaits checks that retry_after and reset_after are the first
// nanoseconds at which the request fits and the quota is full, using Peek.
template <typename Algorithm>
void ExpectExactWaits(const Algorithm& algorithm, Nanos now,
                      const Decision& decision, std::int64_t cost,
                      const std::string& context) {
  if (!decision.allowed && decision.retry_after != rl::kNever) {
    ASSERT_GT(decision.retry_after, 0) << "a rejection must wait; " << context;
    EXPECT_TRUE(algorithm.Peek(now + decision.retry_after, cost).allowed)
        << "the request must fit after exactly retry_after; " << context;
    EXPECT_FALSE(algorithm.Peek(now + decision.retry_after - 1, cost).allowed)
        << "the request must not fit 1 ns before retry_after; " << context;
  }
  EXPECT_EQ(algorithm.Peek(now + decision.reset_after, 0).remaining,
            decision.limit)
      << "the quota must be full after exactly reset_after; " << context;
  if (decision.reset_after > 0) {
    EXPECT_LT(algorithm.Peek(now + decision.reset_after - 1, 0).remaining,
              decision.limit)
        << "the quota must not be full 1 ns before reset_after; " << context;
  }
}

// MaxInAnySpan returns the largest number of entries of the sorted `times`
// that fit in one half-open span [t, t + span).
std::int64_t MaxInAnySpan(const std::vector<Nanos>& times, Nanos span) {
  std::int64_t best = 0;
  std::size_t first = 0;
  for (std::size_t last = 0; last < times.size(); ++last) {
    while (times[last] - times[first] >= span) {
      ++first;
    }
    best = std::max<std::int64_t>(best, last - first + 1);
  }
  return best;
}

// ---------------------------------------------------------------------------
// Token bucket and GCRA against an exact fraction of tokens.

// Fraction is num / den with den > 0, kept in lowest terms.
struct Fraction {
  Wide num = 0;
  Wide den = 1;
};

Wide Gcd(Wide a, Wide b) {
  if (a < 0) a = -a;
  while (b != 0) {
    const Wide t = a % b;
    a = b;
    b = t;
  }
  return a;
}

Fraction Reduce(Fraction f) {
  const Wide g = Gcd(f.num, f.den);
  return g > 1 ? Fraction{f.num / g, f.den / g} : f;
}

Fraction Add(Fraction a, Fraction b) {
  return Reduce(Fraction{a.num * b.den + b.num * a.den, a.den * b.den});
}

bool Less(Fraction a, Fraction b) { return a.num * b.den < b.num * a.den; }

Wide CeilDiv(Wide a, Wide b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// BucketOracle keeps the tokens as an exact fraction, refilled at limit/period
// tokens per nanosecond and capped at the burst.
class BucketOracle {
 public:
  explicit BucketOracle(Quota quota) : quota_(quota) {}

  Decision Decide(Nanos now, std::int64_t cost) {
    const Fraction burst{quota_.burst, 1};
    if (!started_) {
      started_ = true;
      tokens_ = burst;
      last_ = now;
    }
    now = std::max(now, last_);
    tokens_ =
        Add(tokens_, Fraction{Wide{now - last_} * quota_.limit, quota_.period});
    if (Less(burst, tokens_)) tokens_ = burst;
    last_ = now;

    Decision decision;
    decision.limit = quota_.burst;
    if (cost > quota_.burst) {
      decision.retry_after = rl::kNever;
    } else if (Less(tokens_, Fraction{cost, 1})) {
      // Missing tokens m arrive in m * period / limit nanoseconds.
      const Fraction missing =
          Add(Fraction{cost, 1}, Fraction{-tokens_.num, tokens_.den});
      decision.retry_after = static_cast<Nanos>(
          CeilDiv(missing.num * quota_.period, missing.den * quota_.limit));
    } else {
      decision.allowed = true;
      tokens_ = Add(tokens_, Fraction{-cost, 1});
    }
    decision.remaining = static_cast<std::int64_t>(tokens_.num / tokens_.den);
    const Fraction to_full = Add(burst, Fraction{-tokens_.num, tokens_.den});
    decision.reset_after = static_cast<Nanos>(
        CeilDiv(to_full.num * quota_.period, to_full.den * quota_.limit));
    return decision;
  }

 private:
  Quota quota_;
  Fraction tokens_;
  Nanos last_ = 0;
  bool started_ = false;
};

void ExpectSameDecision(const Decision& actual, const Decision& expected,
                        const std::string& context) {
  EXPECT_EQ(actual.allowed, expected.allowed) << "allowed differs; " << context;
  EXPECT_EQ(actual.limit, expected.limit) << "limit differs; " << context;
  EXPECT_EQ(actual.remaining, expected.remaining)
      << "remaining differs; " << context;
  EXPECT_EQ(actual.retry_after, expected.retry_after)
      << "retry_after differs; " << context;
  EXPECT_EQ(actual.reset_after, expected.reset_after)
      << "reset_after differs; " << context;
}

TEST(TokenBucketProperty, MatchesExactFractionOracle) {
  for (int seed = 1; seed <= kSchedules; ++seed) {
    std::mt19937_64 random(seed);
    const Quota quota = RandomQuota(random);
    rl::TokenBucket bucket(quota);
    BucketOracle oracle(quota);
    Nanos latest = std::numeric_limits<Nanos>::min();

    const std::vector<Request> schedule =
        RandomSchedule(random, quota, quota.burst);
    for (std::size_t i = 0; i < schedule.size(); ++i) {
      const Request& r = schedule[i];
      const std::string context = Describe(seed, i, quota, r);
      latest = std::max(latest, r.now);
      const Decision expected = oracle.Decide(r.now, r.cost);
      const Decision actual = bucket.Decide(r.now, r.cost);
      ExpectSameDecision(actual, expected, context);
      ExpectExactWaits(bucket, latest, actual, r.cost, context);
      if (HasFailure()) return;
    }
  }
}

TEST(GcraProperty, MatchesTokenBucketExactly) {
  for (int seed = 1; seed <= kSchedules; ++seed) {
    std::mt19937_64 random(1000 + seed);
    const Quota quota = RandomQuota(random);
    rl::Gcra gcra(quota);
    BucketOracle oracle(quota);
    Nanos latest = std::numeric_limits<Nanos>::min();

    const std::vector<Request> schedule =
        RandomSchedule(random, quota, quota.burst);
    for (std::size_t i = 0; i < schedule.size(); ++i) {
      const Request& r = schedule[i];
      const std::string context = Describe(1000 + seed, i, quota, r);
      latest = std::max(latest, r.now);
      const Decision expected = oracle.Decide(r.now, r.cost);
      const Decision actual = gcra.Decide(r.now, r.cost);
      ExpectSameDecision(actual, expected, context);
      ExpectExactWaits(gcra, latest, actual, r.cost, context);
      if (HasFailure()) return;
    }
  }
}

// ---------------------------------------------------------------------------
// Window algorithms.

// FloorDiv returns floor(a / b) for b > 0.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0 && a < 0) ? 1 : 0);
}

TEST(FixedWindowProperty, MatchesCountPerWindow) {
  for (int seed = 1; seed <= kSchedules; ++seed) {
    std::mt19937_64 random(2000 + seed);
    const Quota quota = RandomQuota(random);
    rl::FixedWindow window(quota);
    std::map<std::int64_t, std::int64_t> count_by_window;
    Nanos latest = std::numeric_limits<Nanos>::min();
    std::vector<Nanos> allowed_times;

    const std::vector<Request> schedule =
        RandomSchedule(random, quota, quota.limit);
    for (std::size_t i = 0; i < schedule.size(); ++i) {
      const Request& r = schedule[i];
      const std::string context = Describe(2000 + seed, i, quota, r);
      latest = std::max(latest, r.now);
      std::int64_t& count = count_by_window[FloorDiv(latest, quota.period)];
      const bool fits = r.cost <= quota.limit && count + r.cost <= quota.limit;

      const Decision actual = window.Decide(r.now, r.cost);
      ASSERT_EQ(actual.allowed, fits) << "allowed differs; " << context;
      if (fits) {
        count += r.cost;
        allowed_times.insert(allowed_times.end(), r.cost, latest);
      }
      ASSERT_EQ(actual.remaining, quota.limit - count)
          << "remaining differs; " << context;
      ExpectExactWaits(window, latest, actual, r.cost, context);
      if (HasFailure()) return;
    }
    EXPECT_LE(MaxInAnySpan(allowed_times, quota.period), 2 * quota.limit)
        << "a fixed window admits at most 2 * limit in any span of one "
           "period; seed "
        << 2000 + seed;
  }
}

TEST(FixedWindowProperty, AdmitsTwiceTheLimitAcrossBoundary) {
  const Quota quota{100, rl::kNanosPerSecond, 100};
  rl::FixedWindow window(quota);
  std::vector<Nanos> allowed_times;

  // 100 requests 1 ns before the boundary at 1 s and 100 right on it.
  for (const Nanos now : {rl::kNanosPerSecond - 1, rl::kNanosPerSecond}) {
    for (int i = 0; i < 150; ++i) {
      if (window.Decide(now).allowed) allowed_times.push_back(now);
    }
  }
  EXPECT_EQ(MaxInAnySpan(allowed_times, quota.period), 2 * quota.limit)
      << "within 2 ns across a boundary a fixed window of limit 100 admits "
         "exactly 200";
}

TEST(SlidingLogProperty, MatchesBruteForceCount) {
  for (int seed = 1; seed <= kSchedules; ++seed) {
    std::mt19937_64 random(3000 + seed);
    const Quota quota = RandomQuota(random);
    rl::SlidingLog log(quota);
    std::vector<Nanos> allowed_times;  // sorted, one entry per unit of cost
    Nanos latest = std::numeric_limits<Nanos>::min();

    const std::vector<Request> schedule =
        RandomSchedule(random, quota, quota.limit);
    for (std::size_t i = 0; i < schedule.size(); ++i) {
      const Request& r = schedule[i];
      const std::string context = Describe(3000 + seed, i, quota, r);
      latest = std::max(latest, r.now);
      const std::int64_t in_window = std::count_if(
          allowed_times.begin(), allowed_times.end(),
          [&](Nanos t) { return latest - quota.period < t && t <= latest; });
      const bool fits =
          r.cost <= quota.limit && in_window + r.cost <= quota.limit;

      const Decision actual = log.Decide(r.now, r.cost);
      ASSERT_EQ(actual.allowed, fits) << "allowed differs; " << context;
      const std::int64_t used = in_window + (fits ? r.cost : 0);
      if (fits) allowed_times.insert(allowed_times.end(), r.cost, latest);
      ASSERT_EQ(actual.remaining, quota.limit - used)
          << "remaining differs; " << context;
      ExpectExactWaits(log, latest, actual, r.cost, context);
      if (HasFailure()) return;
    }
    EXPECT_LE(MaxInAnySpan(allowed_times, quota.period), quota.limit)
        << "a sliding log admits at most limit in any span of one period; "
           "seed "
        << 3000 + seed;
  }
}

TEST(SlidingCounterProperty, MatchesWeightedCountPerWindow) {
  for (int seed = 1; seed <= kSchedules; ++seed) {
    std::mt19937_64 random(4000 + seed);
    const Quota quota = RandomQuota(random);
    rl::SlidingCounter counter(quota);
    std::map<std::int64_t, std::int64_t> count_by_window;
    Nanos latest = std::numeric_limits<Nanos>::min();

    const std::vector<Request> schedule =
        RandomSchedule(random, quota, quota.limit);
    for (std::size_t i = 0; i < schedule.size(); ++i) {
      const Request& r = schedule[i];
      const std::string context = Describe(4000 + seed, i, quota, r);
      latest = std::max(latest, r.now);
      const std::int64_t index = FloorDiv(latest, quota.period);
      const Nanos elapsed = latest - index * quota.period;
      const std::int64_t previous = count_by_window[index - 1];
      std::int64_t& current = count_by_window[index];

      // previous * (period - elapsed) / period + current + cost <= limit
      const Fraction estimate =
          Add(Fraction{Wide{previous} * (quota.period - elapsed), quota.period},
              Fraction{current + r.cost, 1});
      const bool fits =
          r.cost <= quota.limit && !Less(Fraction{quota.limit, 1}, estimate);

      const Decision actual = counter.Decide(r.now, r.cost);
      ASSERT_EQ(actual.allowed, fits) << "allowed differs; " << context;
      if (fits) current += r.cost;
      ExpectExactWaits(counter, latest, actual, r.cost, context);
      if (HasFailure()) return;
    }
  }
}

}  // namespace
