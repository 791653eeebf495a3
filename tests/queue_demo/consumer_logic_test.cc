// Unit tests of the consumer's decision units, without a broker: offsets,
// backpressure, the rebalance callback and the shutdown sequence.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "queue_demo/backpressure.h"
#include "queue_demo/offsets.h"
#include "queue_demo/rebalance.h"
#include "queue_demo/shutdown.h"

namespace queue_demo {
namespace {

// --- offsets ---------------------------------------------------------------

TEST(Offsets, StoredOffsetIsNextToRead) {
  EXPECT_EQ(NextOffsetToStore(0), 1) << "after record 0 the next offset to read is 1";
  EXPECT_EQ(NextOffsetToStore(41), 42) << "after record 41 the next offset to read is 42";
}

TEST(Offsets, ResumeFromLaterOfCommitAndSink) {
  EXPECT_EQ(ResumeOffset(5, 9), 9) << "the sink is ahead of the commit: resume at the sink";
  EXPECT_EQ(ResumeOffset(9, 5), 9) << "the commit is ahead of this sink: resume at the commit";
  EXPECT_EQ(ResumeOffset(kOffsetUnset, 3), 3) << "no commit yet: resume at the sink";
  EXPECT_EQ(ResumeOffset(7, kOffsetUnset), 7) << "an empty sink: resume at the commit";
  EXPECT_EQ(ResumeOffset(kOffsetUnset, kOffsetUnset), kOffsetUnset)
      << "neither: leave it to auto.offset.reset";
}

// RecordingStore remembers what was stored, and the steps in order.
class RecordingStore : public OffsetStore {
 public:
  explicit RecordingStore(std::vector<std::string>& steps) : steps_(steps) {}
  Status Store(const TopicPartition& position) override {
    steps_.push_back("store " + std::to_string(position.offset));
    stored.push_back(position);
    return {};
  }
  std::vector<TopicPartition> stored;

 private:
  std::vector<std::string>& steps_;
};

TEST(Offsets, StoresOnlyAfterEffect) {
  std::vector<std::string> steps;
  RecordingStore store(steps);
  Message message;
  message.topic = "orders";
  message.partition = 2;
  message.offset = 10;
  ApplyEffect apply = [&](const Message&) -> Status {
    steps.push_back("apply");
    return {};
  };

  Status done = ProcessThenStore(message, apply, store);
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(steps, (std::vector<std::string>{"apply", "store 11"}))
      << "the effect must be durable before offset 11 (10 + 1) is stored";
  EXPECT_EQ(store.stored[0].topic, "orders") << "store the record's own topic";
  EXPECT_EQ(store.stored[0].partition, 2) << "store the record's own partition";
}

TEST(Offsets, FailedEffectStoresNothing) {
  std::vector<std::string> steps;
  RecordingStore store(steps);
  Message message;
  message.offset = 3;
  ApplyEffect apply = [](const Message&) -> Status {
    return Error{ErrorCode::kSink, "disk full"};
  };

  Status done = ProcessThenStore(message, apply, store);
  EXPECT_FALSE(done.ok()) << "a failed effect must fail the message";
  EXPECT_TRUE(store.stored.empty())
      << "no offset may be stored for a record whose effect failed: it would be lost";
}

// --- backpressure ----------------------------------------------------------

const TopicPartition kP0{"orders", 0};
const TopicPartition kP1{"orders", 1};

TEST(FlowControl, PausesAtWindow) {
  FlowControl flow(3, 1);
  EXPECT_FALSE(flow.OnDispatched(kP0)) << "1 of 3 in flight: keep fetching";
  EXPECT_FALSE(flow.OnDispatched(kP0)) << "2 of 3 in flight: keep fetching";
  EXPECT_TRUE(flow.OnDispatched(kP0)) << "3 of 3 in flight: pause orders[0] now";
  EXPECT_FALSE(flow.OnDispatched(kP0)) << "already paused: do not pause it again";
  EXPECT_TRUE(flow.IsPaused(kP0)) << "orders[0] must be paused at its window";
}

TEST(FlowControl, PausesOnlyFullPartition) {
  FlowControl flow(2, 0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP0);
  EXPECT_FALSE(flow.OnDispatched(kP1)) << "orders[1] holds 1 of 2: it must keep flowing";
  EXPECT_FALSE(flow.IsPaused(kP1)) << "only the full partition is paused";
}

TEST(FlowControl, ResumesAtResumeThreshold) {
  FlowControl flow(4, 1);
  for (int i = 0; i < 4; ++i) flow.OnDispatched(kP0);
  EXPECT_FALSE(flow.OnFinished(kP0)) << "3 in flight, resume_at 1: stay paused";
  EXPECT_FALSE(flow.OnFinished(kP0)) << "2 in flight, resume_at 1: stay paused";
  EXPECT_TRUE(flow.OnFinished(kP0)) << "1 in flight, resume_at 1: resume now";
  EXPECT_FALSE(flow.OnFinished(kP0)) << "already resumed: do not resume again";
  EXPECT_EQ(flow.InFlight(kP0), 0) << "4 dispatched, 4 finished";
}

TEST(FlowControl, ResumesOnlyPausedPartition) {
  FlowControl flow(2, 0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP0);
  flow.OnDispatched(kP1);
  EXPECT_FALSE(flow.OnFinished(kP1))
      << "orders[1] was never paused: draining it must not resume anything";
  EXPECT_TRUE(flow.IsPaused(kP0)) << "orders[0] stays paused while it is full";
}

TEST(FlowControl, ForgetReportsPaused) {
  FlowControl flow(1, 0);
  flow.OnDispatched(kP0);
  EXPECT_TRUE(flow.Forget(kP0)) << "a revoked paused partition must be reported paused";
  EXPECT_FALSE(flow.IsPaused(kP0)) << "a forgotten partition has no state";
  EXPECT_FALSE(flow.OnFinished(kP0)) << "a late finish of a revoked partition resumes nothing";
}

// --- rebalance -------------------------------------------------------------

// FakeActions records each action in order and returns scripted results.
class FakeActions : public RebalanceActions {
 public:
  Result<std::vector<TopicPartition>> Committed(
      const std::vector<TopicPartition>& partitions) override {
    steps.push_back("committed");
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
    steps.push_back("wait");
    return true;
  }
  Status Commit(const std::vector<TopicPartition>&) override {
    steps.push_back("commit");
    return {};
  }
  Status Unassign(const std::vector<TopicPartition>&) override {
    steps.push_back("unassign");
    return {};
  }

