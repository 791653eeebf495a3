// Graceful shutdown of the consumer, within a bounded time.
//
// The order matters: stop taking new messages, let the workers finish what
// they hold (until a deadline), commit the offsets they stored, then close
// the consumer so the group rebalances at once instead of after
// session.timeout.ms. Work still unfinished at the deadline is dropped
// unstored, so it is delivered again later: at-least-once holds.
//
// RunGracefulShutdown holds the sequence; ShutdownSteps performs it, so the
// sequence can be tested without a broker.
//
// This header is light (standard library only): exercise starters include it.
#pragma once

#include <chrono>

#include "queue_demo/status.h"

namespace queue_demo {

// ShutdownSteps is what a shutdown can do to the consumer.
class ShutdownSteps {
 public:
  virtual ~ShutdownSteps() = default;

  // StopIntake stops handing new messages to the workers.
  virtual void StopIntake() = 0;

  // WaitForInFlight waits until the workers hold no message, or until
  // `deadline`. Returns false on timeout.
  virtual bool WaitForInFlight(
      std::chrono::steady_clock::time_point deadline) = 0;

  // DropQueued discards the messages no worker has started.
  virtual void DropQueued() = 0;

  // Commit synchronously commits every stored offset.
  virtual Status Commit() = 0;

  // Close leaves the consumer group (librdkafka's consumer close, which
  // returns within about session.timeout.ms).
  virtual Status Close() = 0;
};

// ShutdownReport is the outcome of one graceful shutdown.
struct ShutdownReport {
  bool drained = false;  // every in-flight message finished before the deadline
  Status commit;         // the final commit
  Status close;          // the consumer close
};

// RunGracefulShutdown stops intake, waits up to `drain_budget` for the
// in-flight messages, drops whatever is left, commits, and closes.
ShutdownReport RunGracefulShutdown(ShutdownSteps& steps,
                                   std::chrono::milliseconds drain_budget);

}  // namespace queue_demo
