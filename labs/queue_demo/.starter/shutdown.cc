// Exercise: graceful shutdown of the consumer, within a bounded time.
//
// Implement RunGracefulShutdown below. The steps it can take are in
// queue_demo/include/queue_demo/shutdown.h; the consumer calls it when Stop
// is called or SIGINT or SIGTERM arrives.
//
//   Check your work:  ./labkit check queue_demo graceful_shutdown
//   Get a hint:       ./labkit hint queue_demo graceful_shutdown
//
// Rules the tests enforce:
//   - The order: stop intake, wait for the in-flight messages, commit,
//     close.
//   - The wait ends at a deadline `drain_budget` after the shutdown began.
//     If the workers are not done by then, drop the queued messages, which
//     are delivered again later, and still commit and close.
//   - Close even when the commit failed. The report carries whether the
//     workers drained, and the commit's and the close's status.
// The last test stops a real consumer mid-stream against the embedded
// broker and restarts another that relies on the committed offsets alone.

#include "queue_demo/shutdown.h"

#include <stdexcept>

namespace queue_demo {

// TODO: Stop intake, wait until now + drain_budget for the in-flight
// messages, drop the queued ones if they did not drain, commit, close, and
// fill in the report.
ShutdownReport RunGracefulShutdown([[maybe_unused]] ShutdownSteps& steps,
                                   [[maybe_unused]] std::chrono::milliseconds drain_budget) {
  throw std::logic_error(
      "not implemented yet: RunGracefulShutdown (see labs/queue_demo/hints/graceful_shutdown.md)");
}

}  // namespace queue_demo
