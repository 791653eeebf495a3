#include "cluster.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <utility>

namespace queue_demo::demo {
namespace {

constexpr int kRequestTimeoutMs = 10000;

// Handle owns a librdkafka client handle.
class Handle {
 public:
  Handle(rd_kafka_type_t type, const std::string& bootstrap_servers,
         const std::vector<std::pair<std::string, std::string>>& properties,
         std::string& error) {
    char reason[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::vector<std::pair<std::string, std::string>> all = {
        {"bootstrap.servers", bootstrap_servers}, {"log_level", "3"}};
    all.insert(all.end(), properties.begin(), properties.end());
    for (const auto& [name, value] : all) {
      if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) !=
          RD_KAFKA_CONF_OK) {
        error = "invalid property " + name + "=" + value + ": " + reason;
        rd_kafka_conf_destroy(conf);
        return;
      }
    }
    handle_ = rd_kafka_new(type, conf, reason, sizeof reason);
    if (handle_ == nullptr) {
      error = std::string("creating a Kafka client failed: ") + reason;
      rd_kafka_conf_destroy(conf);
    }
  }
  ~Handle() {
    if (handle_ != nullptr) rd_kafka_destroy(handle_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  rd_kafka_t* get() const { return handle_; }

 private:
  rd_kafka_t* handle_ = nullptr;
};

// PartitionCount returns the topic's partition count from the cluster's
// metadata, or -1 when the topic does not exist.
int PartitionCount(rd_kafka_t* handle, const std::string& topic) {
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(handle, 1, nullptr, &metadata, kRequestTimeoutMs) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return -1;
  }
  int count = -1;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& entry = metadata->topics[i];
    if (topic == entry.topic && entry.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      count = entry.partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

}  // namespace

std::string CreateTopicsWithAdmin(const std::string& bootstrap_servers,
                                  const std::vector<TopicSpec>& topics) {
  std::string error;
  Handle admin(RD_KAFKA_PRODUCER, bootstrap_servers, {}, error);
  if (admin.get() == nullptr) return error;

  // 1. Send one CreateTopics request for every topic not there yet.
  std::vector<TopicSpec> missing;
  for (const TopicSpec& topic : topics) {
    if (PartitionCount(admin.get(), topic.name) < topic.partitions) missing.push_back(topic);
  }
  if (missing.empty()) return "";
  std::vector<rd_kafka_NewTopic_t*> requests;
  char reason[512];
  for (const TopicSpec& topic : missing) {
    requests.push_back(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, -1,
                                             reason, sizeof reason));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin.get());
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, kRequestTimeoutMs, reason, sizeof reason);
  rd_kafka_CreateTopics(admin.get(), requests.data(), requests.size(), options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, kRequestTimeoutMs + 5000);

  // 2. A topic the cluster rejected (it exists, or the request is not
  // supported) is fine if the metadata shows it with enough partitions.
  std::map<std::string, std::string> failures;
  if (event == nullptr) {
    for (const TopicSpec& topic : missing) failures[topic.name] = "CreateTopics timed out";
  } else if (const rd_kafka_CreateTopics_result_t* result =
                 rd_kafka_event_CreateTopics_result(event)) {
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* message = rd_kafka_topic_result_error_string(results[i]);
        failures[rd_kafka_topic_result_name(results[i])] =
            message != nullptr ? message
                               : rd_kafka_err2str(rd_kafka_topic_result_error(results[i]));
      }
    }
  } else {
    for (const TopicSpec& topic : missing) {
      failures[topic.name] = rd_kafka_event_error_string(event);
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());

  for (const TopicSpec& topic : missing) {
    auto failure = failures.find(topic.name);
    if (failure == failures.end()) continue;
    if (PartitionCount(admin.get(), topic.name) >= topic.partitions) continue;
    return "creating topic " + topic.name + " (" + std::to_string(topic.partitions) +
           " partitions) failed: " + failure->second +
           ". Create it on the cluster, or check --brokers.";
  }
  return "";
}

