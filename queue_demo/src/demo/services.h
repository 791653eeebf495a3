// The pipeline's in-process services: the order service with its outbox
// relay, the payments relay, and the notification consumer.
//
//   order service --outbox (orders.db)--> relay --> <orders>
//   payment consumers (child processes) --sink (payments.db)
//   payments relay: payments.db effects --> <payments>
//   notification consumer: <payments> --sink (notifications.db)
//
// Thread-safety: each service runs its own thread, and their methods are
// safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "queue_demo/consumer.h"
#include "queue_demo/outbox.h"
#include "queue_demo/producer.h"
#include "queue_demo/sink.h"

typedef struct sqlite3 sqlite3;

namespace queue_demo::demo {

// BackgroundLoop calls `step` every `interval` on its own thread until Stop.
class BackgroundLoop {
 public:
  BackgroundLoop(std::chrono::milliseconds interval, std::function<void()> step);
  ~BackgroundLoop() { Stop(); }
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  // Stop waits for the running step to finish and ends the loop.
  void Stop();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// OrderService places orders through the outbox at a steady rate, and its
// relay publishes the outbox to the orders topic.
class OrderService {
 public:
  // `outbox` and `producer` must outlive the service.
  OrderService(Outbox& outbox, Producer& producer, int orders_per_second);

  void StartPlacing();
  void StopPlacing();

  // PlaceOrders places `count` orders at once (a burst). PlaceOrderFor
  // places one order of `customer_id` and returns its order id.
  void PlaceOrders(int count);
  std::string PlaceOrderFor(const std::string& customer_id);

  // OrderIds returns the ids of every order placed, in order.
  std::vector<std::string> OrderIds() const;
  std::int64_t Published() const { return published_; }
  // LastError returns the latest placing or relay error, or "".
  std::string LastError() const;

 private:
  std::string PlaceNext(const std::string& customer_id);
  void Relay();

  Outbox& outbox_;
  Producer& producer_;
  int orders_per_second_;
  std::atomic<std::int64_t> published_{0};

  mutable std::mutex mutex_;  // guards order_ids_ and last_error_
  std::vector<std::string> order_ids_;
  std::string last_error_;

  std::chrono::steady_clock::time_point placing_since_;
  std::int64_t placed_by_rate_ = 0;
  std::unique_ptr<BackgroundLoop> placer_;
  std::unique_ptr<BackgroundLoop> relay_;
};

// PaymentsRelay publishes each payment the payment consumers' sink applied
// to the payments topic, reading the sink's effects table as an outbox.
//
// SQLite runs one write transaction at a time, so rowids grow in commit
// order and a cursor on the last published rowid misses nothing.
// NOTE: the cursor lives in memory: a relay that restarted would publish
// every payment again, which the notification consumer's sink would not
// recognise (it skips records by offset, not by payment id).
class PaymentsRelay {
 public:
  // Open opens the sink's database at `path` and starts relaying. Returns
  // nullptr and sets `error` on a failure. `producer` must outlive the relay.
  static std::unique_ptr<PaymentsRelay> Open(const std::string& path, Producer& producer,
                                             std::string topic, std::string& error);
  ~PaymentsRelay();
  PaymentsRelay(const PaymentsRelay&) = delete;
  PaymentsRelay& operator=(const PaymentsRelay&) = delete;

  void Stop();
  std::int64_t Published() const { return published_; }

 private:
  PaymentsRelay(sqlite3* db, Producer& producer, std::string topic);
  void RelayOnce();

  sqlite3* db_;
  Producer& producer_;
  std::string topic_;
  std::int64_t cursor_ = 0;  // the last published rowid, used by the loop thread only
  std::atomic<std::int64_t> published_{0};
  std::unique_ptr<BackgroundLoop> loop_;
};

// NotificationService is the notification consumer: one Consumer in this
// process, reading payments into its own idempotent sink.
class NotificationService {
 public:
  // Start creates the consumer and runs it. Returns nullptr and sets `error`
  // on a failure.
  // `sink` must outlive the service.
  static std::unique_ptr<NotificationService> Start(ConsumerOptions options, Sink& sink,
                                                    std::string& error);
  ~NotificationService();

  // Stop shuts the consumer down gracefully (final commit) and waits.
  void Stop();
  ConsumerStats Stats() const { return consumer_->Stats(); }

 private:
  explicit NotificationService(std::unique_ptr<Consumer> consumer);

  std::unique_ptr<Consumer> consumer_;
  std::thread runner_;
};

}  // namespace queue_demo::demo
