// Integration tests of the at-least-once consumer and its idempotent sink
// against the embedded broker (librdkafka's mock cluster on 127.0.0.1).
// They cover crashes, commits, rebalances, slow handlers, new groups, broker
// faults and stop signals. Each ends in a reconciliation of the sink's
// effects and the group's committed offsets.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "consumer_test_support.h"
#include "queue_demo/broker.h"
#include "queue_demo/consumer.h"
#include "queue_demo/sink.h"
#include "queue_demo/stop_signal.h"

namespace queue_demo {
namespace {

using namespace std::chrono_literals;
using testing::CommittedOffsets;
using testing::ConsumerWatchdog;
using testing::EffectCounts;
using testing::EffectOffsets;
using testing::HighWatermarks;
using testing::ProduceNumbered;
using testing::RunningConsumer;
using testing::TempSinkPath;
using testing::TestConsumerOptions;
using testing::WaitFor;

// Payment is the handler of the order pipeline: a record's effect is its
// key and value, written by the sink.
HandlerResult Payment(const Message& message) {
  return Effect{message.key, message.value};
}

// SlowPayment is Payment after `delay`.
MessageHandler SlowPayment(std::chrono::milliseconds delay) {
  return [delay](const Message& message) -> HandlerResult {
    std::this_thread::sleep_for(delay);
    return Payment(message);
  };
}

std::unique_ptr<EmbeddedBroker> StartBroker(const std::string& topic, int partitions) {
  BrokerResult started = EmbeddedBroker::Start(3);
  if (!started.ok()) {
    ADD_FAILURE() << "the embedded broker did not start: " << started.error().message;
    return nullptr;
  }
  std::unique_ptr<EmbeddedBroker> broker = started.release();
  BrokerError created = broker->CreateTopic(topic, partitions);
  if (!created.message.empty()) {
    ADD_FAILURE() << created.message;
    return nullptr;
  }
  return broker;
}

std::unique_ptr<SqliteSink> OpenSink(const std::string& path) {
  Result<std::unique_ptr<SqliteSink>> sink = SqliteSink::Open(path);
  if (!sink.ok()) {
    ADD_FAILURE() << sink.error().message;
    return nullptr;
  }
  return std::move(sink.value());
}

std::int64_t TotalEffects(const std::string& path) {
  std::int64_t total = 0;
  for (const auto& [value, count] : EffectCounts(path)) total += count;
  return total;
}

// ExpectEachNumberOnce checks that the sink contains exactly one effect for
// each of the numbers [0, count) and nothing else.
void ExpectEachNumberOnce(const std::string& path, int count) {
  std::map<std::string, int> counts = EffectCounts(path);
  int missing = 0;
  for (int n = 0; n < count; ++n) {
    auto it = counts.find(std::to_string(n));
    if (it == counts.end()) {
      ++missing;
      continue;
    }
    EXPECT_EQ(it->second, 1) << "number " << n << " has " << it->second
                             << " effects: a redelivery was applied twice";
  }
  EXPECT_EQ(missing, 0) << missing << " of " << count
                        << " numbers have no effect: messages were lost";
  EXPECT_EQ(counts.size(), static_cast<size_t>(count))
      << "the sink holds effects for numbers never produced";
}

// Case: a consumer killed mid-batch. The survivor takes its partitions
// over; every number has exactly one effect, because offsets were stored
// only after each effect was durable.
TEST(AtLeastOnceConsumer, CrashMidBatchLosesNothing) {
  ConsumerWatchdog watchdog(60s, "CrashMidBatchLosesNothing");
  const std::string topic = "orders";
  auto broker = StartBroker(topic, 2);
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 0, 30), "");
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 1, 30, 30), "");

  // Two consumers of one group share one sink database.
  TempSinkPath path;
  auto sink_a = OpenSink(path.path());
  auto sink_b = OpenSink(path.path());
  ASSERT_NE(sink_a, nullptr);
  ASSERT_NE(sink_b, nullptr);
  ConsumerOptions options = TestConsumerOptions(broker->bootstraps(), "payments", topic);
  RunningConsumer a(options, SlowPayment(100ms), *sink_a);
  RunningConsumer b(options, SlowPayment(100ms), *sink_b);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(b.ok()) << b.error();
  ASSERT_TRUE(WaitFor([&] { return a.consumer().Assignment().size() == 1 &&
                                   b.consumer().Assignment().size() == 1; },
                      20s))
      << "each of the two consumers must own one of the two partitions";

  // Kill consumer A mid-batch: no close, no final commit.
  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 10; }, 20s))
      << "the consumers applied fewer than 10 effects in 20 s";
  a.Crash();

  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 60; }, 30s))
      << "after the crash the survivor must finish all 60 numbers, got "
      << TotalEffects(path.path());
  ExpectEachNumberOnce(path.path(), 60);
  EXPECT_GE(b.consumer().Stats().assignments, 2)
      << "the survivor must have been assigned the crashed consumer's partition";

  EXPECT_EQ(b.StopAndJoin(), "") << "the survivor's shutdown must commit and close cleanly";
  EXPECT_EQ(CommittedOffsets(broker->bootstraps(), "payments", topic, 2),
            (std::vector<std::int64_t>{30, 30}))
      << "each partition of 30 records must end committed at 30, the next to read";
}

