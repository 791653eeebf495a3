// FailureRouter: where a consumer sends a message its handler failed on.
//
// It calls DecideRetry (retry.h) to choose what to do. When the message
// must leave its partition, it publishes a copy to <topic>.retry or <topic>.dlt with
// headers that say why and where it came from, and waits for the delivery
// report. The consumer then stores the original offset, so the partition
// moves on: a poison message costs a bounded number of attempts, never a
// stalled partition.
//
// The contract with the consumer:
//
//   for (int attempt = 1;; ++attempt) {
//     HandlerResult result = handler(message);
//     if (result.ok) { store offset + 1; break; }
//     RouteOutcome outcome = router.OnHandlerFailure(message, result.failure,
//                                                    attempt);
//     if (outcome.action == RetryAction::kRetryInPlace) {
//       wait outcome.backoff_ms (keep polling, partition paused); continue;
//     }
//     if (outcome.forwarded()) { store offset + 1; break; }
//     // Publishing failed: do not store the offset; the message is
//     // redelivered (at least once) after a restart or rebalance.
//     break;
//   }
//
// Headers on the forwarded copy (all values are decimal text or names):
//   x-failure-reason     the handler's reason for the last failure
//   x-failure-kind       "transient" or "permanent"
//   x-attempts           handler calls across every round, this one included
//   x-retry-rounds       trips through <topic>.retry, this copy's included
//   x-original-topic     the topic the message was first produced to
//   x-original-partition / x-original-offset   where it was first read
// The key and value are unchanged, so per-key consumers of the retry topic
// see the same record. The original headers are kept, the x-* ones replaced.
//
// Thread-safety: OnHandlerFailure is safe from any thread if the Publisher
// is (Producer is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "queue_demo/message.h"
#include "queue_demo/publisher.h"
#include "queue_demo/retry.h"

namespace queue_demo {

inline constexpr std::string_view kReasonHeader = "x-failure-reason";
inline constexpr std::string_view kFailureKindHeader = "x-failure-kind";
inline constexpr std::string_view kAttemptsHeader = "x-attempts";
inline constexpr std::string_view kRetryRoundsHeader = "x-retry-rounds";
inline constexpr std::string_view kOriginalTopicHeader = "x-original-topic";
inline constexpr std::string_view kOriginalPartitionHeader =
    "x-original-partition";
inline constexpr std::string_view kOriginalOffsetHeader = "x-original-offset";

// HandlerFailure is why the handler failed.
struct HandlerFailure {
  FailureKind kind = FailureKind::kTransient;
  std::string reason;
};

// RouteOutcome is what OnHandlerFailure did.
struct RouteOutcome {
  RetryAction action = RetryAction::kSendToDeadLetter;
  std::int64_t backoff_ms = 0;  // for kRetryInPlace
  std::string topic;            // where the copy went, for the other actions
  DeliveryReport report;        // its delivery report

  // forwarded is true when the copy is durably in `topic`, so the consumer
  // may store the original offset.
  bool forwarded() const {
    return action != RetryAction::kRetryInPlace && report.ok();
  }
};

// ValidateRetryPolicy returns "" for a valid policy, else a message naming
// the first invalid field and its value.
std::string ValidateRetryPolicy(const RetryPolicy& policy);

// RetryTopicFor and DeadLetterTopicFor name the topics for messages first
// produced to `original_topic`: "<original_topic>.retry" and ".dlt".
std::string RetryTopicFor(std::string_view original_topic);
std::string DeadLetterTopicFor(std::string_view original_topic);

// FindHeader returns the value of the last header named `name`, or nullopt.
std::optional<std::string> FindHeader(
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view name);

// OriginalTopicOf returns the x-original-topic header of a message read
// from a retry topic, else its own topic. RetryRoundsOf and
// PreviousAttemptsOf read x-retry-rounds and x-attempts (0 when absent or
// not a number).
std::string OriginalTopicOf(const Message& message);
int RetryRoundsOf(const Message& message);
int PreviousAttemptsOf(const Message& message);

// ForwardedCopy builds the copy of `message` to publish after `attempt`
// failed handler calls for this delivery: to the retry topic of its
// original topic for kSendToRetryTopic, else to its dead letter topic.
OutgoingMessage ForwardedCopy(const Message& message,
                              const HandlerFailure& failure, int attempt,
                              RetryAction destination);

class FailureRouter {
 public:
  // REQUIRES: ValidateRetryPolicy(policy) is empty. `publisher` must outlive
  // the router.
  FailureRouter(Publisher& publisher, RetryPolicy policy)
      : publisher_(publisher), policy_(policy) {}

  // OnHandlerFailure decides what to do after the `attempt`-th handler call
  // for this delivery of `message` failed (attempt >= 1), and publishes the
  // copy when the decision is to forward it. Publishing blocks until the
  // delivery report arrives or the Publisher's bound passes.
  RouteOutcome OnHandlerFailure(const Message& message,
                                const HandlerFailure& failure, int attempt);

  const RetryPolicy& policy() const { return policy_; }

 private:
  Publisher& publisher_;
  RetryPolicy policy_;
};

}  // namespace queue_demo
