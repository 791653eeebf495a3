// Rebalance exercise: HandleRebalance, step by step.
//
// The unit tests hand HandleRebalance a fake consumer that records each
// action, so the order of the steps and the offsets passed are checked
// exactly. The last test runs the learner's HandleRebalance inside two real
// consumers of one group against the embedded broker: the second consumer
// joins mid-stream, the first gives up a partition, and every record must
// still be applied exactly once and committed.

#include "queue_demo/rebalance.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"

namespace queue_demo {
namespace {

using Steps = std::vector<std::string>;

// FakeConsumer records each action in `steps` and returns scripted results.
class FakeConsumer : public RebalanceActions {
 public:
  Result<std::vector<TopicPartition>> Committed(
      const std::vector<TopicPartition>& partitions) override {
    steps.push_back("committed");
    if (committed_fails) return Error{ErrorCode::kKafka, "Broker: Coordinator not available"};
    std::vector<TopicPartition> result = partitions;
    for (TopicPartition& tp : result) tp.offset = committed.at(tp.partition);
    return result;
  }
  Result<std::int64_t> SinkNextOffset(const TopicPartition& partition) override {
    return sink_next.at(partition.partition);
  }
  Status Assign(const std::vector<TopicPartition>& partitions) override {
    steps.push_back("assign");
    assigned = partitions;
    return {};
  }
  bool AssignmentLost() override { return lost; }
  void StopWork(const std::vector<TopicPartition>&) override { steps.push_back("stop work"); }
  bool WaitForInFlight(const std::vector<TopicPartition>&) override {
    steps.push_back("wait for in-flight");
    return true;
  }
  Status Commit(const std::vector<TopicPartition>&) override {
    steps.push_back("commit");
    if (commit_fails) return Error{ErrorCode::kKafka, "Broker: Rebalance in progress"};
    return {};
  }
  Status Unassign(const std::vector<TopicPartition>& partitions) override {
    steps.push_back("unassign");
    unassigned = partitions;
    return {};
  }