// Case: the committed offset is the next offset to read. After record 0
// is processed and committed, a new consumer of the group starts at 1.
TEST(AtLeastOnceConsumer, CommittedOffsetIsNextToRead) {
  ConsumerWatchdog watchdog(60s, "CommittedOffsetIsNextToRead");
  const std::string topic = "orders";
  auto broker = StartBroker(topic, 1);
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 0, 1), "");

  TempSinkPath first_path;
  auto first_sink = OpenSink(first_path.path());
  ASSERT_NE(first_sink, nullptr);
  ConsumerOptions options = TestConsumerOptions(broker->bootstraps(), "payments", topic);
  {
    RunningConsumer first(options, Payment, *first_sink);
    ASSERT_TRUE(first.ok()) << first.error();
    ASSERT_TRUE(WaitFor([&] { return TotalEffects(first_path.path()) == 1; }, 20s))
        << "the first consumer must process record 0";
    EXPECT_EQ(first.StopAndJoin(), "") << "the first consumer must commit and close cleanly";
  }
  EXPECT_EQ(CommittedOffsets(broker->bootstraps(), "payments", topic, 1),
            (std::vector<std::int64_t>{1}))
      << "after processing record 0 the committed offset must be 1, not 0";

  // A new consumer with an empty sink of its own relies on the commit alone.
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 1, 1), "");
  TempSinkPath second_path;
  auto second_sink = OpenSink(second_path.path());
  ASSERT_NE(second_sink, nullptr);
  RunningConsumer second(options, Payment, *second_sink);
  ASSERT_TRUE(second.ok()) << second.error();
  ASSERT_TRUE(WaitFor([&] { return TotalEffects(second_path.path()) >= 1; }, 20s))
      << "the second consumer must receive record 1";
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(EffectOffsets(second_path.path(), 0), (std::vector<std::int64_t>{1}))
      << "the second consumer must start at offset 1: record 0 was already committed";
}

