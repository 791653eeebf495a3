#include "event_sink.h"

#include <sqlite3.h>

namespace queue_demo::demo {
namespace {

constexpr const char* kSchema =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS processed ("
    "  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,"
    "  PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS effects ("
    "  key TEXT PRIMARY KEY, value TEXT NOT NULL,"
    "  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL);";

// Statement owns one prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); }
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string Where(const Message& message) {
  return message.topic + "[" + std::to_string(message.partition) + "]@" +
         std::to_string(message.offset);
}

// Insert runs an INSERT ... ON CONFLICT DO NOTHING. Returns 1 when a row was
// inserted, 0 when it existed, -1 on failure.
int Insert(sqlite3* db, const char* sql, const Message& message, const Effect* effect) {
  Statement insert(db, sql);
  if (insert.get() == nullptr) return -1;
  BindText(insert.get(), 1, message.topic);
  sqlite3_bind_int(insert.get(), 2, message.partition);
  sqlite3_bind_int64(insert.get(), 3, message.offset);
  if (effect != nullptr) {
    BindText(insert.get(), 4, effect->key);
    BindText(insert.get(), 5, effect->value);
  }
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return -1;
  return sqlite3_changes(db);
}

}  // namespace

Result<std::unique_ptr<EventSink>> EventSink::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error error{ErrorCode::kSink, "opening sink " + path + " failed: " +
                                      (db != nullptr ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close(db);
    return error;
  }
  sqlite3_busy_timeout(db, 5000);
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error error{ErrorCode::kSink, "creating the tables of sink " + path + " failed: " +
                                      sqlite3_errmsg(db)};
    sqlite3_close(db);
    return error;
  }
  return std::unique_ptr<EventSink>(new EventSink(db, path));
}

EventSink::~EventSink() { sqlite3_close(db_); }

Result<ApplyOutcome> EventSink::Apply(const Message& message, const Effect& effect) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Error{ErrorCode::kSink, "applying " + Where(message) + " to " + path_ +
                                       ": BEGIN failed: " + sqlite3_errmsg(db_)};
  }
  Result<ApplyOutcome> outcome = ApplyInTransaction(message, effect);
  if (!outcome.ok()) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return outcome;
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error error{ErrorCode::kSink, "applying " + Where(message) + " to " + path_ +
                                      ": COMMIT failed: " + sqlite3_errmsg(db_)};
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  return outcome;
}

Result<ApplyOutcome> EventSink::ApplyInTransaction(const Message& message, const Effect& effect) {
  // 1. The record: seen before means a redelivery, and nothing changes.
  const int recorded = Insert(db_,
                              "INSERT INTO processed (topic, partition, offset) "
                              "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                              message, nullptr);
  if (recorded < 0) {
    return Error{ErrorCode::kSink, "recording " + Where(message) + " in " + path_ + " failed: " +
                                       sqlite3_errmsg(db_)};
  }
  if (recorded == 0) return ApplyOutcome::kDuplicate;

  // 2. The effect: an event id already applied means a republished copy.
  // Its record stays recorded, so its offset may be committed.
  const int applied = Insert(db_,
                             "INSERT INTO effects (topic, partition, offset, key, value) "
                             "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO NOTHING",
                             message, &effect);
  if (applied < 0) {
    return Error{ErrorCode::kSink, "applying " + Where(message) + " to " + path_ + " failed: " +
                                       sqlite3_errmsg(db_)};
  }
  return applied == 1 ? ApplyOutcome::kApplied : ApplyOutcome::kDuplicate;
}

Result<std::int64_t> EventSink::NextOffset(std::string_view topic, std::int32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement select(db_, "SELECT MAX(offset) FROM processed WHERE topic = ?1 AND partition = ?2");
  if (select.get() == nullptr) {
    return Error{ErrorCode::kSink, "reading the offsets of " + path_ + " failed: " + sqlite3_errmsg(db_)};
  }
  BindText(select.get(), 1, std::string(topic));
  sqlite3_bind_int(select.get(), 2, partition);
  if (sqlite3_step(select.get()) != SQLITE_ROW) {
    return Error{ErrorCode::kSink, "reading the offsets of " + path_ + " failed: " + sqlite3_errmsg(db_)};
  }
  if (sqlite3_column_type(select.get(), 0) == SQLITE_NULL) return kOffsetUnset;
  return sqlite3_column_int64(select.get(), 0) + 1;
}

std::int64_t SkippedEvents(const std::string& path) {
  sqlite3* db = nullptr;
  std::int64_t skipped = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    Statement select(db, "SELECT (SELECT COUNT(*) FROM processed) - (SELECT COUNT(*) FROM effects)");
    if (select.get() != nullptr && sqlite3_step(select.get()) == SQLITE_ROW) {
      skipped = sqlite3_column_int64(select.get(), 0);
    }
  }
  sqlite3_close(db);
  return skipped;
}

}  // namespace queue_demo::demo
