// Interop with kcat (Debian package kcat, a Kafka client on librdkafka run
// as a separate process) through the embedded broker on 127.0.0.1:
//
//   1. kcat produces 200 keyed records with a header; the kit reads every
//      one with its key, value and header intact, each key's records in
//      the order kcat sent them.
//   2. The kit's Producer sends keyed records with repeated headers; kcat
//      consumes them (-C -e) and prints key, value and headers unchanged.
//
// The test fails, never skips, when kcat is missing: run scripts/setup.sh,
// which installs it. Each kcat run is bounded by timeout(1).

#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kafka_test_util.h"
#include "queue_demo/broker.h"
#include "queue_demo/failure_router.h"
#include "queue_demo/producer.h"

namespace queue_demo {
namespace {

using std::chrono::seconds;

constexpr int kKcatTimeoutSeconds = 30;

class KcatInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kcat_ = testing::FindOnPath("kcat");
    ASSERT_FALSE(kcat_.empty())
        << "kcat is not on PATH: run scripts/setup.sh, which installs the "
           "Debian package kcat";
    BrokerResult started = EmbeddedBroker::Start(3);
    ASSERT_TRUE(started.ok()) << started.error().message;
    broker_ = started.release();
    ASSERT_EQ(broker_->CreateTopic("interop", 3).message, "");
  }

  testing::Watchdog watchdog_{seconds(90), "KcatInteropTest"};
  std::string kcat_;
  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(KcatInteropTest, KitReadsWhatKcatProduces) {
  // 200 lines "customer-<i % 5>:order-<i>", so each key has 40 records.
  std::string input;
  for (int i = 0; i < 200; ++i) {
    input += "customer-" + std::to_string(i % 5) + ":order-" + std::to_string(i) + "\n";
  }
  const testing::ProcessOutput kcat = testing::RunProgram(
      {kcat_, "-P", "-b", broker_->bootstraps(), "-t", "interop", "-K", ":",
       "-H", "source=kcat", "-X", "enable.idempotence=true"},
      input, kKcatTimeoutSeconds);
  ASSERT_EQ(kcat.exit_code, 0) << "kcat -P failed: " << kcat.err;

  const std::vector<Message> records =
      testing::ReadTopic(broker_->bootstraps(), "interop", 3, 200, seconds(15));
  ASSERT_EQ(records.size(), 200u) << "every record kcat produced is read";
  std::map<std::string, int> last_order;
  for (const Message& record : records) {
    ASSERT_EQ(record.key.rfind("customer-", 0), 0u) << "the key is kept: " << record.key;
    ASSERT_EQ(record.value.rfind("order-", 0), 0u) << "the value is kept: " << record.value;
    const int order = std::stoi(record.value.substr(6));
    EXPECT_EQ(record.key, "customer-" + std::to_string(order % 5))
        << "key and value stay paired";
    EXPECT_EQ(FindHeader(record.headers, "source").value_or(""), "kcat")
        << "kcat's header arrives";
    auto [last, inserted] = last_order.try_emplace(record.key, order);
    if (!inserted) {
      EXPECT_LT(last->second, order) << "key " << record.key << " out of order";
      last->second = order;
    }
  }
  EXPECT_EQ(last_order.size(), 5u) << "5 keys";
}

TEST_F(KcatInteropTest, KcatReadsWhatKitProduces) {
  ProducerOptions options;
  options.bootstrap_servers = broker_->bootstraps();
  options.delivery_timeout_ms = 10000;
  ProducerResult created = Producer::Create(options);
  ASSERT_TRUE(created.ok()) << created.error;
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 30; ++i) {
    OutgoingMessage message{"interop", "k" + std::to_string(i % 3),
                            "v" + std::to_string(i),
                            {{"event-id", "e-" + std::to_string(i)}, {"tag", "a"}, {"tag", "b"}}};
    message.partition = i % 3;  // key k<n> on partition n, so kcat's order is checkable
    messages.push_back(message);
  }
  for (const DeliveryReport& report : created.producer->PublishAll(messages)) {
    ASSERT_TRUE(report.ok()) << report.error;
  }
  created.producer.reset();

  // One line per record: partition, key, value, headers.
  const testing::ProcessOutput kcat = testing::RunProgram(
      {kcat_, "-C", "-b", broker_->bootstraps(), "-t", "interop", "-o", "beginning",
       "-e", "-q", "-f", "%p|%k|%s|%h\n"},
      "", kKcatTimeoutSeconds);
  ASSERT_EQ(kcat.exit_code, 0) << "kcat -C failed: " << kcat.err;

  std::map<int, std::vector<std::string>> lines_by_partition;
  std::istringstream lines(kcat.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    lines_by_partition[std::stoi(line)].push_back(line);
  }
  ASSERT_EQ(lines_by_partition.size(), 3u) << "kcat read all 3 partitions:\n" << kcat.out;
  for (int partition = 0; partition < 3; ++partition) {
    const std::vector<std::string>& got = lines_by_partition[partition];
    ASSERT_EQ(got.size(), 10u) << "partition " << partition << " holds 10 records";
    for (int n = 0; n < 10; ++n) {
      const int i = partition + 3 * n;
      EXPECT_EQ(got[n], std::to_string(partition) + "|k" + std::to_string(partition) +
                            "|v" + std::to_string(i) + "|event-id=e-" +
                            std::to_string(i) + ",tag=a,tag=b")
          << "kcat must print key, value and every header unchanged, in send order";
    }
  }
}

}  // namespace
}  // namespace queue_demo