// Case: a store for a revoked partition. Consumer A processes slowly; B
// joins and takes half the partitions while A is still processing records of them.
// A's late stores fail with a state error that it counts, and no
// partition's committed offset ever moves backwards.
TEST(AtLeastOnceConsumer, StaleStoreNeverMovesCommitBack) {
  ConsumerWatchdog watchdog(90s, "StaleStoreNeverMovesCommitBack");
  const std::string topic = "orders";
  constexpr int kPartitions = 4;
  constexpr int kPerPartition = 20;
  auto broker = StartBroker(topic, kPartitions);
  ASSERT_NE(broker, nullptr);
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, p, p * kPerPartition,
                              kPerPartition),
              "");
  }

  // Record every committed offset seen, every 50 ms.
  std::atomic<bool> watching{true};
  std::mutex history_mutex;
  std::vector<std::vector<std::int64_t>> history;
  std::thread watcher([&] {
    while (watching) {
      auto offsets = CommittedOffsets(broker->bootstraps(), "payments", topic, kPartitions);
      if (!offsets.empty()) {
        std::lock_guard<std::mutex> lock(history_mutex);
        history.push_back(offsets);
      }
      std::this_thread::sleep_for(50ms);
    }
  });

  TempSinkPath path;
  auto sink_a = OpenSink(path.path());
  auto sink_b = OpenSink(path.path());
  ASSERT_NE(sink_a, nullptr);
  ASSERT_NE(sink_b, nullptr);
  ConsumerOptions slow = TestConsumerOptions(broker->bootstraps(), "payments", topic);
  slow.revoke_drain_timeout = 50ms;  // give revoked records up quickly
  RunningConsumer a(slow, SlowPayment(400ms), *sink_a);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= kPartitions; }, 20s))
      << "consumer A must start processing all partitions";

  RunningConsumer b(TestConsumerOptions(broker->bootstraps(), "payments", topic),
                    Payment, *sink_b);
  ASSERT_TRUE(b.ok()) << b.error();
  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= kPartitions * kPerPartition; },
                      40s))
      << "the two consumers must finish all " << kPartitions * kPerPartition << " numbers";
  EXPECT_GE(a.consumer().Stats().revocations, 1) << "B's join must revoke partitions from A";
  EXPECT_GE(a.consumer().Stats().stale_stores, 1)
      << "A's records finished after the revoke must have their stores rejected";

  // Stop one consumer at a time, each in a settled group: a commit made
  // while the other is leaving can be rejected, and then only the sink
  // has the last offsets.
  EXPECT_EQ(a.StopAndJoin(), "") << "consumer A must commit and close cleanly";
  EXPECT_TRUE(WaitFor([&] { return b.consumer().Assignment().size() == kPartitions; }, 20s))
      << "consumer B must take over all partitions after A leaves";
  EXPECT_EQ(b.StopAndJoin(), "") << "consumer B must commit and close cleanly";
  watching = false;
  watcher.join();

  ExpectEachNumberOnce(path.path(), kPartitions * kPerPartition);
  for (std::size_t i = 1; i < history.size(); ++i) {
    for (int p = 0; p < kPartitions; ++p) {
      ASSERT_GE(history[i][p], history[i - 1][p])
          << "the committed offset of partition " << p << " moved backwards from "
          << history[i - 1][p] << " to " << history[i][p];
    }
  }
  EXPECT_EQ(CommittedOffsets(broker->bootstraps(), "payments", topic, kPartitions),
            std::vector<std::int64_t>(kPartitions, kPerPartition))
      << "every partition of " << kPerPartition << " records must end committed at "
      << kPerPartition;
}

// Case: a handler slower than max.poll.interval.ms. The consumer pauses
// the full partition and keeps polling: the group sees no rebalance, and
// the other partition keeps flowing.
TEST(AtLeastOnceConsumer, SlowHandlerCausesNoRebalance) {
  ConsumerWatchdog watchdog(60s, "SlowHandlerCausesNoRebalance");
  const std::string topic = "orders";
  auto broker = StartBroker(topic, 2);
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 0, 6), "");
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 1, 6, 6), "");

  // Record 0 of partition 0 takes 7 s, longer than max.poll.interval.ms.
  std::atomic<int> partition1_done_before_slow{-1};
  std::atomic<int> partition1_done{0};
  MessageHandler handler = [&](const Message& message) -> HandlerResult {
    if (message.partition == 0 && message.offset == 0) {
      std::this_thread::sleep_for(7s);
      partition1_done_before_slow = partition1_done.load();
    }
    if (message.partition == 1) ++partition1_done;
    return Payment(message);
  };
  TempSinkPath path;
  auto sink = OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  ConsumerOptions options = TestConsumerOptions(broker->bootstraps(), "payments", topic);
  options.window_per_partition = 2;
  options.resume_at = 0;
  options.kafka_config.push_back({"max.poll.interval.ms", "6000"});
  options.kafka_config.push_back({"session.timeout.ms", "6000"});
  RunningConsumer consumer(options, handler, *sink);
  ASSERT_TRUE(consumer.ok()) << consumer.error();

  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 12; }, 30s))
      << "all 12 records must be processed, got " << TotalEffects(path.path());
  ExpectEachNumberOnce(path.path(), 12);

  // The polling thread resumes a drained partition on its next poll.
  WaitFor([&] {
    ConsumerStats stats = consumer.consumer().Stats();
    return stats.resumes == stats.pauses;
  }, 2s);
  ConsumerStats stats = consumer.consumer().Stats();
  EXPECT_EQ(stats.revocations, 0) << "a slow handler must not make the group revoke partitions";
  EXPECT_EQ(stats.assignments, 1) << "the consumer must be assigned exactly once, at its join";
  EXPECT_EQ(stats.max_poll_exceeded, 0) << "polling must go on while the handler is slow";
  EXPECT_GE(stats.pauses, 1) << "partition 0 must be paused when its window (2) is full";
  EXPECT_EQ(stats.resumes, stats.pauses) << "every paused partition must be resumed";
  EXPECT_EQ(partition1_done_before_slow.load(), 6)
      << "partition 1's 6 records must all be processed while partition 0 waits";
}

