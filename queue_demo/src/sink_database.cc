// SqliteSink's database: opening it, creating its tables, closing it,
// reading the next offset to resume from, and the group commit (ApplyAll).
// The one-message write path, Apply, is in sink.cc.
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

std::string Where(const Message& message) {
  return message.topic + "[" + std::to_string(message.partition) + "]@" +
         std::to_string(message.offset);
}

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
}

// Step runs a bound statement once and resets it for the next message.
bool Step(sqlite3_stmt* statement) {
  const bool done = sqlite3_step(statement) == SQLITE_DONE;
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return done;
}

}  // namespace

Result<std::vector<ApplyOutcome>> Sink::ApplyAll(
    const std::vector<Message>& messages, const std::vector<Effect>& effects) {
  std::vector<ApplyOutcome> outcomes;
  outcomes.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size() && i < effects.size(); ++i) {
    Result<ApplyOutcome> outcome = Apply(messages[i], effects[i]);
    if (!outcome.ok()) return outcome.error();
    outcomes.push_back(outcome.value());
  }
  return outcomes;
}

Result<std::vector<ApplyOutcome>> SqliteSink::ApplyAll(
    const std::vector<Message>& messages, const std::vector<Effect>& effects) {
  if (messages.size() != effects.size()) {
    return Error{ErrorCode::kInvalidArgument,
                 "ApplyAll got " + std::to_string(messages.size()) +
                     " messages but " + std::to_string(effects.size()) +
                     " effects"};
  }
  if (messages.empty()) return std::vector<ApplyOutcome>{};
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string first = Where(messages.front());
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return SinkError(db_, "starting the transaction for " + first);
  }

  // The same two statements as Apply, prepared once for the whole batch.
  Statement record(db_,
                   "INSERT INTO processed (topic, partition, offset) "
                   "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  Statement effect(db_,
                   "INSERT INTO effects (topic, partition, offset, key, value) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  std::vector<ApplyOutcome> outcomes;
  outcomes.reserve(messages.size());
  for (std::size_t i = 0; record.get() != nullptr && effect.get() != nullptr &&
                          i < messages.size();
       ++i) {
    const Message& message = messages[i];
    BindText(record.get(), 1, message.topic);
    sqlite3_bind_int(record.get(), 2, message.partition);
    sqlite3_bind_int64(record.get(), 3, message.offset);
    if (!Step(record.get())) break;
    if (sqlite3_changes(db_) == 0) {  // recorded before: its effect too
      outcomes.push_back(ApplyOutcome::kDuplicate);
      continue;
    }
    BindText(effect.get(), 1, message.topic);
    sqlite3_bind_int(effect.get(), 2, message.partition);
    sqlite3_bind_int64(effect.get(), 3, message.offset);
    BindText(effect.get(), 4, effects[i].key);
    BindText(effect.get(), 5, effects[i].value);
    if (!Step(effect.get())) break;
    outcomes.push_back(ApplyOutcome::kApplied);
  }

  // All or nothing: a failed message rolls back the whole batch.
  if (outcomes.size() != messages.size() ||
      sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string failed =
        outcomes.size() < messages.size() ? Where(messages[outcomes.size()]) : first;
    Error error = SinkError(db_, "applying the batch at " + failed);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  return outcomes;
}

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
