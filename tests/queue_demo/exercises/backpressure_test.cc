// Backpressure exercise: FlowControl, step by step.
//
// The unit tests dispatch and finish messages on two partitions and check
// exactly when FlowControl returns "pause now" and "resume now". The last
// test runs the learner's FlowControl inside the real consumer against the
// embedded broker, with a window of 4 messages and a slow handler: the
// partition must pause and resume several times and still deliver every
// record in order.

#include "queue_demo/backpressure.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"

namespace queue_demo {
namespace {

const TopicPartition kP0{"orders", 0};
const TopicPartition kP1{"orders", 1};

TEST(BackpressureExercise, PausesExactlyAtWindow) {
  FlowControl flow(/*window=*/3, /*resume_at=*/1);
  EXPECT_FALSE(flow.OnDispatched(kP0)) << "1 of 3 in flight: keep fetching orders[0]";
  EXPECT_FALSE(flow.OnDispatched(kP0)) << "2 of 3 in flight: keep fetching orders[0]";
  EXPECT_TRUE(flow.OnDispatched(kP0)) << "3 of 3 in flight: pause orders[0] now";
  EXPECT_TRUE(flow.IsPaused(kP0)) << "orders[0] must be paused at its window";
  EXPECT_EQ(flow.InFlight(kP0), 3) << "3 messages of orders[0] are in flight";
}

TEST(BackpressureExercise, PausesOnce) {
  FlowControl flow(2, 0);
  flow.OnDispatched(kP0);
  ASSERT_TRUE(flow.OnDispatched(kP0)) << "2 of 2 in flight: pause orders[0]";
  EXPECT_FALSE(flow.OnDispatched(kP0))
      << "a message already fetched can still arrive after the pause (3 in "
         "flight): orders[0] is paused already, so do not pause it again";
  EXPECT_EQ(flow.InFlight(kP0), 3) << "the late message still counts: 3 in flight";
}

TEST(BackpressureExercise, PausesOnlyFullPartition) {
  FlowControl flow(2, 0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP0);
  EXPECT_FALSE(flow.OnDispatched(kP1)) << "orders[1] holds 1 of 2: it keeps flowing";
  EXPECT_FALSE(flow.IsPaused(kP1)) << "only the full partition, orders[0], is paused";
  EXPECT_EQ(flow.InFlight(kP1), 1) << "partitions are counted separately";
}

TEST(BackpressureExercise, ResumesAtResumeThreshold) {
  FlowControl flow(4, 1);
  for (int i = 0; i < 4; ++i) flow.OnDispatched(kP0);
  EXPECT_FALSE(flow.OnFinished(kP0)) << "3 in flight, resume_at 1: stay paused";
  EXPECT_FALSE(flow.OnFinished(kP0)) << "2 in flight, resume_at 1: stay paused";
  EXPECT_TRUE(flow.OnFinished(kP0)) << "1 in flight, resume_at 1: resume orders[0] now";
  EXPECT_FALSE(flow.IsPaused(kP0)) << "orders[0] is flowing again";
  EXPECT_FALSE(flow.OnFinished(kP0)) << "0 in flight, already resumed: do not resume again";
  EXPECT_EQ(flow.InFlight(kP0), 0) << "4 dispatched, 4 finished";
}

TEST(BackpressureExercise, ResumesWhenEmptyWithZeroThreshold) {
  FlowControl flow(2, 0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP0);
  EXPECT_FALSE(flow.OnFinished(kP0)) << "1 in flight, resume_at 0: stay paused";
  EXPECT_TRUE(flow.OnFinished(kP0))
      << "0 in flight, resume_at 0: resume orders[0], or it stays paused forever";
}

TEST(BackpressureExercise, ResumesOnlyPausedPartition) {
  FlowControl flow(2, 0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP1);
  EXPECT_FALSE(flow.OnFinished(kP1))
      << "orders[1] was never paused: finishing its message must not resume it";
  EXPECT_TRUE(flow.IsPaused(kP0)) << "orders[0] stays paused while it is full";
}

TEST(BackpressureExercise, ForgetDropsRevokedPartition) {
  FlowControl flow(1, 0);
  flow.OnDispatched(kP0);
  EXPECT_TRUE(flow.Forget(kP0))
      << "a revoked partition that was paused must be reported, so the "
         "consumer resumes it before giving it up";
  EXPECT_FALSE(flow.IsPaused(kP0)) << "a forgotten partition has no state";
  EXPECT_EQ(flow.InFlight(kP0), 0) << "a forgotten partition has nothing in flight";
  EXPECT_FALSE(flow.OnFinished(kP0))
      << "a message of the revoked partition finishing late resumes nothing";
  EXPECT_FALSE(flow.Forget(kP1)) << "forgetting an unknown partition reports not paused";
}

// The learner's FlowControl inside the consumer: a window of 4, resume when
// empty, a handler that takes 20 ms per record. Each pause drops the
// records librdkafka prefetched, and each resume fetches again, which takes
// up to about a second on the embedded broker, so the test stays short.
TEST(BackpressureExercise, SlowHandlerPausesAndResumes) {
  ASSERT_TRUE(exercise::Implemented([] {
    FlowControl probe(1, 0);
    probe.OnDispatched(kP0);
    probe.OnFinished(kP0);
    probe.Forget(kP0);
  }));
  using namespace std::chrono_literals;
  testing::ConsumerWatchdog watchdog(25s, "BackpressureExercise.SlowHandlerPausesAndResumes");
  auto broker = exercise::StartBroker({{"orders", 1}});
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(testing::ProduceNumbered(broker->bootstraps(), "orders", 0, 0, 16), "");

  testing::TempSinkPath path;
  auto sink = exercise::OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  ConsumerOptions options = testing::TestConsumerOptions(broker->bootstraps(), "payments", "orders");
  options.window_per_partition = 4;
  options.resume_at = 0;
  testing::RunningConsumer consumer(options, exercise::SlowPayment(20ms), *sink);
  ASSERT_TRUE(consumer.ok()) << consumer.error();

  EXPECT_TRUE(testing::WaitFor([&] { return exercise::TotalEffects(path.path()) >= 16; }, 14s))
      << "all 16 records must be applied within 14 s; applied "
      << exercise::TotalEffects(path.path()) << ", paused "
      << consumer.consumer().Stats().pauses << " times, resumed "
      << consumer.consumer().Stats().resumes << " times: a paused partition "
      << "that is never resumed stops the consumer";
  testing::WaitFor([&] {
    const ConsumerStats stats = consumer.consumer().Stats();
    return stats.pauses == stats.resumes;
  }, 2s);
  const ConsumerStats stats = consumer.consumer().Stats();
  EXPECT_EQ(consumer.StopAndJoin(), "");

  EXPECT_GE(stats.pauses, 2) << "16 records through a window of 4 must pause orders[0] repeatedly";
  EXPECT_EQ(stats.resumes, stats.pauses)
      << "every pause of orders[0] must be followed by exactly one resume once it drains";
  EXPECT_EQ(stats.max_poll_exceeded, 0)
      << "a paused consumer keeps polling, so the group never sees it stuck";
  std::vector<std::int64_t> expected;
  for (int offset = 0; offset < 16; ++offset) expected.push_back(offset);
  EXPECT_EQ(testing::EffectOffsets(path.path(), 0), expected)
      << "every record of orders[0] must be applied once, in offset order, "
         "through all the pauses and resumes";
}

}  // namespace
}  // namespace queue_demo
