// rl-window-burst: how many requests each algorithm admits in its worst
// one-second span, on a boundary-straddling schedule and a uniform one.
//
// Every algorithm gets the same quota, 100 requests per second (burst 100
// for the token bucket and GCRA), and the same two schedules of request
// times on a simulated clock, so the output is the same on every machine:
//
//   boundary  10 bursts, one at each of t = 10 s, 20 s, ..., 100 s: one
//             request per millisecond from 100 ms before the window
//             boundary to 99 ms after it (200 requests per burst).
//   uniform   100,000 requests at uniformly random times over 100 s
//             (10 times the quota), from a fixed seed.
//
// Usage: rl-window-burst   (no options)

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include "rate_limiter/fixed_window.h"
#include "rate_limiter/gcra.h"
#include "rate_limiter/quota.h"
#include "rate_limiter/sliding_counter.h"
#include "rate_limiter/sliding_log.h"
#include "rate_limiter/token_bucket.h"

namespace {

using rl::Nanos;

constexpr rl::Quota kQuota = rl::Quota::PerSecond(100);
constexpr Nanos kSpan = rl::kNanosPerSecond;

// BoundarySchedule returns the request times of the boundary schedule.
std::vector<Nanos> BoundarySchedule() {
  std::vector<Nanos> times;
  for (Nanos boundary = 10; boundary <= 100; boundary += 10) {
    const Nanos start =
        boundary * rl::kNanosPerSecond - 100 * rl::kNanosPerMilli;
    for (Nanos i = 0; i < 200; ++i) {
      times.push_back(start + i * rl::kNanosPerMilli);
    }
  }
  return times;
}

// UniformSchedule returns the sorted request times of the uniform schedule.
std::vector<Nanos> UniformSchedule() {
  std::mt19937_64 random(20261204);
  std::uniform_int_distribution<Nanos> time(0, 100 * rl::kNanosPerSecond - 1);
  std::vector<Nanos> times(100'000);
  for (Nanos& t : times) {
    t = time(random);
  }
  std::sort(times.begin(), times.end());
  return times;
}

// AllowedTimes runs `times` through a new limiter and returns the times of
// the allowed requests.
template <typename Algorithm>
std::vector<Nanos> AllowedTimes(const std::vector<Nanos>& times) {
  Algorithm limiter(kQuota);
  std::vector<Nanos> allowed;
  for (const Nanos t : times) {
    if (limiter.Decide(t).allowed) {
      allowed.push_back(t);
    }
  }
  return allowed;
}

// MaxInAnySpan returns the largest number of the sorted `times` in one
// half-open span [t, t + span).
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

template <typename Algorithm>
void PrintRow(std::string_view name, const std::vector<Nanos>& boundary,
              const std::vector<Nanos>& uniform) {
  const std::vector<Nanos> boundary_allowed = AllowedTimes<Algorithm>(boundary);
  const std::vector<Nanos> uniform_allowed = AllowedTimes<Algorithm>(uniform);
  std::printf("| %-15.*s | %14lld | %13zu | %14lld | %13zu |\n",
              static_cast<int>(name.size()), name.data(),
              static_cast<long long>(MaxInAnySpan(boundary_allowed, kSpan)),
              boundary_allowed.size(),
              static_cast<long long>(MaxInAnySpan(uniform_allowed, kSpan)),
              uniform_allowed.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    std::fprintf(stderr,
                 "rl-window-burst: unexpected argument '%s'; the tool takes "
                 "no options\nusage: rl-window-burst\n",
                 argv[1]);
    return 2;
  }

  const std::vector<Nanos> boundary = BoundarySchedule();
  const std::vector<Nanos> uniform = UniformSchedule();
  std::printf("quota: 100 requests per second (burst 100)\n");
  std::printf(
      "boundary schedule: %zu requests, 200 around each of 10 window "
      "boundaries\n",
      boundary.size());
  std::printf("uniform schedule: %zu requests over 100 s\n\n", uniform.size());

  std::printf(
      "| algorithm       | boundary: max  | boundary:     "
      "| uniform: max   | uniform:      |\n");
  std::printf(
      "|                 | in any 1 s     | allowed total "
      "| in any 1 s     | allowed total |\n");
  std::printf(
      "|-----------------|----------------|---------------"
      "|----------------|---------------|\n");
  PrintRow<rl::FixedWindow>("fixed_window", boundary, uniform);
  PrintRow<rl::SlidingLog>("sliding_log", boundary, uniform);
  PrintRow<rl::SlidingCounter>("sliding_counter", boundary, uniform);
  PrintRow<rl::TokenBucket>("token_bucket", boundary, uniform);
  PrintRow<rl::Gcra>("gcra", boundary, uniform);
  return 0;
}