// Case: a new group must not skip what was produced while it was down.
// auto.offset.reset=earliest: with no committed offset, start at the first
// record.
TEST(AtLeastOnceConsumer, NewGroupReadsFromEarliest) {
  ConsumerWatchdog watchdog(60s, "NewGroupReadsFromEarliest");
  const std::string topic = "orders";
  auto broker = StartBroker(topic, 1);
  ASSERT_NE(broker, nullptr);

  TempSinkPath path;
  auto sink = OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  ConsumerOptions options = TestConsumerOptions(broker->bootstraps(), "new-group", topic);
  {
    RunningConsumer first(options, Payment, *sink);
    ASSERT_TRUE(first.ok()) << first.error();
    ASSERT_TRUE(WaitFor([&] { return first.consumer().Stats().assignments >= 1; }, 20s))
        << "the new group must join and be assigned the partition";
    EXPECT_EQ(first.StopAndJoin(), "") << "the idle consumer must close cleanly";
  }

  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 0, 10), "");
  RunningConsumer second(options, Payment, *sink);
  ASSERT_TRUE(second.ok()) << second.error();
  WaitFor([&] { return TotalEffects(path.path()) >= 10; }, 20s);
  EXPECT_EQ(TotalEffects(path.path()), 10)
      << "all 10 records produced while the group was down must be consumed";
  ExpectEachNumberOnce(path.path(), 10);
}

// Broker faults mid-run: request errors, a broker down and up, leadership
// moves. The reconciliation finds every number once and zero lag.
TEST(AtLeastOnceConsumer, SurvivesBrokerFaults) {
  ConsumerWatchdog watchdog(120s, "SurvivesBrokerFaults");
  const std::string topic = "orders";
  constexpr int kPartitions = 4;
  auto broker = StartBroker(topic, kPartitions);
  ASSERT_NE(broker, nullptr);
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, p, p * 100, 100), "");
  }

  TempSinkPath path;
  auto sink = OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  RunningConsumer consumer(TestConsumerOptions(broker->bootstraps(), "payments", topic),
                           SlowPayment(10ms), *sink);
  ASSERT_TRUE(consumer.ok()) << consumer.error();
  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 50; }, 20s))
      << "the consumer must be processing before the faults start";

  // Fetch and offset commit requests fail a few times (Kafka error codes:
  // 6 NOT_LEADER_OR_FOLLOWER, 15 COORDINATOR_NOT_AVAILABLE).
  const int fetch_errors[] = {6, 6, 6};
  const int commit_errors[] = {15, 15, 15};
  EXPECT_EQ(broker->PushRequestErrors(1, fetch_errors, 3).message, "");
  EXPECT_EQ(broker->PushRequestErrors(8, commit_errors, 3).message, "");

  // A broker goes down and comes back while more records arrive.
  EXPECT_EQ(broker->SetBrokerDown(2).message, "");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(broker->SetBrokerUp(2).message, "");
  for (int p = 0; p < kPartitions; ++p) {
    ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, p, 400 + p * 100, 100), "");
  }

  // Leadership of two partitions moves.
  EXPECT_EQ(broker->SetLeader(topic, 0, 3).message, "");
  EXPECT_EQ(broker->SetLeader(topic, 1, 1).message, "");

  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 800; }, 60s))
      << "all 800 numbers must be processed through the faults, got "
      << TotalEffects(path.path());
  ExpectEachNumberOnce(path.path(), 800);
  EXPECT_EQ(consumer.StopAndJoin(), "") << "the consumer must commit and close cleanly";
  EXPECT_EQ(CommittedOffsets(broker->bootstraps(), "payments", topic, kPartitions),
            HighWatermarks(broker->bootstraps(), topic, kPartitions))
      << "after the run every partition's committed offset must equal its end: zero lag";
}

