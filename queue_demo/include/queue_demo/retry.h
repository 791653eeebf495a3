// The retry decision for a message whose handler failed: try again in
// place after a backoff, send it to the retry topic, or send it to the dead
// letter topic. Pure logic: no Kafka, no clock, no I/O.
//
// A consumer must not block its partition on one bad message (a "poison"
// message), so retries in place are bounded; after them the message leaves
// the partition through <topic>.retry (more rounds later, off the main
// path) or <topic>.dlt (parked for a person to inspect). A permanent
// failure (the payload cannot be parsed, say) skips the retries: trying it
// again cannot succeed.
//
// FailureRouter (failure_router.h) calls DecideRetry and publishes the
// message to the topic the decision names.
//
// Example, with the default policy (3 attempts in place, 1 retry round):
//   DecideRetry(policy, {FailureKind::kTransient, 1, 0})
//     -> {kRetryInPlace, 100 ms}
//   DecideRetry(policy, {FailureKind::kTransient, 3, 0})
//     -> {kSendToRetryTopic, 0}
//   DecideRetry(policy, {FailureKind::kTransient, 3, 1})
//     -> {kSendToDeadLetter, 0}
//
// Thread-safety: DecideRetry is a pure function, safe from any thread.
#pragma once

#include <cstdint>

namespace queue_demo {

// FailureKind classifies a failure by whether a retry could succeed.
enum class FailureKind {
  kTransient,  // a timeout, a busy dependency: a retry may succeed
  kPermanent,  // a malformed payload, a rejected value: it never will
};

enum class RetryAction {
  kRetryInPlace,      // call the handler again after `backoff_ms`
  kSendToRetryTopic,  // publish to <topic>.retry, then move on
  kSendToDeadLetter,  // publish to <topic>.dlt, then move on
};

// RetryPolicy bounds the retries. Every field must be at least its minimum
// (ValidateRetryPolicy in failure_router.h checks it).
struct RetryPolicy {
  int attempts_in_place = 3;          // handler calls per delivery, >= 1
  int retry_topic_rounds = 1;         // trips through <topic>.retry, >= 0
  std::int64_t initial_backoff_ms = 100;  // before the 2nd call, >= 0
  std::int64_t max_backoff_ms = 2000;     // backoff cap, >= initial
};

// FailureState describes the failure just seen.
struct FailureState {
  FailureKind kind = FailureKind::kTransient;
  // attempt counts the handler calls for this delivery, the failed one
  // included: 1 after the first failure.
  int attempt = 1;
  // retry_rounds counts the trips this message already made through the
  // retry topic (0 for a message read from the original topic).
  int retry_rounds = 0;
};

struct RetryDecision {
  RetryAction action = RetryAction::kSendToDeadLetter;
  // backoff_ms is the wait before the next call, for kRetryInPlace only
  // (0 otherwise): initial_backoff_ms doubled after each failed attempt,
  // capped at max_backoff_ms.
  std::int64_t backoff_ms = 0;
};

// DecideRetry returns what to do with a message whose handler failed.
//
// A permanent failure goes to the dead letter topic at once. A transient
// failure is retried in place while `attempt` < attempts_in_place; then it
// goes to the retry topic while `retry_rounds` < retry_topic_rounds, and to
// the dead letter topic after that.
//
// REQUIRES: `policy` is valid, state.attempt >= 1, state.retry_rounds >= 0.
RetryDecision DecideRetry(const RetryPolicy& policy, const FailureState& state);

}  // namespace queue_demo
