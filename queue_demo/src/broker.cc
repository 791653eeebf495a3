#include "queue_demo/broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <vector>

namespace queue_demo {
namespace {

BrokerError FromCode(rd_kafka_resp_err_t code, std::string what) {
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return BrokerError{what + ": " + rd_kafka_err2str(code)};
}

}  // namespace

BrokerResult EmbeddedBroker::Start(int broker_count) {
  if (broker_count < 1) {
    return BrokerError{"broker count must be at least 1, got " +
                       std::to_string(broker_count)};
  }
  // The mock cluster needs a client handle to live in. A producer handle
  // with no bootstrap servers never connects anywhere.
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", reason, sizeof reason) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return BrokerError{std::string("configuring the broker handle: ") + reason};
  }
  rd_kafka_t* handle =
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
  if (handle == nullptr) {
    return BrokerError{std::string("creating the broker handle: ") + reason};
  }
  rd_kafka_mock_cluster_t* mock = rd_kafka_mock_cluster_new(handle, broker_count);
  if (mock == nullptr) {
    rd_kafka_destroy(handle);
    return BrokerError{"starting a mock cluster of " +
                       std::to_string(broker_count) + " brokers failed"};
  }
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker());
  broker->handle_ = handle;
  broker->mock_ = mock;
  broker->bootstraps_ = rd_kafka_mock_cluster_bootstraps(mock);
  broker->broker_count_ = broker_count;
  return broker;
}

EmbeddedBroker::~EmbeddedBroker() {
  if (mock_ != nullptr) rd_kafka_mock_cluster_destroy(mock_);
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

BrokerError EmbeddedBroker::CreateTopic(std::string_view name, int partitions) {
  const std::string topic(name);
  if (partitions < 1) {
    return BrokerError{"topic '" + topic + "': partition count must be at "
                       "least 1, got " + std::to_string(partitions)};
  }
  const int replication = std::min(3, broker_count_);
  return FromCode(
      rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication),
      "creating topic '" + topic + "'");
}

BrokerError EmbeddedBroker::SetBrokerDown(int broker_id) {
  return FromCode(rd_kafka_mock_broker_set_down(mock_, broker_id),
                  "taking broker " + std::to_string(broker_id) + " down");
}

BrokerError EmbeddedBroker::SetBrokerUp(int broker_id) {
  return FromCode(rd_kafka_mock_broker_set_up(mock_, broker_id),
                  "bringing broker " + std::to_string(broker_id) + " up");
}

BrokerError EmbeddedBroker::SetRtt(int broker_id, int rtt_ms) {
  return FromCode(rd_kafka_mock_broker_set_rtt(mock_, broker_id, rtt_ms),
                  "setting the round trip of broker " +
                      std::to_string(broker_id));
}

BrokerError EmbeddedBroker::SetLeader(std::string_view topic, int partition,
                                      int broker_id) {
  const std::string name(topic);
  return FromCode(
      rd_kafka_mock_partition_set_leader(mock_, name.c_str(), partition,
                                         broker_id),
      "moving the leader of " + name + "[" + std::to_string(partition) +
          "] to broker " + std::to_string(broker_id));
}

BrokerError EmbeddedBroker::PushRequestErrors(int api_key, const int* errors,
                                              int count) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int i = 0; i < count; ++i) {
    codes.push_back(static_cast<rd_kafka_resp_err_t>(errors[i]));
  }
  rd_kafka_mock_push_request_errors_array(mock_, static_cast<int16_t>(api_key),
                                          codes.size(), codes.data());
  return {};
}

}  // namespace queue_demo
