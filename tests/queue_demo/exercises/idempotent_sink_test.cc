// Idempotent sink exercise: SqliteSink::Apply, step by step.
//
// The unit tests open a sink in a temporary SQLite file and read its two
// tables back through a second connection: processed(topic, partition,
// offset) and effects(topic, partition, offset, key, value). The last test
// runs the learner's Apply inside the real consumer against the embedded
// broker and makes a second consumer group read every record again.

#include "queue_demo/sink.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "../consumer_test_support.h"
#include "exercise_support.h"

namespace queue_demo {
namespace {

using namespace std::chrono_literals;

Message Record(std::int32_t partition, std::int64_t offset, std::string value) {
  Message message;
  message.topic = "orders";
  message.partition = partition;
  message.offset = offset;
  message.key = "order-" + std::to_string(offset);
  message.value = std::move(value);
  return message;
}

std::string OutcomeName(const Result<ApplyOutcome>& outcome) {
  if (!outcome.ok()) return "error (" + outcome.error().message + ")";
  return outcome.value() == ApplyOutcome::kApplied ? "kApplied" : "kDuplicate";
}

class IdempotentSinkExercise : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = exercise::OpenSink(path_.path());
    ASSERT_NE(sink_, nullptr);
  }

  // Count runs a COUNT(*) query on a second connection, as another process
  // would see the database.
  int Count(const std::string& sql) {
    sqlite3* db = nullptr;
    int count = -1;
    if (sqlite3_open(path_.path().c_str(), &db) == SQLITE_OK) {
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
          sqlite3_step(statement) == SQLITE_ROW) {
        count = sqlite3_column_int(statement, 0);
      }
      sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return count;
  }

  // Execute runs `sql` on a second connection.
  void Execute(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error != nullptr ? error : "") << " in " << sql;
    sqlite3_free(error);
    sqlite3_close(db);
  }

  testing::TempSinkPath path_;
  std::unique_ptr<SqliteSink> sink_;
};

TEST_F(IdempotentSinkExercise, FirstDeliveryIsApplied) {
  Result<ApplyOutcome> outcome = sink_->Apply(Record(0, 5, "paid 10.00"), {"order-5", "paid 10.00"});

  ASSERT_TRUE(outcome.ok()) << "applying orders[0]@5 to an empty sink failed: "
                            << OutcomeName(outcome);
  EXPECT_EQ(outcome.value(), ApplyOutcome::kApplied)
      << "the first delivery of orders[0]@5 must be applied";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM processed WHERE topic = 'orders' AND "
                  "partition = 0 AND offset = 5"),
            1)
      << "the processed table must record orders[0]@5";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE offset = 5 AND key = 'order-5' "
                  "AND value = 'paid 10.00'"),
            1)
      << "the effects table must hold one row with the effect's key and value, "
         "under the record's offset";
}

TEST_F(IdempotentSinkExercise, RedeliveryIsSkipped) {
  ASSERT_EQ(OutcomeName(sink_->Apply(Record(0, 5, "paid"), {"order-5", "paid"})), "kApplied")
      << "the first delivery of orders[0]@5 must be applied";

  Result<ApplyOutcome> again = sink_->Apply(Record(0, 5, "paid"), {"order-5", "paid"});

  EXPECT_EQ(OutcomeName(again), "kDuplicate")
      << "orders[0]@5 delivered a second time (after a crash or a rebalance) "
         "must be reported as kDuplicate";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 1)
      << "a redelivered record must not write its effect again: one payment, not two";
}

TEST_F(IdempotentSinkExercise, RecordIsTopicPartitionAndOffset) {
  ASSERT_EQ(OutcomeName(sink_->Apply(Record(0, 5, "a"), {"k", "a"})), "kApplied")
      << "orders[0]@5 is new";

  EXPECT_EQ(OutcomeName(sink_->Apply(Record(1, 5, "b"), {"k", "b"})), "kApplied")
      << "orders[1]@5 is a different record than orders[0]@5: offsets are "
         "per partition, so it must be applied";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 2)
      << "two different records, two effects";
}

