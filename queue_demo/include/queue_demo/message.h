// Message: one Kafka record as the consumer hands it to a handler, a sink or
// the failure router, copied out of librdkafka so it outlives the poll.
//
// This header is light (standard library only): exercise starters include it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace queue_demo {

// kOffsetUnset marks "no offset": nothing committed, nothing recorded. It is
// librdkafka's RD_KAFKA_OFFSET_INVALID (-1001), so a partition assigned with
// it starts at the committed offset, or at auto.offset.reset without one.
inline constexpr std::int64_t kOffsetUnset = -1001;

// TopicPartition names one partition, with an offset when one is needed
// (the next offset to read or to commit; kOffsetUnset when there is none).
struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = kOffsetUnset;

  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.topic == b.topic && a.partition == b.partition &&
           a.offset == b.offset;
  }
};

// Message is a consumed record: where it was read from, and its content.
struct Message {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;  // this record's own offset
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t timestamp_ms = 0;  // the record's timestamp, Unix milliseconds
};

}  // namespace queue_demo