// A record whose handler fails is retried in its place: the records after
// it wait, so their partition (and each key) keeps its order.
TEST(AtLeastOnceConsumer, RetryKeepsPartitionOrder) {
  ConsumerWatchdog watchdog(60s, "RetryKeepsPartitionOrder");
  const std::string topic = "orders";
  auto broker = StartBroker(topic, 1);
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 0, 5), "");

  // Record 2 fails twice, then succeeds.
  std::atomic<int> failures_left{2};
  MessageHandler handler = [&](const Message& message) -> HandlerResult {
    if (message.offset == 2 && failures_left.fetch_sub(1) > 0) {
      return HandlerFailure{FailureKind::kTransient, "payment service unavailable"};
    }
    return Payment(message);
  };
  TempSinkPath path;
  auto sink = OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  ConsumerOptions options = TestConsumerOptions(broker->bootstraps(), "payments", topic);
  options.retry_backoff_initial = 50ms;
  RunningConsumer consumer(options, handler, *sink);
  ASSERT_TRUE(consumer.ok()) << consumer.error();

  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 5; }, 20s))
      << "all 5 records must be processed once record 2 succeeds";
  EXPECT_EQ(EffectOffsets(path.path(), 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4}))
      << "records 3 and 4 must wait for record 2's retries: effects in offset order";
  EXPECT_EQ(consumer.consumer().Stats().handler_failures, 2)
      << "record 2 failed exactly twice before it succeeded";
  EXPECT_EQ(consumer.StopAndJoin(), "") << "the consumer must commit and close cleanly";
  EXPECT_EQ(CommittedOffsets(broker->bootstraps(), "payments", topic, 1),
            (std::vector<std::int64_t>{5}))
      << "after 5 records the committed offset must be 5";
}

// SIGTERM: stop intake, finish in flight, commit, close, within the budget.
TEST(AtLeastOnceConsumer, SigtermShutsDownGracefully) {
  ConsumerWatchdog watchdog(60s, "SigtermShutsDownGracefully");
  const std::string topic = "orders";
  auto broker = StartBroker(topic, 1);
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(ProduceNumbered(broker->bootstraps(), topic, 0, 0, 200), "");

  // At most 8 records in flight, 50 ms each: the drain takes about 0.4 s.
  TempSinkPath path;
  auto sink = OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  ConsumerOptions options = TestConsumerOptions(broker->bootstraps(), "payments", topic);
  options.window_per_partition = 8;
  options.resume_at = 2;
  options.stop_on_signals = true;
  ClearStopSignal();
  InstallStopSignalHandlers();
  RunningConsumer consumer(options, SlowPayment(50ms), *sink);
  ASSERT_TRUE(consumer.ok()) << consumer.error();
  ASSERT_TRUE(WaitFor([&] { return TotalEffects(path.path()) >= 5; }, 20s))
      << "the consumer must be processing before the signal";

  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(std::raise(SIGTERM), 0);
  const std::string run_error = consumer.JoinRun();
  const auto stopped_after = std::chrono::steady_clock::now() - signalled;
  ClearStopSignal();

  EXPECT_EQ(run_error, "") << "shutdown after SIGTERM must commit and close cleanly";
  EXPECT_LT(stopped_after, 10s) << "shutdown must finish within its bounded time";
  const std::int64_t applied = TotalEffects(path.path());
  EXPECT_LT(applied, 200) << "SIGTERM must stop intake before all 200 records were read";
  EXPECT_EQ(CommittedOffsets(broker->bootstraps(), "payments", topic, 1),
            (std::vector<std::int64_t>{applied}))
      << "every record whose effect was applied before shutdown must be committed";
}

}  // namespace
}  // namespace queue_demo
