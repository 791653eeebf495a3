// Kafka cluster operations for the demo pipeline: topic creation through the
// admin API (for a real cluster), each group's lag, and a topic's whole
// content (the dead letter topic, for the report).
//
// Each function opens its own short-lived librdkafka handle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "queue_demo/message.h"

namespace queue_demo::demo {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

// CreateTopicsWithAdmin creates each topic that the cluster's metadata does
// not list with at least the requested partitions, with the cluster's
// default replication factor, through one CreateTopics request. A topic
// whose creation fails is accepted if it exists afterwards.
// Returns "" or the first failure, naming the topic.
std::string CreateTopicsWithAdmin(const std::string& bootstrap_servers,
                                  const std::vector<TopicSpec>& topics);

// PartitionLag is one partition's position in a consumer group.
struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t committed = kOffsetUnset;  // the next offset the group reads
  std::int64_t high_watermark = 0;        // the offset after the last record
  std::int64_t lag = 0;                   // records not yet committed
};

// GroupLag reads `group`'s committed offsets and each partition's
// watermarks. A partition without a committed offset counts every record
// it contains as lag. Sets `error` and returns what it has on a failure.
std::vector<PartitionLag> GroupLag(const std::string& bootstrap_servers,
                                   const std::string& group,
                                   const std::vector<TopicSpec>& topics,
                                   std::string& error);

// RecordCount returns the number of records `topic` contains (the sum of its
// partitions' high minus low watermarks), or -1 and `error` on a failure.
std::int64_t RecordCount(const std::string& bootstrap_servers, const TopicSpec& topic,
                         std::string& error);

// ReadTopic reads every record of `topic` up to its high watermarks, as of
// the call, waiting at most `timeout_ms`. Sets `error` on a failure or a
// timeout and returns the records read.
std::vector<Message> ReadTopic(const std::string& bootstrap_servers,
                               const TopicSpec& topic, int timeout_ms,
                               std::string& error);

}  // namespace queue_demo::demo
