#include "services.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cstdio>

#include "events.h"
#include "queue_demo/outbox_relay.h"

namespace queue_demo::demo {
namespace {

constexpr int kRelayBatch = 200;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BackgroundLoop::BackgroundLoop(std::chrono::milliseconds interval,
                               std::function<void()> step)
    : thread_([this, interval, step = std::move(step)] {
        while (!stop_) {
          step();
          std::this_thread::sleep_for(interval);
        }
      }) {}

void BackgroundLoop::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

// --- OrderService ---

OrderService::OrderService(Outbox& outbox, Producer& producer, int orders_per_second)
    : outbox_(outbox), producer_(producer), orders_per_second_(orders_per_second) {
  relay_ = std::make_unique<BackgroundLoop>(std::chrono::milliseconds(20), [this] { Relay(); });
}

void OrderService::StartPlacing() {
  placing_since_ = std::chrono::steady_clock::now();
  placed_by_rate_ = 0;
  placer_ = std::make_unique<BackgroundLoop>(std::chrono::milliseconds(20), [this] {
    // Place as many orders as the rate allows since StartPlacing.
    const std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - placing_since_;
    const auto due = static_cast<std::int64_t>(elapsed.count() * orders_per_second_);
    for (; placed_by_rate_ < due; ++placed_by_rate_) PlaceNext("");
  });
}

void OrderService::StopPlacing() {
  if (placer_) placer_->Stop();
}

void OrderService::PlaceOrders(int count) {
  for (int i = 0; i < count; ++i) PlaceNext("");
}

std::string OrderService::PlaceOrderFor(const std::string& customer_id) {
  return PlaceNext(customer_id);
}

std::vector<std::string> OrderService::OrderIds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return order_ids_;
}

std::string OrderService::LastError() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_error_;
}

std::string OrderService::PlaceNext(const std::string& customer_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::size_t number = order_ids_.size() + 1;
  char order_id[32];
  std::snprintf(order_id, sizeof order_id, "o-%06zu", number);
  Order order;
  order.order_id = order_id;
  order.customer_id = customer_id.empty() ? "c-" + std::to_string(number % 16) : customer_id;
  order.amount_cents = 100 + static_cast<std::int64_t>(number % 50) * 25;

  const std::string error = outbox_.PlaceOrder(order);
  if (!error.empty()) {
    last_error_ = error;
    spdlog::error("placing an order failed: {}", error);
    return "";
  }
  order_ids_.push_back(order.order_id);
  return order.order_id;
}

void OrderService::Relay() {
  // Publish until the outbox is empty or a round fails.
  while (true) {
    RelayResult result = RelayOnce(outbox_, producer_, kRelayBatch, NowMs());
    published_ += result.published;
    if (!result.error.empty()) {
      spdlog::warn("outbox relay: {} ({} events left for the next round)", result.error,
                   result.pending);
      std::lock_guard<std::mutex> lock(mutex_);
      last_error_ = result.error;
      return;
    }
    if (result.published < kRelayBatch) return;
  }
}

// --- PaymentsRelay ---

std::unique_ptr<PaymentsRelay> PaymentsRelay::Open(const std::string& path, Producer& producer,
                                                   std::string topic, std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    error = "opening " + path + " failed: " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<PaymentsRelay> relay(new PaymentsRelay(db, producer, std::move(topic)));
  relay->loop_ = std::make_unique<BackgroundLoop>(std::chrono::milliseconds(20),
                                                  [r = relay.get()] { r->RelayOnce(); });
  return relay;
}

PaymentsRelay::PaymentsRelay(sqlite3* db, Producer& producer, std::string topic)
    : db_(db), producer_(producer), topic_(std::move(topic)) {}

PaymentsRelay::~PaymentsRelay() {
  Stop();
  sqlite3_close(db_);
}

void PaymentsRelay::Stop() {
  if (loop_) loop_->Stop();
}

void PaymentsRelay::RelayOnce() {
  // 1. Read the payments applied since the cursor.
  sqlite3_stmt* select = nullptr;
  sqlite3_prepare_v2(db_,
                     "SELECT rowid, key, value FROM effects WHERE rowid > ?1 "
                     "ORDER BY rowid LIMIT 500",
                     -1, &select, nullptr);
  if (select == nullptr) {
    spdlog::warn("payments relay: reading the effects failed: {}", sqlite3_errmsg(db_));
    return;
  }
  sqlite3_bind_int64(select, 1, cursor_);
  std::vector<std::int64_t> rowids;
  std::vector<OutgoingMessage> payments;
  while (sqlite3_step(select) == SQLITE_ROW) {
    rowids.push_back(sqlite3_column_int64(select, 0));
    OutgoingMessage payment;
    payment.topic = topic_;
    payment.key = reinterpret_cast<const char*>(sqlite3_column_text(select, 1));
    payment.value = reinterpret_cast<const char*>(sqlite3_column_text(select, 2));
    payment.headers = {{"event-id", "payment:" + payment.key}};
    payments.push_back(std::move(payment));
  }
  sqlite3_finalize(select);
  if (payments.empty()) return;

  // 2. Publish them, and move the cursor over the delivered prefix only.
  const std::vector<DeliveryReport> reports = producer_.PublishAll(payments);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!reports[i].ok()) {
      spdlog::warn("payments relay: publishing payment {} failed: {}; retrying",
                   payments[i].key, reports[i].error);
      return;
    }
    cursor_ = rowids[i];
    ++published_;
  }
}

// --- NotificationService ---

std::unique_ptr<NotificationService> NotificationService::Start(ConsumerOptions options,
                                                                Sink& sink,
                                                                std::string& error) {
  // The notification for a payment: one row per order in the sink.
  MessageHandler handler = [](const Message& message) -> HandlerResult {
    std::optional<std::string> order_id = JsonStringField(message.value, "order_id");
    std::optional<std::string> customer_id = JsonStringField(message.value, "customer_id");
    if (!order_id || !customer_id) {
      return HandlerFailure{FailureKind::kPermanent, "payment event without order_id or customer_id"};
    }
    return Effect{*order_id, "payment confirmation sent to " + *customer_id};
  };
  Result<std::unique_ptr<Consumer>> created = Consumer::Create(std::move(options), handler, sink);
  if (!created.ok()) {
    error = created.error().message;
    return nullptr;
  }
  return std::unique_ptr<NotificationService>(
      new NotificationService(std::move(created.value())));
}

NotificationService::NotificationService(std::unique_ptr<Consumer> consumer)
    : consumer_(std::move(consumer)) {
  runner_ = std::thread([this] {
    Status status = consumer_->Run();
    if (!status.ok()) spdlog::error("notification consumer: {}", status.error().message);
  });
}

NotificationService::~NotificationService() { Stop(); }

void NotificationService::Stop() {
  consumer_->Stop();
  if (runner_.joinable()) runner_.join();
}

}  // namespace queue_demo::demo
