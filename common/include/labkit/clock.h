// Clock: the injected source of time for everything in the kit.
//
// Algorithms never read the system clock themselves; they take a time point
// in integer nanoseconds. Services hold a Clock& so tests can swap in a
// ManualClock and step time exactly.
//
// Thread-safety: SteadyClock and ManualClock are safe to call from any
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace labkit {

// Nanos is a time point or duration in nanoseconds on a monotonic clock.
using Nanos = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Now returns the current time in nanoseconds since the clock's epoch.
  virtual Nanos Now() const = 0;
};

// SteadyClock reads std::chrono::steady_clock: monotonic, never adjusted.
class SteadyClock final : public Clock {
 public:
  Nanos Now() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// ManualClock returns whatever time the test last set.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Nanos start = 0) : now_(start) {}
  Nanos Now() const override { return now_.load(std::memory_order_acquire); }
  void Set(Nanos t) { now_.store(t, std::memory_order_release); }
  void Advance(Nanos d) { now_.fetch_add(d, std::memory_order_acq_rel); }

 private:
  std::atomic<Nanos> now_;
};

}  // namespace labkit
