// LogThrottle: lets at most one log line through per interval and counts
// the lines it holds back, so an outage cannot flood the log.
//
// Thread-safety: safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace rl::redis_internal {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval)
      : interval_(interval) {}

  // Admit returns true when a line may be logged now, and then sets
  // *suppressed to the number of lines held back since the last one.
  bool Admit(std::int64_t* suppressed) {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (started_ && now - last_ < interval_) {
      ++suppressed_;
      return false;
    }
    started_ = true;
    last_ = now;
    *suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  bool started_ = false;
  std::chrono::steady_clock::time_point last_;
  std::int64_t suppressed_ = 0;
};

// SuppressedText returns " (N similar messages suppressed ...)" for N > 0,
// else "", to end a throttled log line.
std::string SuppressedText(std::int64_t suppressed);

}  // namespace rl::redis_internal
