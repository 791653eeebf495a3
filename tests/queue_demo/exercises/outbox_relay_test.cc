// Outbox relay exercise: RelayOnce, step by step.
//
// The unit tests use an in-memory SQLite outbox and an in-memory publisher
// that fails the sends a test selects, so each round's publishing and
// marking are checked exactly. The last test relays through the real
// idempotent Producer to the embedded broker, with every broker down for
// one round.

#include "queue_demo/outbox_relay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../consumer_test_support.h"
#include "exercise_support.h"
#include "kafka_test_util.h"
#include "queue_demo/outbox.h"
#include "queue_demo/producer.h"

namespace queue_demo {
namespace {

using namespace std::chrono_literals;

// RecordingPublisher keeps every message it is given and fails the sends
// at the positions in `fail_at`, counted from 0 across all calls.
class RecordingPublisher final : public Publisher {
 public:
  std::vector<DeliveryReport> PublishAll(std::span<const OutgoingMessage> messages) override {
    ++calls;
    std::vector<DeliveryReport> reports;
    for (const OutgoingMessage& message : messages) {
      const int position = static_cast<int>(published.size());
      published.push_back(message);
      if (fail_at.count(position) > 0) {
        reports.push_back({"Local: Message timed out"});
      } else {
        reports.push_back({"", 0, position});
      }
    }
    return reports;
  }

  std::vector<OutgoingMessage> published;
  std::set<int> fail_at;
  int calls = 0;
};

std::string EventIdOf(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (name == kEventIdHeader) return value;
  }
  return "<no event-id header>";
}

std::string EventId(int order) { return "order-placed:o-" + std::to_string(order); }

class OutboxRelayExercise : public ::testing::Test {
 protected:
  void SetUp() override {
    OutboxResult opened = Outbox::Open(":memory:", "order-events");
    ASSERT_TRUE(opened.ok()) << opened.error;
    outbox_ = std::move(opened.outbox);
  }

  // PlaceOrders places orders o-first .. o-last for customers c-1 .. c-3 in turn.
  void PlaceOrders(int first, int last) {
    for (int i = first; i <= last; ++i) {
      const Order order{"o-" + std::to_string(i), "c-" + std::to_string((i - 1) % 3 + 1), 100 * i};
      ASSERT_EQ(outbox_->PlaceOrder(order), "") << "placing order o-" << i;
    }
  }

  std::unique_ptr<Outbox> outbox_;
  RecordingPublisher publisher_;
};

TEST_F(OutboxRelayExercise, PublishesInOutboxOrder) {
  PlaceOrders(1, 5);
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);

  EXPECT_EQ(result.error, "") << "every delivery succeeded, so the round has no error";
  EXPECT_EQ(result.published, 5) << "all 5 pending events are delivered and marked";
  EXPECT_EQ(result.pending, 0) << "nothing is left pending";
  ASSERT_EQ(publisher_.published.size(), 5u) << "5 events, 5 messages";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(EventIdOf(publisher_.published[i].headers), EventId(i + 1))
        << "message " << i << " must be event o-" << i + 1 << ": publish in outbox order";
  }
  EXPECT_EQ(outbox_->PendingCount(), 0) << "every delivered event is marked published";
}

TEST_F(OutboxRelayExercise, MessageComesFromRow) {
  PlaceOrders(1, 1);
  (void)RelayOnce(*outbox_, publisher_, 10, 1000);

  ASSERT_EQ(publisher_.published.size(), 1u) << "one event, one message";
  const OutgoingMessage& message = publisher_.published.front();
  EXPECT_EQ(message.topic, "order-events") << "the topic comes from the outbox row";
  EXPECT_EQ(message.key, "c-1")
      << "the key is the row's key (the customer id), so one customer's events keep their order";
  EXPECT_EQ(message.value,
            "{\"event_id\":\"order-placed:o-1\",\"order_id\":\"o-1\","
            "\"customer_id\":\"c-1\",\"amount_cents\":100}")
      << "the value is the row's payload, unchanged";
  EXPECT_EQ(EventIdOf(message.headers), EventId(1))
      << "every message carries its event id in the event-id header, for consumers to dedupe on";
  EXPECT_EQ(message.headers.size(), 1u) << "event-id is the only header";
}

TEST_F(OutboxRelayExercise, NothingPendingSendsNothing) {
  const RelayResult empty = RelayOnce(*outbox_, publisher_, 10, 1000);
  EXPECT_EQ(empty.error, "") << "an empty outbox is the normal idle state, not an error";
  EXPECT_EQ(publisher_.calls, 0) << "with nothing pending, do not call the publisher";

  PlaceOrders(1, 3);
  (void)RelayOnce(*outbox_, publisher_, 10, 1000);
  const RelayResult again = RelayOnce(*outbox_, publisher_, 10, 2000);
  EXPECT_EQ(again.published, 0) << "published events are never published again";
  EXPECT_EQ(publisher_.published.size(), 3u) << "3 events, sent once each";
  EXPECT_EQ(publisher_.calls, 1)
      << "the second round, with nothing pending, must not call the publisher";
}

TEST_F(OutboxRelayExercise, BatchSizeBoundsRound) {
  PlaceOrders(1, 5);
  const RelayResult result = RelayOnce(*outbox_, publisher_, 2, 1000);
  EXPECT_EQ(result.published, 2) << "a round publishes at most batch_size (2) events";
  EXPECT_EQ(publisher_.published.size(), 2u) << "a round sends at most batch_size (2) messages";
  EXPECT_EQ(outbox_->PendingCount(), 3) << "3 of 5 events are still pending";
}

