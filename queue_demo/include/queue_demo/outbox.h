// Outbox: the order service's SQLite store, with a transactional outbox.
//
// Writing an order to the database and publishing its event to Kafka are
// two systems: doing both directly loses the event when the process dies
// between them, or publishes an event for an order that was rolled back.
// The outbox makes them one local transaction: PlaceOrder inserts the order
// row and its event row together, and a relay (outbox_relay.h) publishes
// the event rows later, in order, marking each published only after its
// delivery report. A crash between publishing and marking publishes the
// event again: at least once, with a stable event id for consumers to
// dedupe on.
//
// Schema (created by Open if missing):
//
//   CREATE TABLE orders (
//     order_id      TEXT PRIMARY KEY,
//     customer_id   TEXT NOT NULL,
//     amount_cents  INTEGER NOT NULL,
//     created_at_ms INTEGER NOT NULL);
//   CREATE TABLE outbox (
//     id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- publish order
//     event_id        TEXT NOT NULL UNIQUE,  -- "order-placed:<order_id>"
//     topic           TEXT NOT NULL,
//     key             TEXT NOT NULL,         -- the customer id
//     payload         TEXT NOT NULL,         -- JSON
//     created_at_ms   INTEGER NOT NULL,
//     published_at_ms INTEGER);              -- NULL until delivered
//
// Thread-safety: an Outbox is safe from any thread (one connection behind a
// mutex). Several processes may open the same file; SQLite serializes the
// writes (busy timeout 5 s).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

typedef struct sqlite3 sqlite3;

namespace queue_demo {

struct Order {
  std::string order_id;     // unique; non-empty
  std::string customer_id;  // the event's key; non-empty
  std::int64_t amount_cents = 0;  // > 0
};

// OutboxEvent is one row of the outbox table.
struct OutboxEvent {
  std::int64_t id = 0;
  std::string event_id;
  std::string topic;
  std::string key;
  std::string payload;
  std::int64_t created_at_ms = 0;  // wall clock, ms since the Unix epoch
};

class Outbox;

struct [[nodiscard]] OutboxResult {
  std::unique_ptr<Outbox> outbox;
  std::string error;
  bool ok() const { return outbox != nullptr; }
};

class Outbox {
 public:
  // Open opens or creates the database at `path` (":memory:" for a private
  // one) and creates the tables if missing. Events go to `topic`.
  static OutboxResult Open(const std::string& path, std::string topic);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // PlaceOrder inserts the order and its "order-placed" event in one
  // transaction. Returns "" or the reason, naming the order: an invalid
  // field, a duplicate order id, or a database error. On error neither row
  // is written.
  std::string PlaceOrder(const Order& order);

  // PendingEvents returns up to `limit` unpublished events, oldest first
  // (by id). Returns an empty list and sets `error` on a database error.
  std::vector<OutboxEvent> PendingEvents(int limit, std::string& error);

  // MarkPublished records the events with these ids as published at
  // `now_ms`, in one transaction. Returns "" or the database error.
  std::string MarkPublished(const std::vector<std::int64_t>& ids,
                            std::int64_t now_ms);

  // PendingCount and OrderCount count unpublished events and orders; -1
  // on a database error.
  std::int64_t PendingCount();
  std::int64_t OrderCount();

 private:
  Outbox(sqlite3* db, std::string topic) : db_(db), topic_(std::move(topic)) {}

  std::mutex mutex_;
  sqlite3* db_;
  std::string topic_;
};

// OrderPlacedEventId returns the event id of an order's "order-placed"
// event: "order-placed:<order_id>".
std::string OrderPlacedEventId(const std::string& order_id);

}  // namespace queue_demo
