// Dead letter copy exercise: ForwardedCopy, step by step.
//
// The unit tests build the copy of a failed record for the retry topic and
// for the dead letter topic, on a first round and on a second, and check
// every routing header. The last test runs the learner's ForwardedCopy
// inside the real consumer against the embedded broker: a poison record
// goes through orders.retry to orders.dlt, and its headers must still name
// where it was first read and count every attempt.

#include "queue_demo/failure_router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"

namespace queue_demo {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Message Poison() {
  Message message;
  message.topic = "orders";
  message.partition = 2;
  message.offset = 17;
  message.key = "customer-9";
  message.value = "{\"order\":\"o-1\"}";
  message.headers = {{"trace-id", "t-42"}};
  return message;
}

std::string Header(const OutgoingMessage& copy, std::string_view name) {
  return FindHeader(copy.headers, name).value_or("<missing>");
}

int CountHeaders(const OutgoingMessage& copy, std::string_view name) {
  int count = 0;
  for (const auto& header : copy.headers) count += header.first == name ? 1 : 0;
  return count;
}

const HandlerFailure kTimeout{FailureKind::kTransient, "payment gateway timed out"};
const HandlerFailure kMalformed{FailureKind::kPermanent, "invalid JSON at byte 3"};

TEST(DeadLetterCopyExercise, RetryTopicCopyOnFirstRound) {
  const OutgoingMessage copy =
      ForwardedCopy(Poison(), kTimeout, 3, RetryAction::kSendToRetryTopic);

  EXPECT_EQ(copy.topic, "orders.retry") << "kSendToRetryTopic publishes to <topic>.retry";
  EXPECT_EQ(copy.key, "customer-9") << "the key is unchanged, so per-key order holds";
  EXPECT_EQ(copy.value, "{\"order\":\"o-1\"}") << "the value is unchanged";
  EXPECT_EQ(Header(copy, kReasonHeader), "payment gateway timed out")
      << "x-failure-reason carries the handler's reason";
  EXPECT_EQ(Header(copy, kFailureKindHeader), "transient")
      << "x-failure-kind is \"transient\" or \"permanent\"";
  EXPECT_EQ(Header(copy, kAttemptsHeader), "3") << "3 handler calls failed so far";
  EXPECT_EQ(Header(copy, kRetryRoundsHeader), "1")
      << "this copy is the message's first trip through the retry topic";
  EXPECT_EQ(Header(copy, kOriginalTopicHeader), "orders") << "first read from orders";
  EXPECT_EQ(Header(copy, kOriginalPartitionHeader), "2") << "first read from partition 2";
  EXPECT_EQ(Header(copy, kOriginalOffsetHeader), "17") << "first read at offset 17";
  EXPECT_EQ(Header(copy, "trace-id"), "t-42") << "the producer's own headers are kept";
}

TEST(DeadLetterCopyExercise, DeadLetterCopyOfPermanentFailure) {
  const OutgoingMessage copy =
      ForwardedCopy(Poison(), kMalformed, 1, RetryAction::kSendToDeadLetter);

  EXPECT_EQ(copy.topic, "orders.dlt") << "kSendToDeadLetter publishes to <topic>.dlt";
  EXPECT_EQ(Header(copy, kFailureKindHeader), "permanent") << "the failure was permanent";
  EXPECT_EQ(Header(copy, kAttemptsHeader), "1") << "one handler call";
  EXPECT_EQ(Header(copy, kRetryRoundsHeader), "0")
      << "a dead letter straight from orders made no trip through the retry topic";
  EXPECT_EQ(Header(copy, kReasonHeader), "invalid JSON at byte 3") << "the handler's reason";
}

// SecondRound is the copy the consumer read back from orders.retry: the
// first round's headers, at the retry topic's own partition and offset.
Message SecondRound() {
  Message message = Poison();
  message.topic = "orders.retry";
  message.partition = 0;
  message.offset = 4;
  message.headers = ForwardedCopy(Poison(), kTimeout, 3, RetryAction::kSendToRetryTopic).headers;
  return message;
}

TEST(DeadLetterCopyExercise, SecondRoundKeepsOrigin) {
  const OutgoingMessage copy =
      ForwardedCopy(SecondRound(), kTimeout, 3, RetryAction::kSendToDeadLetter);

  EXPECT_EQ(copy.topic, "orders.dlt")
      << "the dead letter topic is named after the original topic, not orders.retry.dlt";
  EXPECT_EQ(Header(copy, kOriginalTopicHeader), "orders")
      << "the origin stays where the message was first read";
  EXPECT_EQ(Header(copy, kOriginalPartitionHeader), "2")
      << "the origin's partition (2), not the retry topic's (0)";
  EXPECT_EQ(Header(copy, kOriginalOffsetHeader), "17")
      << "the origin's offset (17), not the retry topic's (4)";
  EXPECT_EQ(Header(copy, kAttemptsHeader), "6")
      << "x-attempts counts every round: 3 before the retry topic plus 3 after it";
  EXPECT_EQ(Header(copy, kRetryRoundsHeader), "1")
      << "a dead letter adds no retry round: the message made 1 trip";
  EXPECT_EQ(Header(copy, "trace-id"), "t-42") << "the producer's own headers are kept";
}

TEST(DeadLetterCopyExercise, RoutingHeadersAreReplaced) {
  const OutgoingMessage copy =
      ForwardedCopy(SecondRound(), kTimeout, 3, RetryAction::kSendToDeadLetter);

  for (std::string_view name : {kReasonHeader, kFailureKindHeader, kAttemptsHeader,
                                kRetryRoundsHeader, kOriginalTopicHeader,
                                kOriginalPartitionHeader, kOriginalOffsetHeader}) {
    EXPECT_EQ(CountHeaders(copy, name), 1)
        << "the copy must carry exactly one " << name
        << " header: replace the previous round's, do not append a second";
  }
  EXPECT_EQ(CountHeaders(copy, "trace-id"), 1) << "the producer's header appears once";
}

TEST(DeadLetterCopyExercise, SecondRetryRoundCounts) {
  const OutgoingMessage copy =
      ForwardedCopy(SecondRound(), kTimeout, 2, RetryAction::kSendToRetryTopic);

  EXPECT_EQ(copy.topic, "orders.retry") << "another trip through the original topic's retry topic";
  EXPECT_EQ(Header(copy, kRetryRoundsHeader), "2") << "the second trip through the retry topic";
  EXPECT_EQ(Header(copy, kAttemptsHeader), "5") << "3 attempts before, 2 in this round";
}

// The learner's ForwardedCopy inside the consumer: 2 attempts in place and
// 1 retry round, so the poison record at orders[0]@5 goes to orders.retry
// and, after 2 more attempts there, to orders.dlt.
TEST(DeadLetterCopyExercise, PoisonRecordReachesDeadLetterTopic) {
  ASSERT_TRUE(exercise::Implemented(
      [] { (void)ForwardedCopy(Poison(), kTimeout, 1, RetryAction::kSendToDeadLetter); }));
  using namespace std::chrono_literals;
  testing::ConsumerWatchdog watchdog(25s, "DeadLetterCopyExercise.PoisonRecordReachesDeadLetterTopic");
  RetryPolicy policy;
  policy.attempts_in_place = 2;
  policy.retry_topic_rounds = 1;
  policy.initial_backoff_ms = 10;
  policy.max_backoff_ms = 20;

  const exercise::PoisonRun run =
      exercise::RunPoisonPartition(policy, FailureKind::kTransient, true);

  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.good_offsets, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10}))
      << "the 10 good records must be applied in order around the poison record";
  ASSERT_EQ(run.dead_letters.size(), 1u)
      << "the poison record must reach orders.dlt once, after its round through orders.retry";
  const Headers& headers = run.dead_letters[0].headers;
  EXPECT_EQ(FindHeader(headers, kAttemptsHeader).value_or("<missing>"), "4")
      << "2 attempts on orders plus 2 on orders.retry";
  EXPECT_EQ(FindHeader(headers, kRetryRoundsHeader).value_or("<missing>"), "1")
      << "one trip through orders.retry";
  EXPECT_EQ(FindHeader(headers, kOriginalTopicHeader).value_or("<missing>"), "orders")
      << "the origin is orders, not orders.retry";
  EXPECT_EQ(FindHeader(headers, kOriginalOffsetHeader).value_or("<missing>"), "5")
      << "the origin is offset 5 of orders, not the retry topic's offset";
  EXPECT_EQ(FindHeader(headers, kReasonHeader).value_or("<missing>"),
            "card declined for key-poison")
      << "the dead letter carries the handler's reason";
  EXPECT_EQ(FindHeader(headers, "trace-id").value_or("<missing>"), "t-42")
      << "the producer's own header survives both trips";
}

}  // namespace
}  // namespace queue_demo