TEST_F(OutboxRelayExercise, FailedDeliveryStaysPending) {
  PlaceOrders(1, 1);
  publisher_.fail_at = {0};
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);

  EXPECT_EQ(result.published, 0) << "the only event failed, so nothing is marked";
  EXPECT_EQ(result.pending, 1) << "the failed event stays pending";
  EXPECT_NE(result.error.find("order-placed:o-1"), std::string::npos)
      << "the error must name the failed event's id; got: " << result.error;
  EXPECT_NE(result.error.find("timed out"), std::string::npos)
      << "the error must carry the delivery report's reason; got: " << result.error;
  EXPECT_EQ(outbox_->PendingCount(), 1)
      << "an event whose delivery failed must stay unpublished, or it is lost";
}

TEST_F(OutboxRelayExercise, MarkingStopsAtFirstFailure) {
  PlaceOrders(1, 5);
  publisher_.fail_at = {2};  // the 3rd message, o-3, fails
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);

  EXPECT_EQ(result.published, 2) << "o-1 and o-2 were delivered before the failure: mark them";
  EXPECT_EQ(result.pending, 3)
      << "o-3 failed, and o-4 and o-5 after it stay pending too, so the next "
         "round publishes them again in outbox order";
  EXPECT_EQ(outbox_->PendingCount(), 3) << "o-3, o-4 and o-5 are still pending";

  const RelayResult next = RelayOnce(*outbox_, publisher_, 10, 2000);
  EXPECT_EQ(next.published, 3) << "the next round delivers o-3, o-4 and o-5";
  ASSERT_EQ(publisher_.published.size(), 8u) << "5 messages in the first round, 3 in the next";
  EXPECT_EQ(EventIdOf(publisher_.published[5].headers), EventId(3))
      << "the next round starts with the event that failed, o-3";
  EXPECT_EQ(EventIdOf(publisher_.published[6].headers), EventId(4)) << "then o-4";
  EXPECT_EQ(EventIdOf(publisher_.published[7].headers), EventId(5)) << "then o-5";
  EXPECT_EQ(outbox_->PendingCount(), 0) << "everything is published in the end";
}

// The learner's RelayOnce with the real Producer: one round to a healthy
// cluster, one with every broker down, and one after they come back.
TEST_F(OutboxRelayExercise, RelaysThroughBrokerOutage) {
  ASSERT_TRUE(exercise::Implemented([] {
    OutboxResult probe = Outbox::Open(":memory:", "order-events");
    RecordingPublisher publisher;
    if (probe.ok()) (void)RelayOnce(*probe.outbox, publisher, 1, 0);
  }));
  testing::ConsumerWatchdog watchdog(25s, "OutboxRelayExercise.RelaysThroughBrokerOutage");
  auto broker = exercise::StartBroker({{"order-events", 2}});
  ASSERT_NE(broker, nullptr);
  ProducerOptions options;
  options.bootstrap_servers = broker->bootstraps();
  options.delivery_timeout_ms = 2000;
  options.close_timeout_ms = 2000;
  options.properties = {{"reconnect.backoff.max.ms", "300"}, {"log_level", "2"}};
  ProducerResult producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok()) << producer.error;

  // A healthy round: all 6 events delivered, in order per customer.
  PlaceOrders(1, 6);
  const RelayResult healthy = RelayOnce(*outbox_, *producer.producer, 100, 1000);
  EXPECT_EQ(healthy.error, "") << "every broker is up, so every delivery succeeds";
  EXPECT_EQ(healthy.published, 6) << "all 6 events are delivered and marked";

  // Every broker down: the round fails and marks nothing.
  PlaceOrders(7, 8);
  for (int id = 1; id <= 3; ++id) {
    ASSERT_EQ(broker->SetBrokerDown(id).message, "") << "taking broker " << id << " down";
  }
  const RelayResult outage = RelayOnce(*outbox_, *producer.producer, 100, 2000);
  EXPECT_EQ(outage.published, 0)
      << "no broker is up, so no delivery report is a success and nothing may be marked";
  EXPECT_NE(outage.error, "") << "the round must report the failed delivery";
  EXPECT_EQ(outbox_->PendingCount(), 2) << "o-7 and o-8 must stay pending during the outage";

  // Brokers back: the next rounds deliver the pending events.
  for (int id = 1; id <= 3; ++id) {
    ASSERT_EQ(broker->SetBrokerUp(id).message, "") << "bringing broker " << id << " back";
  }
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        (void)RelayOnce(*outbox_, *producer.producer, 100, 3000);
        return outbox_->PendingCount() == 0;
      },
      12s))
      << "after the brokers come back, the relay must deliver o-7 and o-8 within 12 s";

  // Every event is in the topic, and each customer's events are in order.
  const std::vector<Message> records =
      testing::ReadTopic(broker->bootstraps(), "order-events", 2, 8, 5s);
  std::map<std::string, std::vector<std::string>> by_customer;
  std::set<std::string> event_ids;
  for (const Message& record : records) {
    by_customer[record.key].push_back(EventIdOf(record.headers));
    event_ids.insert(EventIdOf(record.headers));
  }
  EXPECT_EQ(event_ids.size(), 8u) << "all 8 events must reach the topic, each with its event-id";
  EXPECT_EQ(by_customer["c-1"], (std::vector<std::string>{EventId(1), EventId(4), EventId(7)}))
      << "customer c-1's events must arrive in outbox order";
  EXPECT_EQ(by_customer["c-2"], (std::vector<std::string>{EventId(2), EventId(5), EventId(8)}))
      << "customer c-2's events must arrive in outbox order";
}

}  // namespace
}  // namespace queue_demo
