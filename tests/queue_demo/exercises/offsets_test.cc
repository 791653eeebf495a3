// Offsets exercise: at-least-once offset management, step by step.
//
// The unit tests check the three decisions with plain values: which offset
// to store after a record, where a newly assigned partition resumes, and
// the order "apply the effect, then store". The last test runs the learner's
// functions inside the real consumer against the embedded broker and reads
// the group's committed offset back.

#include "queue_demo/offsets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"

namespace queue_demo {
namespace {

using namespace std::chrono_literals;

TEST(OffsetsExercise, StoredOffsetIsNextToRead) {
  EXPECT_EQ(NextOffsetToStore(0), 1)
      << "after record 0 is processed, the next offset to read is 1; storing 0 "
         "would deliver record 0 again after a restart";
  EXPECT_EQ(NextOffsetToStore(41), 42)
      << "after record 41 is processed, store 42 (the record's offset + 1)";
}

TEST(OffsetsExercise, ResumeAtLaterOfCommitAndSink) {
  EXPECT_EQ(ResumeOffset(5, 9), 9)
      << "the sink recorded up to offset 8 but the group committed only 5: "
         "resume at 9, the sink's next offset, so records 5..8 are not read again";
  EXPECT_EQ(ResumeOffset(9, 5), 9)
      << "the group committed 9 and this sink is behind (5): resume at 9";
  EXPECT_EQ(ResumeOffset(7, 7), 7) << "commit and sink agree on 7: resume at 7";
}

TEST(OffsetsExercise, ResumeWithOneSideUnset) {
  EXPECT_EQ(ResumeOffset(kOffsetUnset, 3), 3)
      << "no committed offset yet (kOffsetUnset) and the sink's next offset "
         "is 3: resume at 3";
  EXPECT_EQ(ResumeOffset(7, kOffsetUnset), 7)
      << "an empty sink (kOffsetUnset) and a committed offset of 7: resume at 7";
  EXPECT_EQ(ResumeOffset(kOffsetUnset, kOffsetUnset), kOffsetUnset)
      << "neither a commit nor a sink record: return kOffsetUnset, so "
         "auto.offset.reset decides";
  EXPECT_EQ(ResumeOffset(0, kOffsetUnset), 0)
      << "offset 0 is a real committed offset, not 'unset'";
}

// RecordingStore keeps what was stored, and writes each step to `steps`.
class RecordingStore : public OffsetStore {
 public:
  explicit RecordingStore(std::vector<std::string>& steps) : steps_(steps) {}

  Status Store(const TopicPartition& position) override {
    steps_.push_back("store " + std::to_string(position.offset));
    stored.push_back(position);
    if (reject) return Error{ErrorCode::kState, "partition revoked"};
    return {};
  }

  std::vector<TopicPartition> stored;
  bool reject = false;

 private:
  std::vector<std::string>& steps_;
};

Message Record(std::string topic, std::int32_t partition, std::int64_t offset) {
  Message message;
  message.topic = std::move(topic);
  message.partition = partition;
  message.offset = offset;
  return message;
}

TEST(OffsetsExercise, StoresOnlyAfterEffect) {
  std::vector<std::string> steps;
  RecordingStore store(steps);
  ApplyEffect apply = [&](const Message&) -> Status {
    steps.push_back("apply");
    return {};
  };

  Status done = ProcessThenStore(Record("orders", 2, 10), apply, store);

  EXPECT_TRUE(done.ok()) << "the effect and the store both succeeded, so "
                            "ProcessThenStore must return ok";
  ASSERT_EQ(steps, (std::vector<std::string>{"apply", "store 11"}))
      << "apply the effect of record 10 first, then store 11; storing first "
         "loses the record if the process dies before the effect is durable";
  EXPECT_EQ(store.stored[0].topic, "orders") << "store under the record's own topic";
  EXPECT_EQ(store.stored[0].partition, 2) << "store under the record's own partition";
}

TEST(OffsetsExercise, FailedEffectStoresNothing) {
  std::vector<std::string> steps;
  RecordingStore store(steps);
  ApplyEffect apply = [](const Message&) -> Status {
    return Error{ErrorCode::kSink, "database is locked"};
  };

  Status done = ProcessThenStore(Record("orders", 0, 3), apply, store);

  ASSERT_FALSE(done.ok()) << "the effect failed, so ProcessThenStore must fail";
  EXPECT_EQ(done.error().code, ErrorCode::kSink)
      << "return the effect's own error (kSink), so the caller knows what failed";
  EXPECT_TRUE(store.stored.empty())
      << "no offset may be stored for a record whose effect failed: the "
         "commit would skip it and the record would be lost";
}

TEST(OffsetsExercise, StoreErrorIsReturned) {
  std::vector<std::string> steps;
  RecordingStore store(steps);
  store.reject = true;
  ApplyEffect apply = [](const Message&) -> Status { return {}; };

  Status done = ProcessThenStore(Record("orders", 1, 7), apply, store);

  ASSERT_FALSE(done.ok())
      << "the store failed (the partition was revoked), so ProcessThenStore "
         "must not return ok";
  EXPECT_EQ(done.error().code, ErrorCode::kState)
      << "return the store's error (kState), so the consumer can count a "
         "stale store instead of treating it as a failed effect";
}

// The learner's functions inside the real consumer: 5 records on one
// partition, a graceful stop, and the group's committed offset read back.
TEST(OffsetsExercise, ConsumerCommitsNextOffset) {
  ASSERT_TRUE(exercise::Implemented([] {
    NextOffsetToStore(0);
    ResumeOffset(kOffsetUnset, kOffsetUnset);
    std::vector<std::string> steps;
    RecordingStore store(steps);
    (void)ProcessThenStore(Record("orders", 0, 0), [](const Message&) { return Status{}; },
                           store);
  }));
  testing::ConsumerWatchdog watchdog(25s, "OffsetsExercise.ConsumerCommitsNextOffset");
  auto broker = exercise::StartBroker({{"orders", 1}});
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(testing::ProduceNumbered(broker->bootstraps(), "orders", 0, 0, 5), "")
      << "producing records 0..4 to the embedded broker";

  testing::TempSinkPath path;
  auto sink = exercise::OpenSink(path.path());
  ASSERT_NE(sink, nullptr);
  testing::RunningConsumer consumer(
      testing::TestConsumerOptions(broker->bootstraps(), "payments", "orders"),
      exercise::Payment, *sink);
  ASSERT_TRUE(consumer.ok()) << consumer.error();
  ASSERT_TRUE(testing::WaitFor([&] { return exercise::TotalEffects(path.path()) == 5; }, 18s))
      << "the consumer must apply all 5 records within 18 s, applied "
      << exercise::TotalEffects(path.path());
  EXPECT_EQ(consumer.StopAndJoin(), "") << "the consumer must commit and close cleanly";

  EXPECT_EQ(testing::CommittedOffsets(broker->bootstraps(), "payments", "orders", 1),
            (std::vector<std::int64_t>{5}))
      << "after records 0..4 the group's committed offset must be 5, the next "
         "offset to read; 4 would deliver record 4 again to the next consumer";
  exercise::ExpectEachNumberOnce(path.path(), 5);
}

}  // namespace
}  // namespace queue_demo
