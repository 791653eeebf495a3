// Unit tests of SqliteSink, the idempotent sink: a record's effect is
// applied once, together with its offset, and the recorded offsets give
// the offset to resume from.
#include "queue_demo/sink.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace queue_demo {
namespace {

// TempDatabase is a fresh database path, removed with its WAL files.
class TempDatabase {
 public:
  TempDatabase() {
    path_ = (std::filesystem::temp_directory_path() /
             ("queue_sink_test_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter_++) + ".db"))
                .string();
    Remove();
  }
  ~TempDatabase() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  static inline int counter_ = 0;
  std::string path_;
};

Message Record(const std::string& topic, int partition, std::int64_t offset) {
  Message message;
  message.topic = topic;
  message.partition = partition;
  message.offset = offset;
  message.key = "order-" + std::to_string(offset);
  message.value = "paid";
  return message;
}

// CountRows runs a COUNT(*) query through a separate connection.
std::int64_t CountRows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* statement = nullptr;
  std::int64_t count = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    count = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return count;
}

void Execute(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << "test setup SQL failed: " << (error ? error : "") << " in: " << sql;
  sqlite3_close(db);
}

TEST(SqliteSink, AppliesNewRecord) {
  TempDatabase db;
  auto sink = SqliteSink::Open(db.path());
  ASSERT_TRUE(sink.ok()) << sink.error().message;

  Result<ApplyOutcome> outcome = sink.value()->Apply(Record("orders", 0, 0), {"order-0", "paid"});
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome.value(), ApplyOutcome::kApplied) << "a record never seen must be applied";
  EXPECT_EQ(CountRows(db.path(), "SELECT COUNT(*) FROM effects"), 1)
      << "one applied record must leave exactly one effect row";
  EXPECT_EQ(CountRows(db.path(), "SELECT COUNT(*) FROM processed"), 1)
      << "one applied record must leave exactly one processed row";
}

TEST(SqliteSink, SkipsDuplicateRecord) {
  TempDatabase db;
  auto sink = SqliteSink::Open(db.path());
  ASSERT_TRUE(sink.ok()) << sink.error().message;

  ASSERT_TRUE(sink.value()->Apply(Record("orders", 0, 7), {"order-7", "paid"}).ok());
  Result<ApplyOutcome> again = sink.value()->Apply(Record("orders", 0, 7), {"order-7", "paid"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value(), ApplyOutcome::kDuplicate)
      << "orders[0]@7 delivered a second time must be reported as a duplicate";
  EXPECT_EQ(CountRows(db.path(), "SELECT COUNT(*) FROM effects"), 1)
      << "a redelivered record must not apply its effect a second time";
}

TEST(SqliteSink, SameOffsetOtherPartitionIsNew) {
  TempDatabase db;
  auto sink = SqliteSink::Open(db.path());
  ASSERT_TRUE(sink.ok()) << sink.error().message;

  ASSERT_TRUE(sink.value()->Apply(Record("orders", 0, 3), {"a", "paid"}).ok());
  Result<ApplyOutcome> other_partition = sink.value()->Apply(Record("orders", 1, 3), {"b", "paid"});
  Result<ApplyOutcome> other_topic = sink.value()->Apply(Record("payments", 0, 3), {"c", "paid"});
  ASSERT_TRUE(other_partition.ok()) << other_partition.error().message;
  ASSERT_TRUE(other_topic.ok()) << other_topic.error().message;
  EXPECT_EQ(other_partition.value(), ApplyOutcome::kApplied)
      << "orders[1]@3 is a different record from orders[0]@3";
  EXPECT_EQ(other_topic.value(), ApplyOutcome::kApplied)
      << "payments[0]@3 is a different record from orders[0]@3";
}

TEST(SqliteSink, FailedEffectRecordsNothing) {
  TempDatabase db;
  auto sink = SqliteSink::Open(db.path());
  ASSERT_TRUE(sink.ok()) << sink.error().message;

  // Make the effect insert fail for one key, as a full disk or a
  // constraint would.
  Execute(db.path(),
          "CREATE TRIGGER reject_effect BEFORE INSERT ON effects "
          "WHEN NEW.key = 'order-5' BEGIN SELECT RAISE(ABORT, 'effect rejected'); END");
  Result<ApplyOutcome> failed = sink.value()->Apply(Record("orders", 0, 5), {"order-5", "paid"});
  EXPECT_FALSE(failed.ok()) << "an effect that fails to insert must fail Apply";
  EXPECT_EQ(CountRows(db.path(), "SELECT COUNT(*) FROM processed"), 0)
      << "the offset must not be recorded when its effect failed: one transaction";

  // Once the cause is gone, the redelivered record applies.
  Execute(db.path(), "DROP TRIGGER reject_effect");
  Result<ApplyOutcome> retried = sink.value()->Apply(Record("orders", 0, 5), {"order-5", "paid"});
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(retried.value(), ApplyOutcome::kApplied)
      << "a record whose effect failed earlier must apply when delivered again";
  EXPECT_EQ(CountRows(db.path(), "SELECT COUNT(*) FROM effects"), 1)
      << "exactly one effect row after the failed and the successful attempt";
}

TEST(SqliteSink, NextOffsetIsMaxPlusOne) {
  TempDatabase db;
  auto sink = SqliteSink::Open(db.path());
  ASSERT_TRUE(sink.ok()) << sink.error().message;

  Result<std::int64_t> empty = sink.value()->NextOffset("orders", 0);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty.value(), kOffsetUnset) << "a partition with no record has no next offset";

  for (std::int64_t offset : {4, 9, 6}) {
    ASSERT_TRUE(sink.value()->Apply(Record("orders", 0, offset), {"k", "v"}).ok());
  }
  ASSERT_TRUE(sink.value()->Apply(Record("orders", 1, 20), {"k", "v"}).ok());
  Result<std::int64_t> next = sink.value()->NextOffset("orders", 0);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next.value(), 10) << "records 4, 9 and 6 of orders[0]: the next to read is 10";
}

TEST(SqliteSink, TwoConnectionsShareRecords) {
  TempDatabase db;
  auto first = SqliteSink::Open(db.path());
  auto second = SqliteSink::Open(db.path());
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;

  ASSERT_TRUE(first.value()->Apply(Record("orders", 0, 1), {"k", "v"}).ok());
  Result<ApplyOutcome> again = second.value()->Apply(Record("orders", 0, 1), {"k", "v"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value(), ApplyOutcome::kDuplicate)
      << "a record applied through one connection is a duplicate through another";
}

TEST(SqliteSink, OpenReportsBadPath) {
  Result<std::unique_ptr<SqliteSink>> sink = SqliteSink::Open("/nonexistent-dir/sink.db");
  ASSERT_FALSE(sink.ok()) << "opening a database in a missing directory must fail";
  EXPECT_NE(sink.error().message.find("/nonexistent-dir/sink.db"), std::string::npos)
      << "the error must name the path, got: " << sink.error().message;
}

}  // namespace
}  // namespace queue_demo
