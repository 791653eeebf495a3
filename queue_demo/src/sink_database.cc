// SqliteSink's database: opening it, creating its tables, closing it, and
// reading the next offset to resume from. The write path, Apply, is in
// sink.cc.
#include "queue_demo/sink.h"

#include <sqlite3.h>

#include <string>

namespace queue_demo {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS processed ("
    "  topic TEXT NOT NULL, partition INTEGER NOT NULL,"
    "  offset INTEGER NOT NULL,"
    "  PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS effects ("
    "  topic TEXT NOT NULL, partition INTEGER NOT NULL,"
    "  offset INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);";

Error SinkError(sqlite3* db, const std::string& what) {
  return Error{ErrorCode::kSink, what + ": " + sqlite3_errmsg(db)};
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

}  // namespace

Result<std::unique_ptr<SqliteSink>> SqliteSink::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error error = SinkError(db, "opening sink database '" + path + "'");
    sqlite3_close(db);
    return error;
  }

  // WAL lets readers and the writer work at once; NORMAL sync is durable
  // across a process crash, which is the failure the sink is for.
  sqlite3_busy_timeout(db, 5000);
  const char* setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
  if (sqlite3_exec(db, setup, nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    Error error = SinkError(db, "creating the sink tables in '" + path + "'");
    sqlite3_close(db);
    return error;
  }
  return std::unique_ptr<SqliteSink>(new SqliteSink(db, path));
}

SqliteSink::~SqliteSink() { sqlite3_close(db_); }

Result<std::int64_t> SqliteSink::NextOffset(std::string_view topic,
                                            std::int32_t partition) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement select(db_,
                   "SELECT MAX(offset) FROM processed "
                   "WHERE topic = ?1 AND partition = ?2");
  const std::string where =
      std::string(topic) + "[" + std::to_string(partition) + "]";
  if (select.get() == nullptr) {
    return SinkError(db_, "reading the next offset of " + where);
  }
  sqlite3_bind_text(select.get(), 1, topic.data(),
                    static_cast<int>(topic.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int(select.get(), 2, partition);
  if (sqlite3_step(select.get()) != SQLITE_ROW) {
    return SinkError(db_, "reading the next offset of " + where);
  }
  if (sqlite3_column_type(select.get(), 0) == SQLITE_NULL) {
    return std::int64_t{kOffsetUnset};
  }
  return std::int64_t{sqlite3_column_int64(select.get(), 0) + 1};
}

}  // namespace queue_demo
