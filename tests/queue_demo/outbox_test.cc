// The transactional outbox end to end. The store writes an order and its
// event together, or neither. The relay publishes through the idempotent
// Producer to the embedded broker on 127.0.0.1 while brokers go down,
// delivery reports are lost and the relay restarts. A
// consumer that dedupes by event id must see every order exactly once, and
// each customer's orders in the order they were placed.

#include "queue_demo/outbox.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kafka_test_util.h"
#include "queue_demo/broker.h"
#include "queue_demo/failure_router.h"
#include "queue_demo/outbox_relay.h"
#include "queue_demo/producer.h"

namespace queue_demo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kTopic = "order-events";
constexpr int kPartitions = 4;

Order MakeOrder(int i) {
  return {"o-" + std::to_string(i), "c-" + std::to_string(i % 4), 100 + i};
}

// ---------------------------------------------------------------------------
// The store alone.

TEST(OutboxStoreTest, PlaceOrderWritesOrderAndEvent) {
  OutboxResult opened = Outbox::Open(":memory:", kTopic);
  ASSERT_TRUE(opened.ok()) << opened.error;
  ASSERT_EQ(opened.outbox->PlaceOrder(MakeOrder(1)), "");
  EXPECT_EQ(opened.outbox->OrderCount(), 1) << "the order row is written";
  EXPECT_EQ(opened.outbox->PendingCount(), 1) << "with its event, unpublished";

  std::string error;
  const std::vector<OutboxEvent> events = opened.outbox->PendingEvents(10, error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id, "order-placed:o-1");
  EXPECT_EQ(events[0].topic, kTopic);
  EXPECT_EQ(events[0].key, "c-1");
}

TEST(OutboxStoreTest, DuplicateOrderWritesNeitherRow) {
  OutboxResult opened = Outbox::Open(":memory:", kTopic);
  ASSERT_TRUE(opened.ok()) << opened.error;
  ASSERT_EQ(opened.outbox->PlaceOrder(MakeOrder(1)), "");
  const std::string error = opened.outbox->PlaceOrder(MakeOrder(1));
  EXPECT_EQ(error, "order 'o-1': the order id already exists");
  EXPECT_EQ(opened.outbox->OrderCount(), 1) << "no second order row";
  EXPECT_EQ(opened.outbox->PendingCount(), 1) << "no second event row";
}

TEST(OutboxStoreTest, InvalidOrdersAreRejected) {
  OutboxResult opened = Outbox::Open(":memory:", kTopic);
  ASSERT_TRUE(opened.ok()) << opened.error;
  EXPECT_EQ(opened.outbox->PlaceOrder({"o-1", "c-1", 0}),
            "order 'o-1': amount_cents must be positive, got 0");
  EXPECT_NE(opened.outbox->PlaceOrder({"o 2", "c-1", 5}).find("order 'o 2'"),
            std::string::npos)
      << "an id with a space is rejected, naming the order";
  EXPECT_NE(opened.outbox->PlaceOrder({"o-3", "", 5}).find("ids must be"),
            std::string::npos)
      << "an empty customer id is rejected";
  EXPECT_EQ(opened.outbox->OrderCount(), 0) << "no invalid order is written";
  EXPECT_EQ(opened.outbox->PendingCount(), 0) << "and no event";
}

TEST(OutboxStoreTest, OpenReportsUnusablePath) {
  OutboxResult opened = Outbox::Open("/nonexistent-dir/outbox.db", kTopic);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error.find("/nonexistent-dir/outbox.db"), std::string::npos)
      << "the error names the path; got: " << opened.error;
}

// ---------------------------------------------------------------------------
// Through the embedded broker.

// LosingPublisher delivers through `inner` but reports every delivery as
// failed, as a relay that crashed before marking would behave.
class LosingPublisher final : public Publisher {
 public:
  explicit LosingPublisher(Publisher& inner) : inner_(inner) {}
  std::vector<DeliveryReport> PublishAll(
      std::span<const OutgoingMessage> messages) override {
    std::vector<DeliveryReport> reports = inner_.PublishAll(messages);
    for (DeliveryReport& report : reports) report.error = "report lost in a crash";
    return reports;
  }

 private:
  Publisher& inner_;
};

class OutboxBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BrokerResult started = EmbeddedBroker::Start(3);
    ASSERT_TRUE(started.ok()) << started.error().message;
    broker_ = started.release();
    ASSERT_EQ(broker_->CreateTopic(kTopic, kPartitions).message, "");
    db_path_ = std::filesystem::temp_directory_path() /
               ("queue_demo_outbox_" + std::to_string(getpid()) + ".db");
    std::filesystem::remove(db_path_);
    OpenOutbox();
  }
  void TearDown() override {
    outbox_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(db_path_.string() + suffix);
    }
  }

  void OpenOutbox() {
    outbox_.reset();
    OutboxResult opened = Outbox::Open(db_path_.string(), kTopic);
    ASSERT_TRUE(opened.ok()) << opened.error;
    outbox_ = std::move(opened.outbox);
  }

  std::unique_ptr<Producer> NewProducer(int delivery_timeout_ms) {
    ProducerOptions options;
    options.bootstrap_servers = broker_->bootstraps();
    options.delivery_timeout_ms = delivery_timeout_ms;
    options.close_timeout_ms = 2000;
    ProducerResult created = Producer::Create(options);
    EXPECT_TRUE(created.ok()) << created.error;
    return std::move(created.producer);
  }

  // RelayUntilEmpty runs relay rounds until nothing is pending (or 20 s).
  void RelayUntilEmpty(Publisher& publisher) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (outbox_->PendingCount() > 0 && std::chrono::steady_clock::now() < deadline) {
      const RelayResult result = RelayOnce(*outbox_, publisher, 16, 1);
      if (!result.error.empty()) std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_EQ(outbox_->PendingCount(), 0) << "the relay must empty the outbox";
  }

  // ExpectEachOrderOnceInKeyOrder reads the topic (`copies` records) and
  // checks that deduping by event id leaves orders o-1..o-count once each,
  // and that each customer's first copies arrive in placement order.
  void ExpectEachOrderOnceInKeyOrder(int count, size_t copies) {
    const std::vector<Message> records = testing::ReadTopic(
        broker_->bootstraps(), kTopic, kPartitions, copies, seconds(15));
    ASSERT_EQ(records.size(), copies)
        << "the topic must hold " << copies << " records (at least once)";
    std::set<std::string> seen;
    std::map<std::string, int> last_order_of_customer;
    for (const Message& record : records) {
      const std::string event_id = FindHeader(record.headers, kEventIdHeader).value_or("");
      ASSERT_FALSE(event_id.empty()) << "every record carries an event-id header";
      if (!seen.insert(event_id).second) continue;  // a duplicate, deduped

      const int order = std::stoi(event_id.substr(event_id.find(":o-") + 3));
      auto [last, inserted] = last_order_of_customer.try_emplace(record.key, order);
      if (!inserted) {
        EXPECT_LT(last->second, order)
            << "customer " << record.key << ": order o-" << order
            << " arrived after o-" << last->second << ", out of placement order";
        last->second = order;
      }
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(count))
        << "after dedupe by event id, every order appears exactly once";
  }

  testing::Watchdog watchdog_{seconds(80), "OutboxBrokerTest"};
  std::unique_ptr<EmbeddedBroker> broker_;
  std::filesystem::path db_path_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxBrokerTest, RelayDeliversEveryOrderOnce) {
  for (int i = 1; i <= 40; ++i) ASSERT_EQ(outbox_->PlaceOrder(MakeOrder(i)), "");
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  RelayUntilEmpty(*producer);
  ExpectEachOrderOnceInKeyOrder(40, 40);
}

TEST_F(OutboxBrokerTest, BrokersDownThenUpLosesNothing) {
  for (int i = 1; i <= 20; ++i) ASSERT_EQ(outbox_->PlaceOrder(MakeOrder(i)), "");
  std::unique_ptr<Producer> producer = NewProducer(1500);
  ASSERT_NE(producer, nullptr);

  // Every broker down: the deliveries time out and nothing is marked.
  for (int id = 1; id <= 3; ++id) ASSERT_EQ(broker_->SetBrokerDown(id).message, "");
  const RelayResult down = RelayOnce(*outbox_, *producer, 16, 1);
  EXPECT_EQ(down.published, 0) << "no delivery can succeed with every broker down";
  EXPECT_FALSE(down.error.empty()) << "the round reports the delivery failure";
  EXPECT_EQ(outbox_->PendingCount(), 20) << "every event stays pending";

  // Brokers back: the next rounds deliver everything.
  for (int id = 1; id <= 3; ++id) ASSERT_EQ(broker_->SetBrokerUp(id).message, "");
  RelayUntilEmpty(*producer);
  ExpectEachOrderOnceInKeyOrder(20, 20);
}

TEST_F(OutboxBrokerTest, CrashBeforeMarkingRepublishesThenDedupes) {
  for (int i = 1; i <= 12; ++i) ASSERT_EQ(outbox_->PlaceOrder(MakeOrder(i)), "");
  {
    // The first relay publishes everything but "crashes" before marking.
    std::unique_ptr<Producer> producer = NewProducer(10000);
    ASSERT_NE(producer, nullptr);
    LosingPublisher losing(*producer);
    const RelayResult crashed = RelayOnce(*outbox_, losing, 16, 1);
    EXPECT_EQ(crashed.published, 0) << "no report arrived, so nothing is marked";
  }

  // A new relay process: reopen the database and run again.
  OpenOutbox();
  EXPECT_EQ(outbox_->PendingCount(), 12) << "the restart finds every event pending";
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  RelayUntilEmpty(*producer);
  ExpectEachOrderOnceInKeyOrder(12, 24);
}

}  // namespace
}  // namespace queue_demo
