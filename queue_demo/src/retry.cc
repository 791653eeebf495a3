#include "queue_demo/retry.h"

#include <algorithm>

namespace queue_demo {

RetryDecision DecideRetry(const RetryPolicy& policy, const FailureState& state) {
  // Trying a message that can never succeed again only delays the partition.
  if (state.kind == FailureKind::kPermanent) {
    return {RetryAction::kSendToDeadLetter, 0};
  }

  // Retry in place with exponential backoff: initial, 2x, 4x, ... capped.
  if (state.attempt < policy.attempts_in_place) {
    std::int64_t backoff = policy.initial_backoff_ms;
    for (int i = 1; i < state.attempt && backoff < policy.max_backoff_ms; ++i) {
      backoff *= 2;
    }
    return {RetryAction::kRetryInPlace, std::min(backoff, policy.max_backoff_ms)};
  }

  // Out of attempts here: leave the partition, through the retry topic while
  // rounds remain.
  if (state.retry_rounds < policy.retry_topic_rounds) {
    return {RetryAction::kSendToRetryTopic, 0};
  }
  return {RetryAction::kSendToDeadLetter, 0};
}

}  // namespace queue_demo