TEST_F(IdempotentSinkExercise, FailedEffectRecordsNothing) {
  // A trigger makes the effect insert of value 'rejected' fail, as a full
  // disk or a constraint would.
  Execute(
      "CREATE TRIGGER reject_effect BEFORE INSERT ON effects "
      "WHEN NEW.value = 'rejected' BEGIN SELECT RAISE(ABORT, 'effect rejected'); END;");

  Result<ApplyOutcome> failed = sink_->Apply(Record(0, 7, "rejected"), {"order-7", "rejected"});

  ASSERT_FALSE(failed.ok()) << "the effect insert failed, so Apply must return an error, got "
                            << OutcomeName(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kSink) << "a database failure is ErrorCode::kSink";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM processed WHERE offset = 7"), 0)
      << "the offset of a record whose effect failed must not be recorded: roll "
         "the whole transaction back, or the redelivery is skipped and the "
         "effect is lost";

  // The sink must still work, and the redelivery must now be applied.
  Execute("DROP TRIGGER reject_effect;");
  EXPECT_EQ(OutcomeName(sink_->Apply(Record(0, 7, "paid"), {"order-7", "paid"})), "kApplied")
      << "after a failed Apply, the redelivery of orders[0]@7 must be applied";
  EXPECT_EQ(OutcomeName(sink_->Apply(Record(0, 8, "paid"), {"order-8", "paid"})), "kApplied")
      << "after a failed Apply, the sink must accept the next record";
}

// ForgetfulSink passes Apply to the real sink but reports no recorded
// offsets, so the consumer resumes from auto.offset.reset and every record
// reaches Apply a second time.
class ForgetfulSink : public Sink {
 public:
  explicit ForgetfulSink(Sink& inner) : inner_(inner) {}
  Result<ApplyOutcome> Apply(const Message& message, const Effect& effect) override {
    return inner_.Apply(message, effect);
  }
  Result<std::int64_t> NextOffset(std::string_view, std::int32_t) override {
    return std::int64_t{kOffsetUnset};
  }

 private:
  Sink& inner_;
};

TEST_F(IdempotentSinkExercise, ConsumerRedeliveryAppliesNothing) {
  ASSERT_TRUE(exercise::Implemented([] {
    testing::TempSinkPath probe_path;
    auto probe = exercise::OpenSink(probe_path.path());
    if (probe != nullptr) (void)probe->Apply(Record(0, 0, "probe"), {"k", "probe"});
  }));
  testing::ConsumerWatchdog watchdog(25s, "IdempotentSinkExercise.ConsumerRedeliveryAppliesNothing");
  auto broker = exercise::StartBroker({{"orders", 1}});
  ASSERT_NE(broker, nullptr);
  ASSERT_EQ(testing::ProduceNumbered(broker->bootstraps(), "orders", 0, 0, 10), "")
      << "producing records 0..9 to the embedded broker";

  // The first group applies records 0..9.
  {
    testing::RunningConsumer first(
        testing::TestConsumerOptions(broker->bootstraps(), "payments", "orders"),
        exercise::Payment, *sink_);
    ASSERT_TRUE(first.ok()) << first.error();
    ASSERT_TRUE(testing::WaitFor([&] { return exercise::TotalEffects(path_.path()) >= 10; }, 10s))
        << "the first consumer must apply records 0..9 within 10 s, applied "
        << exercise::TotalEffects(path_.path());
    EXPECT_EQ(first.consumer().Stats().applied, 10) << "the first consumer applies 10 records";
    EXPECT_EQ(first.StopAndJoin(), "");
  }

  // A second group reads the same 10 records again from offset 0.
  ForgetfulSink forgetful(*sink_);
  testing::RunningConsumer second(
      testing::TestConsumerOptions(broker->bootstraps(), "audit", "orders"), exercise::Payment,
      forgetful);
  ASSERT_TRUE(second.ok()) << second.error();
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const ConsumerStats stats = second.consumer().Stats();
        return stats.applied + stats.duplicates >= 10;
      },
      10s))
      << "the second consumer must receive records 0..9 again within 10 s";
  const ConsumerStats stats = second.consumer().Stats();
  EXPECT_EQ(stats.duplicates, 10)
      << "every redelivered record must come back from Apply as kDuplicate";
  EXPECT_EQ(stats.applied, 0) << "no redelivered record may be applied again";
  EXPECT_EQ(second.StopAndJoin(), "");
  exercise::ExpectEachNumberOnce(path_.path(), 10);
}

}  // namespace
}  // namespace queue_demo
