#include "queue_demo/outbox.h"

#include <sqlite3.h>

#include <chrono>

namespace queue_demo {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS orders (
  order_id      TEXT PRIMARY KEY,
  customer_id   TEXT NOT NULL,
  amount_cents  INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT NOT NULL UNIQUE,
  topic           TEXT NOT NULL,
  key             TEXT NOT NULL,
  payload         TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  published_at_ms INTEGER);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id)
  WHERE published_at_ms IS NULL;
)sql";

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// IsPlainId accepts 1 to 64 characters of [A-Za-z0-9._:-], so ids go into
// the JSON payload and the Kafka key without escaping.
bool IsPlainId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                       c == ':' || c == '-';
    if (!plain) return false;
  }
  return true;
}

// Statement owns one prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr);
  }
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt* get() const { return statement_; }
  bool ok() const { return statement_ != nullptr; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

std::string Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return "";
  std::string error = message != nullptr ? message : sqlite3_errmsg(db);
  sqlite3_free(message);
  return error;
}

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(),
                    static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string Text(sqlite3_stmt* statement, int column) {
  const auto* text = sqlite3_column_text(statement, column);
  return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

std::int64_t Count(sqlite3* db, const char* sql) {
  Statement statement(db, sql);
  if (!statement.ok() || sqlite3_step(statement.get()) != SQLITE_ROW) return -1;
  return sqlite3_column_int64(statement.get(), 0);
}

}  // namespace

std::string OrderPlacedEventId(const std::string& order_id) {
  return "order-placed:" + order_id;
}

OutboxResult Outbox::Open(const std::string& path, std::string topic) {
  if (topic.empty()) return {nullptr, "outbox: the event topic is empty"};
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string error = "outbox: opening '" + path + "' failed: " +
                        (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return {nullptr, error};
  }
  sqlite3_busy_timeout(db, 5000);
  // WAL lets the relay read while the order service writes.
  Exec(db, "PRAGMA journal_mode=WAL");
  if (std::string error = Exec(db, kSchema); !error.empty()) {
    sqlite3_close(db);
    return {nullptr, "outbox: creating the tables in '" + path +
                         "' failed: " + error};
  }
  return {std::unique_ptr<Outbox>(new Outbox(db, std::move(topic))), ""};
}

Outbox::~Outbox() { sqlite3_close(db_); }

std::string Outbox::PlaceOrder(const Order& order) {
  if (!IsPlainId(order.order_id) || !IsPlainId(order.customer_id)) {
    return "order '" + order.order_id + "' of customer '" + order.customer_id +
           "': ids must be 1 to 64 characters of letters, digits, '.', '_', "
           "':' or '-'";
  }
  if (order.amount_cents <= 0) {
    return "order '" + order.order_id + "': amount_cents must be positive, got " +
           std::to_string(order.amount_cents);
  }
  const std::int64_t now = NowMs();
  const std::string event_id = OrderPlacedEventId(order.order_id);
  const std::string payload =
      "{\"event_id\":\"" + event_id + "\",\"order_id\":\"" + order.order_id +
      "\",\"customer_id\":\"" + order.customer_id +
      "\",\"amount_cents\":" + std::to_string(order.amount_cents) + "}";

  std::lock_guard<std::mutex> lock(mutex_);
  if (std::string error = Exec(db_, "BEGIN IMMEDIATE"); !error.empty()) {
    return "order '" + order.order_id + "': " + error;
  }

  // 1. The order row.
  Statement insert_order(db_,
                         "INSERT INTO orders (order_id, customer_id, "
                         "amount_cents, created_at_ms) VALUES (?, ?, ?, ?)");
  BindText(insert_order.get(), 1, order.order_id);
  BindText(insert_order.get(), 2, order.customer_id);
  sqlite3_bind_int64(insert_order.get(), 3, order.amount_cents);
  sqlite3_bind_int64(insert_order.get(), 4, now);
  int status = sqlite3_step(insert_order.get());

  // 2. Its event, in the same transaction.
  if (status == SQLITE_DONE) {
    Statement insert_event(db_,
                           "INSERT INTO outbox (event_id, topic, key, payload, "
                           "created_at_ms) VALUES (?, ?, ?, ?, ?)");
    BindText(insert_event.get(), 1, event_id);
    BindText(insert_event.get(), 2, topic_);
    BindText(insert_event.get(), 3, order.customer_id);
    BindText(insert_event.get(), 4, payload);
    sqlite3_bind_int64(insert_event.get(), 5, now);
    status = sqlite3_step(insert_event.get());
  }

  // 3. Both or neither.
  if (status != SQLITE_DONE) {
    const std::string error =
        status == SQLITE_CONSTRAINT ? "the order id already exists"
                                    : sqlite3_errmsg(db_);
    Exec(db_, "ROLLBACK");
    return "order '" + order.order_id + "': " + error;
  }
  if (std::string error = Exec(db_, "COMMIT"); !error.empty()) {
    Exec(db_, "ROLLBACK");
    return "order '" + order.order_id + "': commit failed: " + error;
  }
  return "";
}

std::vector<OutboxEvent> Outbox::PendingEvents(int limit, std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement select(db_,
                   "SELECT id, event_id, topic, key, payload, created_at_ms "
                   "FROM outbox WHERE published_at_ms IS NULL "
                   "ORDER BY id LIMIT ?");
  std::vector<OutboxEvent> events;
  if (!select.ok()) {
    error = std::string("outbox: reading pending events failed: ") +
            sqlite3_errmsg(db_);
    return events;
  }
  sqlite3_bind_int(select.get(), 1, limit);
  int status;
  while ((status = sqlite3_step(select.get())) == SQLITE_ROW) {
    events.push_back({sqlite3_column_int64(select.get(), 0),
                      Text(select.get(), 1), Text(select.get(), 2),
                      Text(select.get(), 3), Text(select.get(), 4),
                      sqlite3_column_int64(select.get(), 5)});
  }
  if (status != SQLITE_DONE) {
    error = std::string("outbox: reading pending events failed: ") +
            sqlite3_errmsg(db_);
    events.clear();
  }
  return events;
}

std::string Outbox::MarkPublished(const std::vector<std::int64_t>& ids,
                                  std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::string error = Exec(db_, "BEGIN IMMEDIATE"); !error.empty()) {
    return "outbox: marking events published failed: " + error;
  }
  Statement update(db_,
                   "UPDATE outbox SET published_at_ms = ? WHERE id = ? "
                   "AND published_at_ms IS NULL");
  for (std::int64_t id : ids) {
    sqlite3_bind_int64(update.get(), 1, now_ms);
    sqlite3_bind_int64(update.get(), 2, id);
    if (sqlite3_step(update.get()) != SQLITE_DONE) {
      const std::string error = sqlite3_errmsg(db_);
      Exec(db_, "ROLLBACK");
      return "outbox: marking event " + std::to_string(id) +
             " published failed: " + error;
    }
    sqlite3_reset(update.get());
  }
  if (std::string error = Exec(db_, "COMMIT"); !error.empty()) {
    Exec(db_, "ROLLBACK");
    return "outbox: committing published marks failed: " + error;
  }
  return "";
}

std::int64_t Outbox::PendingCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  return Count(db_, "SELECT COUNT(*) FROM outbox WHERE published_at_ms IS NULL");
}

std::int64_t Outbox::OrderCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  return Count(db_, "SELECT COUNT(*) FROM orders");
}

}  // namespace queue_demo