std::vector<PartitionLag> GroupLag(const std::string& bootstrap_servers,
                                   const std::string& group,
                                   const std::vector<TopicSpec>& topics,
                                   std::string& error) {
  std::vector<PartitionLag> lags;
  Handle consumer(RD_KAFKA_CONSUMER, bootstrap_servers,
                  {{"group.id", group}, {"enable.auto.commit", "false"}}, error);
  if (consumer.get() == nullptr) return lags;

  // 1. The group's committed offsets, one OffsetFetch request.
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
  for (const TopicSpec& topic : topics) {
    for (int p = 0; p < topic.partitions; ++p) {
      rd_kafka_topic_partition_list_add(list, topic.name.c_str(), p);
    }
  }
  const rd_kafka_resp_err_t code = rd_kafka_committed(consumer.get(), list, kRequestTimeoutMs);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = "reading the committed offsets of group " + group + " failed: " + rd_kafka_err2str(code);
    rd_kafka_topic_partition_list_destroy(list);
    return lags;
  }

  // 2. Each partition's watermarks.
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    PartitionLag lag{tp.topic, tp.partition, tp.offset};
    int64_t low = 0;
    const rd_kafka_resp_err_t watermark_code = rd_kafka_query_watermark_offsets(
        consumer.get(), tp.topic, tp.partition, &low, &lag.high_watermark, kRequestTimeoutMs);
    if (watermark_code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "reading the watermarks of " + lag.topic + "[" + std::to_string(tp.partition) +
              "] failed: " + rd_kafka_err2str(watermark_code);
      break;
    }
    lag.lag = lag.high_watermark - (tp.offset >= 0 ? tp.offset : low);
    lags.push_back(lag);
  }
  rd_kafka_topic_partition_list_destroy(list);
  return lags;
}

std::int64_t RecordCount(const std::string& bootstrap_servers, const TopicSpec& topic,
                         std::string& error) {
  Handle consumer(RD_KAFKA_CONSUMER, bootstrap_servers, {{"group.id", "queue-demo-reader"}},
                  error);
  if (consumer.get() == nullptr) return -1;
  std::int64_t records = 0;
  for (int p = 0; p < topic.partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t code = rd_kafka_query_watermark_offsets(
        consumer.get(), topic.name.c_str(), p, &low, &high, kRequestTimeoutMs);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "reading the watermarks of " + topic.name + "[" + std::to_string(p) +
              "] failed: " + rd_kafka_err2str(code);
      return -1;
    }
    records += high - low;
  }
  return records;
}

std::vector<Message> ReadTopic(const std::string& bootstrap_servers, const TopicSpec& topic,
                               int timeout_ms, std::string& error) {
  std::vector<Message> messages;
  Handle consumer(RD_KAFKA_CONSUMER, bootstrap_servers,
                  {{"group.id", "queue-demo-reader"},
                   {"enable.auto.commit", "false"},
                   {"fetch.wait.max.ms", "50"}},
                  error);
  if (consumer.get() == nullptr) return messages;

  // 1. Where each partition ends now, and assign every non-empty one from
  // its first record.
  std::map<int, int64_t> remaining_until;  // partition -> high watermark
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(topic.partitions);
  for (int p = 0; p < topic.partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t code = rd_kafka_query_watermark_offsets(
        consumer.get(), topic.name.c_str(), p, &low, &high, kRequestTimeoutMs);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "reading the watermarks of " + topic.name + "[" + std::to_string(p) +
              "] failed: " + rd_kafka_err2str(code);
      rd_kafka_topic_partition_list_destroy(list);
      return messages;
    }
    if (high > low) {
      remaining_until[p] = high;
      rd_kafka_topic_partition_list_add(list, topic.name.c_str(), p)->offset = low;
    }
  }
  rd_kafka_assign(consumer.get(), list);
  rd_kafka_topic_partition_list_destroy(list);

  // 2. Read until every partition reached its watermark.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!remaining_until.empty() && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* record = rd_kafka_consumer_poll(consumer.get(), 100);
    if (record == nullptr) continue;
    if (record->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Message message;
      message.topic = topic.name;
      message.partition = record->partition;
      message.offset = record->offset;
      if (record->key != nullptr) {
        message.key.assign(static_cast<const char*>(record->key), record->key_len);
      }
      if (record->payload != nullptr) {
        message.value.assign(static_cast<const char*>(record->payload), record->len);
      }
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(record, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          message.headers.emplace_back(
              name, value == nullptr ? "" : std::string(static_cast<const char*>(value), size));
        }
      }
      messages.push_back(std::move(message));
      auto end = remaining_until.find(record->partition);
      if (end != remaining_until.end() && record->offset + 1 >= end->second) {
        remaining_until.erase(end);
      }
    }
    rd_kafka_message_destroy(record);
  }
  if (!remaining_until.empty()) {
    error = "reading " + topic.name + " timed out after " + std::to_string(timeout_ms) + " ms";
  }
  rd_kafka_consumer_close(consumer.get());
  return messages;
}

}  // namespace queue_demo::demo
