// Graceful shutdown exercise: RunGracefulShutdown, step by step.
//
// The unit tests hand RunGracefulShutdown fake steps that record the order
// and the drain deadline. The last test stops a real consumer mid-stream
// against the embedded broker, with automatic commits too rare to help:
// the offsets committed during the shutdown must let a restarted consumer
// continue exactly where the first one stopped. (The consumer's close also
// revokes its partitions, and that revoke commits too, so the unit tests,
// not this one, pin down the final commit itself.)

#include "queue_demo/shutdown.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"

namespace queue_demo {
namespace {

using namespace std::chrono_literals;
using Steps = std::vector<std::string>;

// FakeSteps records each step, and the deadline it was given to wait until.
class FakeSteps : public ShutdownSteps {
 public:
  void StopIntake() override { steps.push_back("stop intake"); }
  bool WaitForInFlight(std::chrono::steady_clock::time_point deadline) override {
    steps.push_back("wait for in-flight");
    waited_until = deadline;
    return drains;
  }
  void DropQueued() override { steps.push_back("drop queued"); }
  Status Commit() override {
    steps.push_back("commit");
    if (commit_fails) return Error{ErrorCode::kKafka, "Broker: Coordinator not available"};
    return {};
  }
  Status Close() override {
    steps.push_back("close");
    return {};
  }

  bool drains = true;
  bool commit_fails = false;
  std::chrono::steady_clock::time_point waited_until;
  Steps steps;
};

TEST(GracefulShutdownExercise, DrainsThenCommitsThenCloses) {
  FakeSteps steps;
  const ShutdownReport report = RunGracefulShutdown(steps, 500ms);

  EXPECT_TRUE(report.drained) << "every in-flight message finished before the deadline";
  EXPECT_EQ(steps.steps, (Steps{"stop intake", "wait for in-flight", "commit", "close"}))
      << "stop taking messages, let the workers finish, commit what they "
         "stored, then close; closing first leaves nothing to commit to";
  EXPECT_TRUE(report.commit.ok()) << "the report carries the commit's status";
  EXPECT_TRUE(report.close.ok()) << "the report carries the close's status";
}

TEST(GracefulShutdownExercise, DeadlineIsBudgetFromStart) {
  FakeSteps steps;
  const auto before = std::chrono::steady_clock::now();
  (void)RunGracefulShutdown(steps, 500ms);
  const auto after = std::chrono::steady_clock::now();

  EXPECT_GE(steps.waited_until, before + 500ms)
      << "the workers get the whole drain budget (500 ms) from the start of the shutdown";
  EXPECT_LE(steps.waited_until, after + 500ms)
      << "the drain deadline must be the budget (500 ms) from the start, not "
         "later and not unbounded: one stuck handler must not block shutdown";
}

TEST(GracefulShutdownExercise, DropsLeftoversAfterDeadline) {
  FakeSteps steps;
  steps.drains = false;
  const ShutdownReport report = RunGracefulShutdown(steps, 500ms);

  EXPECT_FALSE(report.drained) << "the workers did not finish in time, so drained is false";
  EXPECT_EQ(steps.steps,
            (Steps{"stop intake", "wait for in-flight", "drop queued", "commit", "close"}))
      << "after the deadline drop the unstarted messages (they are delivered "
         "again later), then still commit what finished, and close";
}

TEST(GracefulShutdownExercise, FailedCommitStillCloses) {
  FakeSteps steps;
  steps.commit_fails = true;
  const ShutdownReport report = RunGracefulShutdown(steps, 500ms);

  ASSERT_FALSE(report.commit.ok()) << "the report must carry the failed commit";
  EXPECT_EQ(report.commit.error().message, "Broker: Coordinator not available")
      << "the commit's own error";
  EXPECT_EQ(steps.steps.back(), "close")
      << "close even after a failed commit, so the group rebalances at once";
}

std::map<std::string, int> Merge(const std::map<std::string, int>& a,
                                 const std::map<std::string, int>& b) {
  std::map<std::string, int> merged = a;
  for (const auto& [value, count] : b) merged[value] += count;
  return merged;
}

// A consumer stopped mid-stream, then a fresh one in the same group with an
// empty sink of its own: it relies on the committed offset alone.
TEST(GracefulShutdownExercise, RestartContinuesAfterStop) {
  ASSERT_TRUE(exercise::Implemented([] {
    FakeSteps probe;
    (void)RunGracefulShutdown(probe, 1ms);
  }));
  testing::ConsumerWatchdog watchdog(25s, "GracefulShutdownExercise.RestartContinuesAfterStop");
  auto broker = exercise::StartBroker({{"orders", 1}});
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(testing::ProduceNumbered(broker->bootstraps(), "orders", 0, 0, 20), "");

  ConsumerOptions options = testing::TestConsumerOptions(broker->bootstraps(), "payments", "orders");
  options.kafka_config.push_back({"auto.commit.interval.ms", "600000"});
  options.shutdown_drain_timeout = 3000ms;

  testing::TempSinkPath first_path;
  auto first_sink = exercise::OpenSink(first_path.path());
  ASSERT_NE(first_sink, nullptr);
  {
    testing::RunningConsumer first(options, exercise::SlowPayment(50ms), *first_sink);
    ASSERT_TRUE(first.ok()) << first.error();
    ASSERT_TRUE(testing::WaitFor([&] { return exercise::TotalEffects(first_path.path()) >= 5; }, 10s))
        << "the first consumer must apply 5 records within 10 s";
    const auto stop_started = std::chrono::steady_clock::now();
    EXPECT_EQ(first.StopAndJoin(), "") << "the shutdown must commit and close cleanly";
    EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 6s)
        << "a shutdown with a 3 s drain budget must finish within 6 s";
  }
  const std::int64_t applied = exercise::TotalEffects(first_path.path());
  EXPECT_EQ(testing::CommittedOffsets(broker->bootstraps(), "payments", "orders", 1),
            (std::vector<std::int64_t>{applied}))
      << "the first consumer applied records 0.." << applied - 1
      << ", so its final commit must leave the group at offset " << applied;

  testing::TempSinkPath second_path;
  auto second_sink = exercise::OpenSink(second_path.path());
  ASSERT_NE(second_sink, nullptr);
  testing::RunningConsumer second(options, exercise::Payment, *second_sink);
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_TRUE(testing::WaitFor(
      [&] { return applied + exercise::TotalEffects(second_path.path()) >= 20; }, 10s))
      << "the restarted consumer must apply the remaining " << 20 - applied << " records";
  EXPECT_EQ(second.StopAndJoin(), "");

  const std::map<std::string, int> counts =
      Merge(testing::EffectCounts(first_path.path()), testing::EffectCounts(second_path.path()));
  for (int n = 0; n < 20; ++n) {
    const auto it = counts.find(std::to_string(n));
    EXPECT_EQ(it == counts.end() ? 0 : it->second, 1)
        << "record " << n << " must be applied exactly once across the stop "
        << "and the restart: 0 means lost, 2 means the shutdown committed too little";
  }
}

}  // namespace
}  // namespace queue_demo
