// DecideRetry: what happens to a message after its handler failed, from
// the first failure to the dead letter topic. Pure logic, no broker.

#include "queue_demo/retry.h"

#include <gtest/gtest.h>

namespace queue_demo {
namespace {

// The default policy: 3 handler calls in place, 1 trip through the retry
// topic, backoff 100 ms doubling up to 2000 ms.
const RetryPolicy kPolicy;

TEST(DecideRetryTest, PermanentFailureGoesToDeadLetterAtOnce) {
  const RetryDecision decision =
      DecideRetry(kPolicy, {FailureKind::kPermanent, 1, 0});
  EXPECT_EQ(decision.action, RetryAction::kSendToDeadLetter)
      << "a permanent failure (a payload that cannot be parsed) can never "
         "succeed on retry: it must go to the dead letter topic after the "
         "first attempt";
  EXPECT_EQ(decision.backoff_ms, 0)
      << "only a retry in place waits; the backoff must be 0 otherwise";
}

TEST(DecideRetryTest, FirstTransientFailureRetriesInPlace) {
  const RetryDecision decision =
      DecideRetry(kPolicy, {FailureKind::kTransient, 1, 0});
  EXPECT_EQ(decision.action, RetryAction::kRetryInPlace)
      << "after 1 of 3 attempts in place, a transient failure must be "
         "retried in place";
  EXPECT_EQ(decision.backoff_ms, 100)
      << "the wait before the 2nd attempt is initial_backoff_ms (100)";
}

TEST(DecideRetryTest, BackoffDoublesAfterEachFailedAttempt) {
  const RetryDecision decision =
      DecideRetry(kPolicy, {FailureKind::kTransient, 2, 0});
  EXPECT_EQ(decision.action, RetryAction::kRetryInPlace)
      << "after 2 of 3 attempts in place, one attempt is left";
  EXPECT_EQ(decision.backoff_ms, 200)
      << "the wait before the 3rd attempt is twice the first (100 -> 200 ms)";
}

TEST(DecideRetryTest, LastAttemptInPlaceGoesToRetryTopic) {
  const RetryDecision decision =
      DecideRetry(kPolicy, {FailureKind::kTransient, 3, 0});
  EXPECT_EQ(decision.action, RetryAction::kSendToRetryTopic)
      << "after 3 of 3 attempts in place, with 0 of 1 retry rounds used, the "
         "message must leave the partition through the retry topic, not be "
         "tried a 4th time in place";
  EXPECT_EQ(decision.backoff_ms, 0)
      << "only a retry in place waits; the backoff must be 0 otherwise";
}

TEST(DecideRetryTest, RetryRoundsUsedUpGoToDeadLetter) {
  const RetryDecision decision =
      DecideRetry(kPolicy, {FailureKind::kTransient, 3, 1});
  EXPECT_EQ(decision.action, RetryAction::kSendToDeadLetter)
      << "a message that already made its 1 trip through the retry topic "
         "and failed 3 more times must go to the dead letter topic";
}

TEST(DecideRetryTest, RetryRoundsLeftStillRetryInPlaceFirst) {
  const RetryDecision decision =
      DecideRetry(kPolicy, {FailureKind::kTransient, 1, 1});
  EXPECT_EQ(decision.action, RetryAction::kRetryInPlace)
      << "a message read from the retry topic still gets its attempts in "
         "place (1 of 3 used)";
}

TEST(DecideRetryTest, NoRetryTopicMeansDeadLetterAfterAttempts) {
  RetryPolicy policy;
  policy.retry_topic_rounds = 0;
  const RetryDecision decision =
      DecideRetry(policy, {FailureKind::kTransient, 3, 0});
  EXPECT_EQ(decision.action, RetryAction::kSendToDeadLetter)
      << "with retry_topic_rounds 0 the message goes straight to the dead "
         "letter topic after its 3 attempts in place";
}

TEST(DecideRetryTest, OneAttemptInPlaceLeavesAfterFirstFailure) {
  RetryPolicy policy;
  policy.attempts_in_place = 1;
  const RetryDecision decision =
      DecideRetry(policy, {FailureKind::kTransient, 1, 0});
  EXPECT_EQ(decision.action, RetryAction::kSendToRetryTopic)
      << "with attempts_in_place 1 the first failure already used every "
         "attempt: the message goes to the retry topic";
}

TEST(DecideRetryTest, BackoffIsCappedAtMax) {
  RetryPolicy policy;
  policy.attempts_in_place = 10;
  policy.initial_backoff_ms = 100;
  policy.max_backoff_ms = 250;
  EXPECT_EQ(DecideRetry(policy, {FailureKind::kTransient, 2, 0}).backoff_ms, 200)
      << "below the cap the backoff doubles: 100 then 200 ms";
  EXPECT_EQ(DecideRetry(policy, {FailureKind::kTransient, 3, 0}).backoff_ms, 250)
      << "400 ms is above max_backoff_ms, so the wait is the cap, 250 ms";
  EXPECT_EQ(DecideRetry(policy, {FailureKind::kTransient, 9, 0}).backoff_ms, 250)
      << "the backoff stays at the cap, 250 ms, for every later attempt";
}

TEST(DecideRetryTest, ManyAttemptsDoNotOverflowBackoff) {
  RetryPolicy policy;
  policy.attempts_in_place = 1000;
  policy.initial_backoff_ms = 1;
  policy.max_backoff_ms = 60000;
  const RetryDecision decision =
      DecideRetry(policy, {FailureKind::kTransient, 999, 0});
  EXPECT_EQ(decision.action, RetryAction::kRetryInPlace)
      << "999 of 1000 attempts used: one is left";
  EXPECT_EQ(decision.backoff_ms, 60000)
      << "after 999 doublings the backoff must be the cap (60000 ms), not an "
         "overflowed or negative number";
}

TEST(DecideRetryTest, ZeroInitialBackoffRetriesAtOnce) {
  RetryPolicy policy;
  policy.initial_backoff_ms = 0;
  EXPECT_EQ(DecideRetry(policy, {FailureKind::kTransient, 2, 0}).backoff_ms, 0)
      << "a policy with initial_backoff_ms 0 retries without waiting";
}

}  // namespace
}  // namespace queue_demo
