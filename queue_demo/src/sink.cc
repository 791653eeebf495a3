// SqliteSink::Apply: the idempotent write, one transaction per record. The
// database setup and NextOffset are in sink_database.cc.
#include "queue_demo/sink.h"

#include <sqlite3.h>

#include <string>

namespace queue_demo {
namespace {

Error SinkError(sqlite3* db, const std::string& what) {
  return Error{ErrorCode::kSink, what + ": " + sqlite3_errmsg(db)};
}

std::string Where(const Message& message) {
  return message.topic + "[" + std::to_string(message.partition) + "]@" +
         std::to_string(message.offset);
}

// Statement owns one prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr);
  }
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// BindRecord binds the record's topic, partition and offset to ?1..?3.
void BindRecord(sqlite3_stmt* statement, const Message& message) {
  sqlite3_bind_text(statement, 1, message.topic.data(),
                    static_cast<int>(message.topic.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int(statement, 2, message.partition);
  sqlite3_bind_int64(statement, 3, message.offset);
}

// RecordOffset inserts the record into `processed`. Returns 1 when it was
// new, 0 when it was already there, -1 on failure.
int RecordOffset(sqlite3* db, const Message& message) {
  Statement insert(db,
                   "INSERT INTO processed (topic, partition, offset) "
                   "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (insert.get() == nullptr) return -1;
  BindRecord(insert.get(), message);
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return -1;
  return sqlite3_changes(db);
}

bool InsertEffect(sqlite3* db, const Message& message, const Effect& effect) {
  Statement insert(db,
                   "INSERT INTO effects (topic, partition, offset, key, value) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (insert.get() == nullptr) return false;
  BindRecord(insert.get(), message);
  sqlite3_bind_text(insert.get(), 4, effect.key.data(),
                    static_cast<int>(effect.key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(insert.get(), 5, effect.value.data(),
                    static_cast<int>(effect.value.size()), SQLITE_TRANSIENT);
  return sqlite3_step(insert.get()) == SQLITE_DONE;
}

}  // namespace

Result<ApplyOutcome> SqliteSink::Apply(const Message& message,
                                       const Effect& effect) {
  std::lock_guard<std::mutex> lock(mutex_);

  // Take the write lock up front, so two sinks never deadlock upgrading.
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return SinkError(db_, "starting the transaction for " + Where(message));
  }

  // Record the offset first: if it was already there, the effect was
  // applied before, so apply nothing.
  const int recorded = RecordOffset(db_, message);
  if (recorded == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return ApplyOutcome::kDuplicate;
  }
  if (recorded < 0) {
    Error error = SinkError(db_, "recording " + Where(message));
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }

  // Apply the effect in the same transaction, then commit both.
  if (!InsertEffect(db_, message, effect) ||
      sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error error = SinkError(db_, "applying the effect of " + Where(message));
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  return ApplyOutcome::kApplied;
}

}  // namespace queue_demo