  std::vector<std::int64_t> committed;
  std::vector<std::int64_t> sink_next;
  bool lost = false;
  std::vector<std::string> steps;
  std::vector<TopicPartition> assigned;
};

TEST(HandleRebalance, AssignResumesFromSinkWhenAhead) {
  FakeActions actions;
  actions.committed = {5, 8, kOffsetUnset};
  actions.sink_next = {9, 3, kOffsetUnset};
  std::vector<TopicPartition> partitions = {{"orders", 0}, {"orders", 1}, {"orders", 2}};

  Status handled = HandleRebalance(RebalanceEvent::kAssign, partitions, actions);
  ASSERT_TRUE(handled.ok()) << handled.error().message;
  ASSERT_EQ(actions.assigned.size(), 3u) << "every partition handed over must be assigned";
  EXPECT_EQ(actions.assigned[0].offset, 9)
      << "orders[0]: the sink (9) is ahead of the commit (5), so resume at 9";
  EXPECT_EQ(actions.assigned[1].offset, 8)
      << "orders[1]: the commit (8) is ahead of the sink (3), so resume at 8";
  EXPECT_EQ(actions.assigned[2].offset, kOffsetUnset)
      << "orders[2]: no commit and no record, so leave it to auto.offset.reset";
}

TEST(HandleRebalance, RevokeCommitsAfterInFlight) {
  FakeActions actions;
  std::vector<TopicPartition> partitions = {{"orders", 0}};

  Status handled = HandleRebalance(RebalanceEvent::kRevoke, partitions, actions);
  ASSERT_TRUE(handled.ok()) << handled.error().message;
  EXPECT_EQ(actions.steps,
            (std::vector<std::string>{"stop work", "wait", "commit", "unassign"}))
      << "an orderly revoke drops queued work, waits for in-flight records, "
         "commits them, and only then unassigns";
}

TEST(HandleRebalance, LostAssignmentNeverCommits) {
  FakeActions actions;
  actions.lost = true;
  std::vector<TopicPartition> partitions = {{"orders", 0}};

  Status handled = HandleRebalance(RebalanceEvent::kRevoke, partitions, actions);
  ASSERT_TRUE(handled.ok()) << handled.error().message;
  EXPECT_EQ(actions.steps, (std::vector<std::string>{"stop work", "unassign"}))
      << "a lost partition may belong to another consumer already: "
         "stop and unassign without committing";
}

// --- shutdown --------------------------------------------------------------

class FakeSteps : public ShutdownSteps {
 public:
  void StopIntake() override { steps.push_back("stop intake"); }
  bool WaitForInFlight(std::chrono::steady_clock::time_point deadline) override {
    steps.push_back("wait");
    waited_until = deadline;
    return drains;
  }
  void DropQueued() override { steps.push_back("drop"); }
  Status Commit() override {
    steps.push_back("commit");
    return {};
  }
  Status Close() override {
    steps.push_back("close");
    return {};
  }

  bool drains = true;
  std::chrono::steady_clock::time_point waited_until;
  std::vector<std::string> steps;
};

TEST(GracefulShutdown, DrainsCommitsThenCloses) {
  FakeSteps steps;
  ShutdownReport report = RunGracefulShutdown(steps, std::chrono::milliseconds(500));
  EXPECT_TRUE(report.drained) << "every in-flight record finished in time";
  EXPECT_EQ(steps.steps, (std::vector<std::string>{"stop intake", "wait", "commit", "close"}))
      << "stop intake, finish in-flight work, commit, and close, in that order";
}

TEST(GracefulShutdown, DeadlineBoundsTheWait) {
  FakeSteps steps;
  steps.drains = false;
  const auto before = std::chrono::steady_clock::now();
  ShutdownReport report = RunGracefulShutdown(steps, std::chrono::milliseconds(500));
  const auto after = std::chrono::steady_clock::now();

  EXPECT_FALSE(report.drained) << "the workers did not finish in time";
  EXPECT_EQ(steps.steps,
            (std::vector<std::string>{"stop intake", "wait", "drop", "commit", "close"}))
      << "after the deadline, drop what is left, then still commit and close";
  EXPECT_GE(steps.waited_until, before + std::chrono::milliseconds(500))
      << "the drain deadline must be the budget (500 ms) from the start";
  EXPECT_LE(steps.waited_until, after + std::chrono::milliseconds(500))
      << "the drain deadline must be the budget (500 ms) from the start, not later";
}

}  // namespace
}  // namespace queue_demo
