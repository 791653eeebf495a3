// RelayOnce: the outbox relay publishes events in outbox order and marks
// an event published only after its delivery report, stopping at the first
// failure so the next round starts from there, in order. These tests use an
// in-memory SQLite outbox and an in-memory publisher: no broker.

#include "queue_demo/outbox_relay.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "queue_demo/outbox.h"
#include "queue_demo/publisher.h"

namespace queue_demo {
namespace {

// RecordingPublisher keeps every message it is given and fails the ones at
// the positions in `fail_at` (counted from 0 across all calls).
class RecordingPublisher final : public Publisher {
 public:
  std::vector<DeliveryReport> PublishAll(
      std::span<const OutgoingMessage> messages) override {
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

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OutboxResult opened = Outbox::Open(":memory:", "order-events");
    ASSERT_TRUE(opened.ok()) << opened.error;
    outbox_ = std::move(opened.outbox);
  }

  // PlaceOrders places orders o-1 .. o-N for customers c-1 .. c-3 in turn.
  void PlaceOrders(int count) {
    for (int i = 1; i <= count; ++i) {
      const Order order{"o-" + std::to_string(i), "c-" + std::to_string((i - 1) % 3 + 1),
                        100 * i};
      ASSERT_EQ(outbox_->PlaceOrder(order), "") << "placing order o-" << i;
    }
  }

  static std::string EventIdOf(const OutgoingMessage& message) {
    for (const auto& [name, value] : message.headers) {
      if (name == kEventIdHeader) return value;
    }
    return "<no event-id header>";
  }

  std::unique_ptr<Outbox> outbox_;
  RecordingPublisher publisher_;
};

TEST_F(OutboxRelayTest, PublishesPendingEventsInOrder) {
  PlaceOrders(5);
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);
  EXPECT_EQ(result.error, "") << "every delivery succeeded";
  EXPECT_EQ(result.published, 5) << "all 5 pending events are published";
  EXPECT_EQ(result.pending, 0) << "nothing is left pending";
  ASSERT_EQ(publisher_.published.size(), 5u) << "5 messages reach the publisher";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(EventIdOf(publisher_.published[i]), "order-placed:o-" + std::to_string(i + 1))
        << "events must be published in outbox order, oldest first";
  }
  EXPECT_EQ(outbox_->PendingCount(), 0)
      << "every delivered event must be marked published in the outbox";
}

TEST_F(OutboxRelayTest, MessageCarriesRowTopicKeyAndPayload) {
  PlaceOrders(1);
  (void)RelayOnce(*outbox_, publisher_, 10, 1000);
  ASSERT_EQ(publisher_.published.size(), 1u) << "one event, one message";
  const OutgoingMessage& message = publisher_.published.front();
  EXPECT_EQ(message.topic, "order-events") << "the topic comes from the row";
  EXPECT_EQ(message.key, "c-1")
      << "the key is the customer id, so one customer's events keep their order";
  EXPECT_EQ(message.value,
            "{\"event_id\":\"order-placed:o-1\",\"order_id\":\"o-1\","
            "\"customer_id\":\"c-1\",\"amount_cents\":100}")
      << "the value is the row's payload, unchanged";
  EXPECT_EQ(EventIdOf(message), "order-placed:o-1")
      << "every message carries its event id in the event-id header, for "
         "consumers to dedupe on";
}

TEST_F(OutboxRelayTest, SecondRoundPublishesNothingNew) {
  PlaceOrders(3);
  (void)RelayOnce(*outbox_, publisher_, 10, 1000);
  const RelayResult again = RelayOnce(*outbox_, publisher_, 10, 2000);
  EXPECT_EQ(again.published, 0) << "published events are not published again";
  EXPECT_EQ(publisher_.published.size(), 3u)
      << "the second round must not send the 3 delivered events again";
  EXPECT_EQ(publisher_.calls, 1)
      << "with nothing pending the relay does not call the publisher at all";
}

TEST_F(OutboxRelayTest, BatchSizeBoundsOneRound) {
  PlaceOrders(5);
  const RelayResult result = RelayOnce(*outbox_, publisher_, 2, 1000);
  EXPECT_EQ(result.published, 2) << "a round publishes at most batch_size (2) events";
  EXPECT_EQ(outbox_->PendingCount(), 3) << "3 of 5 events are still pending";
}

TEST_F(OutboxRelayTest, FailedDeliveryIsNotMarked) {
  PlaceOrders(1);
  publisher_.fail_at = {0};
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);
  EXPECT_EQ(result.published, 0) << "the only event failed";
  EXPECT_EQ(result.pending, 1) << "the failed event stays pending";
  EXPECT_NE(result.error.find("order-placed:o-1"), std::string::npos)
      << "the error names the failed event's id; got: " << result.error;
  EXPECT_NE(result.error.find("timed out"), std::string::npos)
      << "the error carries the delivery report's reason; got: " << result.error;
  EXPECT_EQ(outbox_->PendingCount(), 1)
      << "an event whose delivery failed must stay unpublished in the outbox";
}

TEST_F(OutboxRelayTest, MarkingStopsAtFirstFailure) {
  PlaceOrders(5);
  publisher_.fail_at = {2};  // the 3rd event, o-3, fails
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);
  EXPECT_EQ(result.published, 2)
      << "o-1 and o-2 were delivered before the failure and are marked";
  EXPECT_EQ(result.pending, 3)
      << "o-3 failed, and o-4, o-5 after it wait too, so the outbox order is "
         "kept on the next round";
  EXPECT_EQ(outbox_->PendingCount(), 3) << "o-3, o-4 and o-5 are still pending";

  // The next round starts again at the failed event, in order.
  const RelayResult retry = RelayOnce(*outbox_, publisher_, 10, 2000);
  EXPECT_EQ(retry.published, 3) << "the next round delivers o-3, o-4, o-5";
  ASSERT_EQ(publisher_.published.size(), 8u) << "5 sends, then 3 again";
  EXPECT_EQ(EventIdOf(publisher_.published[5]), "order-placed:o-3")
      << "the next round starts with the event that failed";
  EXPECT_EQ(EventIdOf(publisher_.published[6]), "order-placed:o-4");
  EXPECT_EQ(EventIdOf(publisher_.published[7]), "order-placed:o-5");
  EXPECT_EQ(outbox_->PendingCount(), 0) << "everything is published in the end";
}

TEST_F(OutboxRelayTest, EmptyOutboxIsNotAnError) {
  const RelayResult result = RelayOnce(*outbox_, publisher_, 10, 1000);
  EXPECT_EQ(result.error, "") << "an empty outbox is the normal idle state";
  EXPECT_EQ(result.published, 0) << "nothing to publish";
  EXPECT_EQ(publisher_.calls, 0) << "no call to the publisher for no events";
}

}  // namespace
}  // namespace queue_demo
