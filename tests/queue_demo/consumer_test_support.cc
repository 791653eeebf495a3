#include "consumer_test_support.h"

#include <librdkafka/rdkafka.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace queue_demo::testing {

struct ConsumerWatchdog::State {
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
};

ConsumerWatchdog::ConsumerWatchdog(std::chrono::seconds limit, std::string test_name)
    : state_(std::make_shared<State>()) {
  thread_ = std::thread([state = state_, limit, name = std::move(test_name)] {
    std::unique_lock<std::mutex> lock(state->mutex);
    if (!state->done.wait_for(lock, limit, [&] { return state->finished; })) {
      std::cerr << "watchdog: " << name << " still running after " << limit.count()
                << " s; aborting so the hang fails the test\n";
      std::abort();
    }
  });
}

ConsumerWatchdog::~ConsumerWatchdog() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->finished = true;
  }
  state_->done.notify_all();
  thread_.join();
}

TempSinkPath::TempSinkPath() {
  static std::atomic<int> counter{0};
  path_ = (std::filesystem::temp_directory_path() /
           ("queue_consumer_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++) + ".db"))
              .string();
}

TempSinkPath::~TempSinkPath() {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
}

namespace {

rd_kafka_t* NewClient(rd_kafka_type_t type,
                      const std::vector<std::pair<std::string, std::string>>& properties,
                      std::string& error) {
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) !=
        RD_KAFKA_CONF_OK) {
      error = name + "=" + value + ": " + reason;
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  rd_kafka_t* client = rd_kafka_new(type, conf, reason, sizeof reason);
  if (client == nullptr) {
    error = reason;
    rd_kafka_conf_destroy(conf);
  }
  return client;
}

void CountDeliveryError(rd_kafka_t*, const rd_kafka_message_t* report, void* opaque) {
  if (report->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    auto* first_error = static_cast<std::string*>(opaque);
    if (first_error->empty()) *first_error = rd_kafka_err2str(report->err);
  }
}

}  // namespace

std::string ProduceNumbered(const std::string& bootstraps, const std::string& topic,
                            int partition, int first, int count) {
  std::string error;
  std::string delivery_error;
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps.c_str(), reason, sizeof reason);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", reason, sizeof reason);
  rd_kafka_conf_set(conf, "linger.ms", "5", reason, sizeof reason);
  rd_kafka_conf_set_dr_msg_cb(conf, CountDeliveryError);
  rd_kafka_conf_set_opaque(conf, &delivery_error);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
  if (producer == nullptr) {
    rd_kafka_conf_destroy(conf);
    return std::string("creating the test producer: ") + reason;
  }

  for (int n = first; n < first + count && error.empty(); ++n) {
    const std::string key = "key-" + std::to_string(n);
    const std::string value = std::to_string(n);
    rd_kafka_resp_err_t code = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "producing " + value + ": " + rd_kafka_err2str(code);
    }
  }
  if (rd_kafka_flush(producer, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR && error.empty()) {
    error = "delivery not confirmed within 30 s";
  }
  rd_kafka_destroy(producer);
  if (error.empty() && !delivery_error.empty()) error = "delivery failed: " + delivery_error;
  return error;
}

std::vector<std::int64_t> CommittedOffsets(const std::string& bootstraps,
                                           const std::string& group,
                                           const std::string& topic, int partitions) {
  std::string error;
  rd_kafka_t* client = NewClient(
      RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstraps}, {"group.id", group}}, error);
  if (client == nullptr) return {};
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);

  std::vector<std::int64_t> offsets;
  if (rd_kafka_committed(client, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int p = 0; p < partitions; ++p) offsets.push_back(list->elems[p].offset);
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(client);
  return offsets;
}

std::vector<std::int64_t> HighWatermarks(const std::string& bootstraps,
                                         const std::string& topic, int partitions) {
  std::string error;
  rd_kafka_t* client = NewClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstraps}}, error);
  if (client == nullptr) return {};
  std::vector<std::int64_t> highs;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    if (rd_kafka_query_watermark_offsets(client, topic.c_str(), p, &low, &high, 5000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      highs.clear();
      break;
    }
    highs.push_back(high);
  }
  rd_kafka_destroy(client);
  return highs;
}

namespace {

// Query runs `sql` on a fresh connection and calls `row` for each row.
void Query(const std::string& path, const std::string& sql,
           const std::function<void(sqlite3_stmt*)>& row) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) row(statement);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

}  // namespace

std::map<std::string, int> EffectCounts(const std::string& path) {
  std::map<std::string, int> counts;
  Query(path, "SELECT value, COUNT(*) FROM effects GROUP BY value", [&](sqlite3_stmt* s) {
    counts[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] = sqlite3_column_int(s, 1);
  });
  return counts;
}

std::vector<std::int64_t> EffectOffsets(const std::string& path, int partition) {
  std::vector<std::int64_t> offsets;
  Query(path,
        "SELECT offset FROM effects WHERE partition = " + std::to_string(partition) +
            " ORDER BY rowid",
        [&](sqlite3_stmt* s) { offsets.push_back(sqlite3_column_int64(s, 0)); });
  return offsets;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

ConsumerOptions TestConsumerOptions(const std::string& bootstraps,
                                    const std::string& group, const std::string& topic) {
  ConsumerOptions options;
  options.bootstrap_servers = bootstraps;
  options.group_id = group;
  options.topics = {topic};
  options.workers = 4;
  options.window_per_partition = 64;
  options.resume_at = 16;
  options.revoke_drain_timeout = std::chrono::milliseconds(2000);
  options.shutdown_drain_timeout = std::chrono::milliseconds(5000);
  options.kafka_config = {
      {"fetch.wait.max.ms", "50"},
      {"session.timeout.ms", "3000"},
      {"heartbeat.interval.ms", "300"},
      {"auto.commit.interval.ms", "100"},
      {"topic.metadata.refresh.interval.ms", "1000"},
      {"reconnect.backoff.max.ms", "500"},
      {"log_level", "3"},
  };
  return options;
}

RunningConsumer::RunningConsumer(ConsumerOptions options, MessageHandler handler,
                                 Sink& sink) {
  Result<std::unique_ptr<Consumer>> created =
      Consumer::Create(std::move(options), std::move(handler), sink);
  if (!created.ok()) {
    error_ = created.error().message;
    return;
  }
  consumer_ = std::move(created.value());
  runner_ = std::thread([this] {
    Status status = consumer_->Run();
    if (!status.ok()) run_error_ = status.error().message;
  });
}

RunningConsumer::~RunningConsumer() {
  if (consumer_ != nullptr) StopAndJoin();
}

std::string RunningConsumer::StopAndJoin() {
  if (consumer_ == nullptr) return error_;
  consumer_->Stop();
  std::string result = JoinRun();
  consumer_.reset();
  return result;
}

std::string RunningConsumer::JoinRun() {
  if (runner_.joinable()) runner_.join();
  return run_error_;
}

void RunningConsumer::Crash() {
  if (consumer_ == nullptr) return;
  consumer_->Abandon();
  JoinRun();
  consumer_.reset();
}

}  // namespace queue_demo::testing
