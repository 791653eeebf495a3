// Exercise: the retry decision for a message whose handler failed.
//
// Implement DecideRetry below. Its contract (the three actions, the policy's
// fields, what `attempt` and `retry_rounds` count) is in
// queue_demo/include/queue_demo/retry.h. It is pure logic: no Kafka, no
// clock. FailureRouter (failure_router.cc) calls it and publishes the copy.
//
//   Check your work:  ./labkit check queue_demo retry_decision
//   Get a hint:       ./labkit hint queue_demo retry_decision
//
// Rules the tests enforce, with the default policy (3 attempts in place,
// 1 retry round, backoff 100 ms doubling up to 2000 ms):
//   - A permanent failure goes to the dead letter topic at once.
//   - A transient failure on attempt 1 is retried in place after 100 ms,
//     and on attempt 2 after 200 ms. Attempt 3 gets no 4th call: send the
//     message to the retry topic.
//   - After its retry round (retry_rounds 1), attempt 3 goes to the dead
//     letter topic.
//   - backoff_ms is 0 for every action but kRetryInPlace.
// The last test runs your decision inside the real consumer against the
// embedded broker, with a poison record between 10 good ones.

#include "queue_demo/retry.h"

#include <stdexcept>

namespace queue_demo {

// TODO: Decide in this order. A permanent failure goes to the dead letter
// topic. A transient one is retried in place while attempts remain, with an
// exponential backoff capped at max_backoff_ms. After that it goes to the
// retry topic while retry rounds remain, and then to the dead letter topic.
RetryDecision DecideRetry([[maybe_unused]] const RetryPolicy& policy,
                          [[maybe_unused]] const FailureState& state) {
  throw std::logic_error(
      "not implemented yet: DecideRetry (see labs/queue_demo/hints/retry_decision.md)");
}

}  // namespace queue_demo