  std::vector<std::int64_t> committed;
  std::vector<std::int64_t> sink_next;
  bool committed_fails = false;
  bool commit_fails = false;
  bool lost = false;
  Steps steps;
  std::vector<TopicPartition> assigned;
  std::vector<TopicPartition> unassigned;
};

const std::vector<TopicPartition> kThree = {{"orders", 0}, {"orders", 1}, {"orders", 2}};

TEST(RebalanceExercise, AssignResumesAtLaterOfCommitAndSink) {
  FakeConsumer consumer;
  consumer.committed = {5, 8, kOffsetUnset};
  consumer.sink_next = {9, 3, kOffsetUnset};

  Status handled = HandleRebalance(RebalanceEvent::kAssign, kThree, consumer);

  EXPECT_TRUE(handled.ok()) << "every lookup succeeded, so the assign must return ok";
  ASSERT_EQ(consumer.assigned.size(), 3u) << "all 3 new partitions must be assigned";
  EXPECT_EQ(consumer.assigned[0].offset, 9)
      << "orders[0]: the sink recorded up to 8 but the commit is 5, so resume at 9";
  EXPECT_EQ(consumer.assigned[1].offset, 8)
      << "orders[1]: the commit (8) is ahead of this sink (3), so resume at 8";
  EXPECT_EQ(consumer.assigned[2].offset, kOffsetUnset)
      << "orders[2]: no commit and no record, so kOffsetUnset (auto.offset.reset decides)";
  EXPECT_EQ(consumer.steps, (Steps{"committed", "assign"}))
      << "an assign looks up the committed offsets, then assigns once; it "
         "never commits or unassigns";
}

TEST(RebalanceExercise, AssignSurvivesFailedLookup) {
  FakeConsumer consumer;
  consumer.committed_fails = true;
  consumer.sink_next = {4, kOffsetUnset, kOffsetUnset};

  Status handled = HandleRebalance(RebalanceEvent::kAssign, kThree, consumer);

  EXPECT_FALSE(handled.ok()) << "the committed-offset lookup failed, so return its error";
  ASSERT_EQ(consumer.assigned.size(), 3u)
      << "the partitions must be assigned even when the lookup failed: "
         "librdkafka requires the callback to assign what it was handed";
  EXPECT_EQ(consumer.assigned[0].offset, 4)
      << "without the committed offset, orders[0] resumes at the sink's 4";
  EXPECT_EQ(consumer.assigned[1].offset, kOffsetUnset)
      << "without either offset, orders[1] is left to the group's commit or auto.offset.reset";
}

TEST(RebalanceExercise, RevokeCommitsAfterInFlight) {
  FakeConsumer consumer;

  Status handled = HandleRebalance(RebalanceEvent::kRevoke, {{"orders", 1}}, consumer);

  EXPECT_TRUE(handled.ok()) << "every step succeeded, so the revoke must return ok";
  EXPECT_EQ(consumer.steps, (Steps{"stop work", "wait for in-flight", "commit", "unassign"}))
      << "an orderly revoke drops the queued records, waits for the ones being "
         "processed, commits what they stored, and only then unassigns; "
         "after the unassign the commit no longer covers the partition";
  ASSERT_EQ(consumer.unassigned.size(), 1u) << "unassign exactly the revoked partition";
  EXPECT_EQ(consumer.unassigned[0].partition, 1) << "unassign orders[1], the revoked one";
}

TEST(RebalanceExercise, LostAssignmentNeverCommits) {
  FakeConsumer consumer;
  consumer.lost = true;

  Status handled = HandleRebalance(RebalanceEvent::kRevoke, {{"orders", 0}}, consumer);

  EXPECT_TRUE(handled.ok()) << "giving up a lost assignment is not an error";
  EXPECT_EQ(consumer.steps, (Steps{"stop work", "unassign"}))
      << "a lost assignment may already belong to another consumer: stop the "
         "work and unassign, but never wait for it or commit it";
}

TEST(RebalanceExercise, FailedCommitStillUnassigns) {
  FakeConsumer consumer;
  consumer.commit_fails = true;

  Status handled = HandleRebalance(RebalanceEvent::kRevoke, {{"orders", 0}}, consumer);

  ASSERT_FALSE(handled.ok()) << "the commit failed, so the revoke must return its error";
  EXPECT_EQ(handled.error().message, "Broker: Rebalance in progress")
      << "return the commit's own error";
  EXPECT_EQ(consumer.steps.back(), "unassign")
      << "the partitions must be unassigned even when the commit failed";
}

// Two consumers of one group: A owns both partitions, then B joins and the
// cooperative-sticky protocol moves one partition from A to B.
TEST(RebalanceExercise, SecondConsumerJoinsMidStream) {
  ASSERT_TRUE(exercise::Implemented([] {
    FakeConsumer probe;
    probe.committed = {kOffsetUnset};
    probe.sink_next = {kOffsetUnset};
    (void)HandleRebalance(RebalanceEvent::kAssign, {{"orders", 0}}, probe);
    (void)HandleRebalance(RebalanceEvent::kRevoke, {{"orders", 0}}, probe);
  }));
  using namespace std::chrono_literals;
  testing::ConsumerWatchdog watchdog(28s, "RebalanceExercise.SecondConsumerJoinsMidStream");
  auto broker = exercise::StartBroker({{"orders", 2}});
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(testing::ProduceNumbered(broker->bootstraps(), "orders", 0, 0, 20), "");
  ASSERT_EQ(testing::ProduceNumbered(broker->bootstraps(), "orders", 1, 20, 20), "");

  testing::TempSinkPath path;
  auto sink_a = exercise::OpenSink(path.path());
  auto sink_b = exercise::OpenSink(path.path());
  ASSERT_NE(sink_a, nullptr);
  ASSERT_NE(sink_b, nullptr);
  const ConsumerOptions options =
      testing::TestConsumerOptions(broker->bootstraps(), "payments", "orders");
  testing::RunningConsumer a(options, exercise::SlowPayment(40ms), *sink_a);
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(testing::WaitFor([&] { return exercise::TotalEffects(path.path()) >= 4; }, 12s))
      << "consumer A must be assigned both partitions and apply 4 records within 12 s";

  testing::RunningConsumer b(options, exercise::SlowPayment(40ms), *sink_b);
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_TRUE(testing::WaitFor([&] { return b.consumer().Assignment().size() == 1; }, 8s))
      << "after B joins, the group must move one partition to B within 8 s";
  ASSERT_TRUE(testing::WaitFor([&] { return exercise::TotalEffects(path.path()) >= 40; }, 8s))
      << "A and B together must apply all 40 records, applied "
      << exercise::TotalEffects(path.path());

  const ConsumerStats a_stats = a.consumer().Stats();
  EXPECT_GE(a_stats.revocations, 1) << "A must have had a partition revoked";
  EXPECT_EQ(b.StopAndJoin(), "") << "B must commit and close cleanly";
  EXPECT_EQ(a.StopAndJoin(), "") << "A must commit and close cleanly";
  exercise::ExpectEachNumberOnce(path.path(), 40);

  // NOTE: the embedded broker rejects commits while the group rebalances
  // ("Broker: Group rebalance in progress"). A may finish a partition
  // inside that window, so its commits of it fail, the one on revoke
  // included. B then resumes that partition from the sink at 20 and stores
  // nothing, so the group's commit of it stays unset. No record is lost or
  // applied twice, but the group's lag there stays 20. The check allows
  // exactly that case, seen in 1 run of 12 under AddressSanitizer.
  const std::vector<std::int64_t> committed =
      testing::CommittedOffsets(broker->bootstraps(), "payments", "orders", 2);
  ASSERT_EQ(committed.size(), 2u) << "reading the group's committed offsets failed";
  for (int partition = 0; partition < 2; ++partition) {
    if (committed[partition] == kOffsetUnset && a_stats.commit_failures > 0) continue;
    EXPECT_EQ(committed[partition], 20)
        << "orders[" << partition << "] holds 20 records, all applied, so it must end "
        << "committed at 20";
  }
}

}  // namespace
}  // namespace queue_demo
