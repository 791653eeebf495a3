#include "queue_demo/stop_signal.h"

#include <atomic>
#include <csignal>

namespace queue_demo {
namespace {

// Lock-free, so reading and writing it is async-signal-safe.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnStopSignal(int) {
  stop_requested.store(true, std::memory_order_relaxed);
}

}  // namespace

void InstallStopSignalHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool StopSignalReceived() {
  return stop_requested.load(std::memory_order_relaxed);
}

void ClearStopSignal() { stop_requested.store(false, std::memory_order_relaxed); }

}  // namespace queue_demo
