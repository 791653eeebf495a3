// Producer against the embedded broker on 127.0.0.1: a send completes on
// its delivery report, failures come back as values with the reason, and
// per-key order survives injected produce errors and a leader change.

#include "queue_demo/producer.h"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kafka_test_util.h"
#include "queue_demo/broker.h"

namespace queue_demo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ProducerCreateTest, EmptyBootstrapIsRejected) {
  ProducerResult created = Producer::Create(ProducerOptions{});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error, "producer: bootstrap_servers is empty: give HOST:PORT");
}

TEST(ProducerCreateTest, InvalidPropertyIsNamed) {
  ProducerOptions options;
  options.bootstrap_servers = "127.0.0.1:1";
  options.properties = {{"linger.ms", "minus one"}};
  ProducerResult created = Producer::Create(options);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error.find("linger.ms=minus one"), std::string::npos)
      << "the error names the property and its value; got: " << created.error;
}

class ProducerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BrokerResult started = EmbeddedBroker::Start(3);
    ASSERT_TRUE(started.ok()) << started.error().message;
    broker_ = started.release();
    ASSERT_EQ(broker_->CreateTopic("events", 4).message, "");
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

  // KeyedSequence returns `count` messages over 8 keys, value "<key>:<n>"
  // with n counting up per key.
  static std::vector<OutgoingMessage> KeyedSequence(int count) {
    std::vector<OutgoingMessage> messages;
    std::map<std::string, int> next;
    for (int i = 0; i < count; ++i) {
      const std::string key = "k" + std::to_string(i % 8);
      messages.push_back({"events", key, key + ":" + std::to_string(next[key]++), {}});
    }
    return messages;
  }

  // ExpectKeyedSequence checks that the topic contains exactly `count`
  // records (it waits 2 s for one more) and that each key's values count up
  // from 0 without a gap or repeat.
  void ExpectKeyedSequence(int count) {
    const std::vector<Message> records = testing::ReadTopic(
        broker_->bootstraps(), "events", 4, count + 1, seconds(2));
    EXPECT_EQ(records.size(), static_cast<size_t>(count))
        << "exactly " << count << " records: none lost, none duplicated";
    std::map<std::string, int> next;
    for (const Message& record : records) {
      const int n = std::stoi(record.value.substr(record.value.find(':') + 1));
      EXPECT_EQ(n, next[record.key]++)
          << "key " << record.key << ": values must arrive in send order";
    }
  }

  testing::Watchdog watchdog_{seconds(60), "ProducerTest"};
  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(ProducerTest, SendReturnsPartitionAndOffset) {
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 3; ++i) {
    OutgoingMessage message{"events", "", "v" + std::to_string(i), {}};
    message.partition = 2;
    const DeliveryReport report = producer->Send(message);
    ASSERT_TRUE(report.ok()) << report.error;
    EXPECT_EQ(report.partition, 2) << "the report names the partition written";
    EXPECT_EQ(report.offset, i) << "offsets in a new partition count from 0";
  }
}

TEST_F(ProducerTest, KeysAndHeadersArriveIntact) {
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  const OutgoingMessage keyed{"events", "customer-9", "{\"n\":1}",
                              {{"trace", "a"}, {"trace", "b"}, {"empty", ""}}};
  OutgoingMessage unkeyed{"events", "", "no key", {}};
  unkeyed.partition = 0;
  ASSERT_TRUE(producer->Send(keyed).ok());
  ASSERT_TRUE(producer->Send(unkeyed).ok());

  const std::vector<Message> records =
      testing::ReadTopic(broker_->bootstraps(), "events", 4, 2, seconds(10));
  ASSERT_EQ(records.size(), 2u);
  const Message& with_key = records[0].key == "customer-9" ? records[0] : records[1];
  const Message& without_key = records[0].key == "customer-9" ? records[1] : records[0];
  EXPECT_EQ(with_key.value, "{\"n\":1}");
  ASSERT_EQ(with_key.headers.size(), 3u) << "repeated header names are kept";
  EXPECT_EQ(with_key.headers[0], std::make_pair(std::string("trace"), std::string("a")));
  EXPECT_EQ(with_key.headers[1], std::make_pair(std::string("trace"), std::string("b")));
  EXPECT_EQ(with_key.headers[2], std::make_pair(std::string("empty"), std::string("")));
  EXPECT_EQ(without_key.key, "") << "an empty key is sent as a null key";
  EXPECT_EQ(without_key.value, "no key");
}

TEST_F(ProducerTest, ProduceErrorsAreRetriedInOrder) {
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  // Warm up so the producer id and metadata are in place, then make the
  // next 6 Produce requests fail with retriable errors.
  ASSERT_TRUE(producer->Send({"events", "k0", "k0:0", {}}).ok());
  const int errors[] = {7, 7, 6, 6, 7, 7};  // REQUEST_TIMED_OUT, NOT_LEADER
  ASSERT_EQ(broker_->PushRequestErrors(0, errors, 6).message, "");

  std::vector<OutgoingMessage> messages = KeyedSequence(400);
  messages.erase(messages.begin());  // "k0:0" is already sent
  for (const DeliveryReport& report : producer->PublishAll(messages)) {
    ASSERT_TRUE(report.ok()) << "retriable errors must be retried: " << report.error;
  }
  ExpectKeyedSequence(400);
}

TEST_F(ProducerTest, LeaderChangeKeepsOrder) {
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  const std::vector<OutgoingMessage> messages = KeyedSequence(2000);
  std::vector<DeliveryReport> reports;
  std::thread sender([&] { reports = producer->PublishAll(messages); });
  std::this_thread::sleep_for(milliseconds(5));
  for (int partition = 0; partition < 4; ++partition) {
    EXPECT_EQ(broker_->SetLeader("events", partition, 1 + (partition + 1) % 3).message, "");
  }
  sender.join();
  for (const DeliveryReport& report : reports) {
    ASSERT_TRUE(report.ok()) << "a leader change must not fail a send: " << report.error;
  }
  ExpectKeyedSequence(2000);
}

TEST_F(ProducerTest, DeliveryTimesOutWhenBrokersAreDown) {
  std::unique_ptr<Producer> producer = NewProducer(1000);
  ASSERT_NE(producer, nullptr);
  for (int id = 1; id <= 3; ++id) ASSERT_EQ(broker_->SetBrokerDown(id).message, "");

  const auto start = std::chrono::steady_clock::now();
  const DeliveryReport report = producer->Send({"events", "k", "lost?", {}});
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(report.ok()) << "no broker is up, so the send must fail";
  EXPECT_NE(report.error.find("_MSG_TIMED_OUT"), std::string::npos)
      << "the failure names librdkafka's reason; got: " << report.error;
  EXPECT_LT(waited, seconds(7))
      << "message.timeout.ms (1 s) bounds the wait for the report";
  for (int id = 1; id <= 3; ++id) ASSERT_EQ(broker_->SetBrokerUp(id).message, "");
}

TEST_F(ProducerTest, FlushReturnsZeroWhenAllDelivered) {
  std::unique_ptr<Producer> producer = NewProducer(10000);
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->Send({"events", "k", "v", {}}).ok());
  EXPECT_EQ(producer->Flush(1000), 0) << "nothing is outstanding after a report";
  EXPECT_EQ(producer->FatalError(), "") << "no fatal error on a healthy cluster";
}

}  // namespace
}  // namespace queue_demo
