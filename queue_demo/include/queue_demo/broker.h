// EmbeddedBroker: a Kafka-protocol cluster inside this process, on loopback.
//
// It is librdkafka's mock cluster (librdkafka/rdkafka_mock.h): real Kafka
// brokers as far as any client can tell (kcat in another process included),
// served by one thread of this process, with fault injection for tests.
// Limits in librdkafka 2.0.2:
//   - Transactions are accepted but not enforced.
//   - Each partition keeps at most 5 MiB or 100,000 batches.
//   - Topics must be created here, because CreateTopics is not supported.
//   - The first group join waits about 3 s.
//
// Example:
//   auto broker = queue_demo::EmbeddedBroker::Start(3);
//   if (!broker.ok()) { ... broker.error() ... }
//   broker->CreateTopic("orders", 4);
//   config.set("bootstrap.servers", broker->bootstraps());
//   broker->SetBrokerDown(2);   // fault injection
//
// Thread-safety: every method is safe from any thread. The fault-injection
// calls take effect on the broker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

// Forward declarations of librdkafka's C handles, so this header stays light.
typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace queue_demo {

// BrokerError describes why a broker operation failed.
struct BrokerError {
  std::string message;
};

class EmbeddedBroker;

// BrokerResult contains either a started broker or the reason it did not start.
class [[nodiscard]] BrokerResult {
 public:
  BrokerResult(std::unique_ptr<EmbeddedBroker> broker)
      : state_(std::move(broker)) {}
  BrokerResult(BrokerError error) : state_(std::move(error)) {}
  bool ok() const { return state_.index() == 0; }
  // REQUIRES: ok().
  EmbeddedBroker* operator->() const { return std::get<0>(state_).get(); }
  std::unique_ptr<EmbeddedBroker> release() { return std::move(std::get<0>(state_)); }
  // REQUIRES: !ok().
  const BrokerError& error() const { return std::get<1>(state_); }

 private:
  std::variant<std::unique_ptr<EmbeddedBroker>, BrokerError> state_;
};

class EmbeddedBroker {
 public:
  // Start creates a cluster of `broker_count` brokers (ids 1..broker_count)
  // listening on 127.0.0.1 ports the system picks.
  static BrokerResult Start(int broker_count = 3);

  ~EmbeddedBroker();  // Stops the brokers and closes their connections.
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // bootstraps is the bootstrap.servers value: "127.0.0.1:PORT,...".
  const std::string& bootstraps() const { return bootstraps_; }
  int broker_count() const { return broker_count_; }

  // CreateTopic creates `name` with `partitions` partitions, replicated on
  // min(3, broker_count) brokers. Returns an error naming the topic if the
  // cluster rejects the request (for example, the topic exists), or an
  // empty message on success.
  BrokerError CreateTopic(std::string_view name, int partitions);

  // Fault injection. Each returns an error naming the broker or topic when
  // the cluster rejects the request, or an empty message on success.
  //
  //   - SetBrokerDown closes the broker's connections and rejects new ones
  //     until SetBrokerUp.
  //   - SetRtt delays every response of `broker_id` by `rtt_ms` (0 removes
  //     the delay).
  //   - SetLeader moves a partition's leadership.
  //   - PushRequestErrors makes the next `count` requests of Kafka API
  //     `api_key` (ApiKey numbers, e.g. 0 Produce, 1 Fetch, 8 OffsetCommit,
  //     11 JoinGroup) fail with the error codes in `errors`.
  BrokerError SetBrokerDown(int broker_id);
  BrokerError SetBrokerUp(int broker_id);
  BrokerError SetRtt(int broker_id, int rtt_ms);
  BrokerError SetLeader(std::string_view topic, int partition, int broker_id);
  BrokerError PushRequestErrors(int api_key, const int* errors, int count);

  // mock is the librdkafka mock cluster, for fault injection this class does
  // not wrap.
  rd_kafka_mock_cluster_t* mock() const { return mock_; }

 private:
  EmbeddedBroker() = default;

  rd_kafka_t* handle_ = nullptr;          // owns the mock cluster
  rd_kafka_mock_cluster_t* mock_ = nullptr;
  std::string bootstraps_;
  int broker_count_ = 0;
};

}  // namespace queue_demo
