// Retry decision exercise: DecideRetry, step by step.
//
// The unit tests walk a failing message through the default policy (3
// handler calls in place, 1 round through the retry topic) and check each
// decision and backoff. The last test runs the learner's DecideRetry inside
// the real consumer and failure router against the embedded broker: a
// poison record between good ones must reach the dead letter topic after
// exactly the allowed attempts, without stalling its partition.

#include "queue_demo/retry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"
#include "queue_demo/failure_router.h"

namespace queue_demo {
namespace {

std::string ActionName(RetryAction action) {
  switch (action) {
    case RetryAction::kRetryInPlace: return "kRetryInPlace";
    case RetryAction::kSendToRetryTopic: return "kSendToRetryTopic";
    case RetryAction::kSendToDeadLetter: return "kSendToDeadLetter";
  }
  return "unknown";
}

RetryDecision Decide(FailureKind kind, int attempt, int retry_rounds) {
  return DecideRetry(RetryPolicy{}, FailureState{kind, attempt, retry_rounds});
}

TEST(RetryDecisionExercise, TransientRetriesInPlaceFirst) {
  const RetryDecision first = Decide(FailureKind::kTransient, 1, 0);
  EXPECT_EQ(ActionName(first.action), "kRetryInPlace")
      << "a transient failure on attempt 1 of 3 is retried in place";
  EXPECT_EQ(first.backoff_ms, 100) << "the wait before the 2nd call is initial_backoff_ms (100)";

  const RetryDecision second = Decide(FailureKind::kTransient, 2, 0);
  EXPECT_EQ(ActionName(second.action), "kRetryInPlace")
      << "a transient failure on attempt 2 of 3 is retried in place";
  EXPECT_EQ(second.backoff_ms, 200)
      << "the backoff doubles after each failed attempt: 100 ms, then 200 ms";
}

TEST(RetryDecisionExercise, LeavesPartitionAfterLastAttempt) {
  EXPECT_EQ(ActionName(Decide(FailureKind::kTransient, 3, 0).action), "kSendToRetryTopic")
      << "attempt 3 of 3 failed on the original topic: send it to <topic>.retry "
         "so the partition moves on; a 4th call in place is one too many";
  EXPECT_EQ(Decide(FailureKind::kTransient, 3, 0).backoff_ms, 0)
      << "backoff_ms is 0 for every action but kRetryInPlace";
}

TEST(RetryDecisionExercise, DeadLetterAfterRetryRounds) {
  EXPECT_EQ(ActionName(Decide(FailureKind::kTransient, 1, 1).action), "kRetryInPlace")
      << "a message read from the retry topic gets its attempts in place again";
  EXPECT_EQ(ActionName(Decide(FailureKind::kTransient, 3, 1).action), "kSendToDeadLetter")
      << "the policy allows 1 retry round and this message already made it: "
         "after its last attempt it goes to the dead letter topic";
  EXPECT_EQ(ActionName(Decide(FailureKind::kTransient, 3, 5).action), "kSendToDeadLetter")
      << "more rounds than allowed (5 of 1): dead letter";
}

TEST(RetryDecisionExercise, PermanentGoesStraightToDeadLetter) {
  for (int attempt : {1, 2, 3}) {
    const RetryDecision decision = Decide(FailureKind::kPermanent, attempt, 0);
    EXPECT_EQ(ActionName(decision.action), "kSendToDeadLetter")
        << "a permanent failure (a malformed payload) can never succeed: attempt "
        << attempt << " must send it to the dead letter topic at once";
    EXPECT_EQ(decision.backoff_ms, 0) << "no backoff for a dead letter, attempt " << attempt;
  }
}

TEST(RetryDecisionExercise, BackoffIsCapped) {
  RetryPolicy policy;
  policy.attempts_in_place = 10;
  policy.initial_backoff_ms = 100;
  policy.max_backoff_ms = 1000;
  const std::vector<std::int64_t> expected = {100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000};
  for (int attempt = 1; attempt <= 9; ++attempt) {
    const RetryDecision decision =
        DecideRetry(policy, FailureState{FailureKind::kTransient, attempt, 0});
    EXPECT_EQ(ActionName(decision.action), "kRetryInPlace")
        << "attempt " << attempt << " of 10 is retried in place";
    EXPECT_EQ(decision.backoff_ms, expected[attempt - 1])
        << "after failed attempt " << attempt
        << " the backoff is 100 ms doubled per attempt, capped at max_backoff_ms (1000)";
  }
}

TEST(RetryDecisionExercise, NoRetryTopicRounds) {
  RetryPolicy policy;
  policy.attempts_in_place = 1;
  policy.retry_topic_rounds = 0;
  const RetryDecision decision =
      DecideRetry(policy, FailureState{FailureKind::kTransient, 1, 0});
  EXPECT_EQ(ActionName(decision.action), "kSendToDeadLetter")
      << "with 1 attempt in place and 0 retry rounds, the first failure goes "
         "to the dead letter topic";
}

// The learner's DecideRetry inside the consumer: 3 attempts in place, no
// retry round, a transient failure on the poison record at offset 5.
TEST(RetryDecisionExercise, PoisonRecordDoesNotStallPartition) {
  ASSERT_TRUE(exercise::Implemented([] { (void)Decide(FailureKind::kTransient, 1, 0); }));
  using namespace std::chrono_literals;
  testing::ConsumerWatchdog watchdog(25s, "RetryDecisionExercise.PoisonRecordDoesNotStallPartition");
  RetryPolicy policy;
  policy.attempts_in_place = 3;
  policy.retry_topic_rounds = 0;
  policy.initial_backoff_ms = 10;
  policy.max_backoff_ms = 40;

  const exercise::PoisonRun run =
      exercise::RunPoisonPartition(policy, FailureKind::kTransient, false);

  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.poison_calls, 3)
      << "the policy allows 3 handler calls in place for the poison record";
  EXPECT_EQ(run.good_offsets, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10}))
      << "the 10 good records around the poison record (offset 5) must all be "
         "applied, in offset order: the poison record must not stall its partition";
  ASSERT_EQ(run.dead_letters.size(), 1u)
      << "the poison record must reach orders.dlt exactly once";
  EXPECT_EQ(FindHeader(run.dead_letters[0].headers, kAttemptsHeader).value_or("<none>"), "3")
      << "the dead letter's x-attempts header must count the 3 handler calls";
  EXPECT_EQ(run.committed, (std::vector<std::int64_t>{11}))
      << "after the dead letter is delivered its offset is committed too: the "
         "group's committed offset of orders[0] must be 11";
}

}  // namespace
}  // namespace queue_demo
