// Publisher: the one interface everything that publishes goes through (the
// outbox relay, the failure router), with the message it sends and the
// delivery report it returns, as plain values: no librdkafka here.
//
// Producer (producer.h) implements it against a Kafka cluster; a test may
// implement it in memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace queue_demo {

// OutgoingMessage is one record to publish. An empty key publishes a record
// with a null key; partition -1 lets the partitioner pick by key. Headers
// are (name, value) pairs; names may repeat, and order is kept.
struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::int32_t partition = -1;
};

// DeliveryReport is the broker's response for one message. On success `error`
// is empty and partition and offset say where the record was written; on
// failure `error` names the reason (librdkafka's error name and text).
struct DeliveryReport {
  std::string error;
  std::int32_t partition = -1;
  std::int64_t offset = -1;

  bool ok() const { return error.empty(); }
};

// Publisher publishes messages and reports the outcome of each.
//
// PublishAll returns one report per message, in the order given, and
// returns only when every report is final (delivered, failed, or timed out
// by the implementation's bound). Messages with the same key and topic are
// written in the order given.
//
// Thread-safety: each implementation documents its own. Producer is safe
// from any thread.
class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual std::vector<DeliveryReport> PublishAll(
      std::span<const OutgoingMessage> messages) = 0;
};

}  // namespace queue_demo
