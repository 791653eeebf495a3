// bench_queue_demo: the queue lab's consumer against kcat, on one embedded
// broker (librdkafka's mock cluster, 3 brokers on 127.0.0.1), in one run.
//
// 1. Produce --messages records of --value-bytes bytes over --partitions
//    partitions with the kit's idempotent Producer (a rate row).
// 2. kcat -C -e reads the whole topic with no consumer group: the raw
//    consume rate. It runs with fetch.wait.max.ms=10 so the empty fetch
//    that marks each partition's end returns fast (the default waits
//    500 ms). Its fixed costs (process start, metadata, that empty fetch)
//    are removed by also timing it on a topic of the same shape with 1% of
//    the records, best of 5 runs each. The rate is the difference in
//    records over the difference in seconds. The rate of the whole run,
//    fixed costs included, is reported too.
// 3. The cost of each delivery guarantee, one fresh consumer group per row,
//    timed from its first record to its last (the first group join, about
//    3 s on the mock cluster, is not counted):
//      auto_commit        librdkafka's automatic offset store and commit
//      stored_offsets     offset stored after each record is processed
//      sink_transaction   plus one SQLite transaction per record
//                         (SqliteSink::Apply: effect and offset together)
//      batch_transaction  the same rows, written by BatchSink here: one
//                         transaction per batch of up to 500 polled records
//      reference_consumer the lab's Consumer with its SqliteSink (defaults:
//                         4 workers, group commit of up to 500 records of
//                         a partition, window 2,048 per partition)
// 4. Produce-to-effect latency: --latency-messages records, one every 2 ms,
//    through the reference Consumer and its SqliteSink, after one untimed
//    record per partition (each partition's first fetch waits for an
//    offset lookup). Each latency runs
//    from just before Send to just after the sink's transaction committed,
//    reported as p50, p99 and max.
//
// --reference-only skips steps 2 and 3 (for profiling the reference), and
// --kafka-debug CONTEXTS sets librdkafka's debug property on the reference
// consumer and logs at debug level.
//
// Output: a table on stderr and, with --json, one JSON array on stdout in
// the kit's peer format ({"name","kit","peer","unit","ratio","target",
// "met","note"}); bench/queue_demo/peers runs it that way.
//
// All traffic stays on 127.0.0.1; every wait is bounded, and the program
// stops by itself. The SQLite files go to a temporary directory, deleted at
// the end.

#include <librdkafka/rdkafka.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "labkit/flags.h"
#include "labkit/log.h"
#include "queue_demo/broker.h"
#include "queue_demo/consumer.h"
#include "queue_demo/producer.h"
#include "queue_demo/sink.h"
#include "queue_bench_support.h"

namespace queue_demo::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  int messages = 200000;
  int partitions = 8;
  int value_bytes = 100;
  int latency_messages = 2000;
  bool json = false;
  bool reference_only = false;  // skip kcat and the minimal loops
  std::string kafka_debug;      // librdkafka debug contexts of the reference consumer
};

// ---------------------------------------------------------------------------
// Steps 1 and 2: produce, and kcat.

// ProduceAll writes `count` records to `topic` and returns the producer's
// rate in records/s.
std::optional<double> ProduceAll(const std::string& bootstrap, const std::string& topic,
                                 int count, const Options& options) {
  ProducerOptions producer_options;
  producer_options.bootstrap_servers = bootstrap;
  ProducerResult created = Producer::Create(producer_options);
  if (!created.ok()) {
    spdlog::error("{}", created.error);
    return std::nullopt;
  }
  std::vector<OutgoingMessage> messages;
  messages.reserve(count);
  const std::string padding(options.value_bytes, 'x');
  for (int i = 0; i < count; ++i) {
    messages.push_back({topic, "k" + std::to_string(i % 1000), padding, {}});
  }
  const auto start = Clock::now();
  const std::vector<DeliveryReport> reports = created.producer->PublishAll(messages);
  const double seconds = SecondsSince(start);
  for (const DeliveryReport& report : reports) {
    if (!report.ok()) {
      spdlog::error("producing the benchmark records failed: {}", report.error);
      return std::nullopt;
    }
  }
  return count / seconds;
}

// KcatSeconds runs kcat -C -e over `topic` and returns its wall time, or
// nullopt (logged) if it failed or read a different number of records.
std::optional<double> KcatSeconds(const std::string& bootstrap, const std::string& topic,
                                  int expected) {
  const auto start = Clock::now();
  const ProgramRun run = RunCounting(
      {"kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-X",
       "fetch.wait.max.ms=10"},
      120);
  const double seconds = SecondsSince(start);
  if (run.exit_code != 0) {
    spdlog::error("kcat failed (exit code {}): {}", run.exit_code, run.error);
    return std::nullopt;
  }
  if (run.lines != expected) {
    spdlog::error("kcat read {} records of {} on {}", run.lines, expected, topic);
    return std::nullopt;
  }
  return seconds;
}

// ---------------------------------------------------------------------------
// Step 3: the minimal consumer loops, one per guarantee.

enum class Guarantee { kAutoCommit, kStoredOffsets, kSinkTransaction, kBatchTransaction };

// BatchSink writes SqliteSink's two tables (processed, effects) for many
// records in one transaction, skipping records already processed. It
// exists only to price batching against SqliteSink's one transaction per
// record.
class BatchSink {
 public:
  static std::unique_ptr<BatchSink> Open(const fs::path& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
      spdlog::error("opening {} failed", path.string());
      sqlite3_close(db);
      return nullptr;
    }
    const char* schema =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE processed (topic TEXT, partition INTEGER, offset INTEGER,"
        "  PRIMARY KEY (topic, partition, offset));"
        "CREATE TABLE effects (topic TEXT, partition INTEGER, offset INTEGER,"
        "  key TEXT, value TEXT);";
    if (sqlite3_exec(db, schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
      spdlog::error("creating the tables in {} failed: {}", path.string(), sqlite3_errmsg(db));
      sqlite3_close(db);
      return nullptr;
    }
    return std::unique_ptr<BatchSink>(new BatchSink(db));
  }
  ~BatchSink() {
    sqlite3_finalize(record_);
    sqlite3_finalize(effect_);
    sqlite3_close(db_);
  }

  // ApplyAll applies every record's effect in one transaction.
  bool ApplyAll(const std::vector<rd_kafka_message_t*>& records) {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return false;
    for (const rd_kafka_message_t* record : records) {
      const char* topic = rd_kafka_topic_name(record->rkt);
      sqlite3_bind_text(record_, 1, topic, -1, SQLITE_STATIC);
      sqlite3_bind_int(record_, 2, record->partition);
      sqlite3_bind_int64(record_, 3, record->offset);
      const int recorded = sqlite3_step(record_);
      sqlite3_reset(record_);
      if (recorded != SQLITE_DONE) continue;
      if (sqlite3_changes(db_) == 0) continue;  // processed before: skip

      sqlite3_bind_text(effect_, 1, topic, -1, SQLITE_STATIC);
      sqlite3_bind_int(effect_, 2, record->partition);
      sqlite3_bind_int64(effect_, 3, record->offset);
      sqlite3_bind_text(effect_, 4, static_cast<const char*>(record->key),
                        static_cast<int>(record->key_len), SQLITE_STATIC);
      sqlite3_bind_text(effect_, 5, static_cast<const char*>(record->payload),
                        static_cast<int>(record->len), SQLITE_STATIC);
      sqlite3_step(effect_);
      sqlite3_reset(effect_);
    }
    return sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
  }

 private:
  explicit BatchSink(sqlite3* db) : db_(db) {
    sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO processed VALUES (?, ?, ?)", -1, &record_,
                       nullptr);
    sqlite3_prepare_v2(db_, "INSERT INTO effects VALUES (?, ?, ?, ?, ?)", -1, &effect_, nullptr);
  }

  sqlite3* db_;
  sqlite3_stmt* record_ = nullptr;
  sqlite3_stmt* effect_ = nullptr;
};

rd_kafka_t* NewConsumer(const std::string& bootstrap, const std::string& group,
                        Guarantee guarantee) {
  const bool auto_store = guarantee == Guarantee::kAutoCommit;
  const std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", bootstrap},
      {"group.id", group},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "true"},
      {"enable.auto.offset.store", auto_store ? "true" : "false"},
      {"session.timeout.ms", "6000"},
      {"fetch.wait.max.ms", "10"},  // as kcat runs
  };
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason);
  }
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  if (consumer == nullptr) {
    spdlog::error("creating the consumer failed: {}", reason);
    return nullptr;
  }
  rd_kafka_poll_set_consumer(consumer);
  return consumer;
}

// StoreNextOffset stores the offset after `record`, the next one to read,
// for the automatic commit.
void StoreNextOffset(rd_kafka_t* consumer, const rd_kafka_message_t* record) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(record->rkt), record->partition)
      ->offset = record->offset + 1;
  rd_kafka_offsets_store(consumer, offsets);
  rd_kafka_topic_partition_list_destroy(offsets);
}

// ApplyBatch polls up to 499 more records without waiting, applies
// `first` and them in one BatchSink transaction, and stores each one's next
// offset. Returns how many records it consumed.
int ApplyBatch(rd_kafka_t* consumer, rd_kafka_message_t* first, BatchSink& batch_sink) {
  std::vector<rd_kafka_message_t*> records = {first};
  while (records.size() < 500) {
    rd_kafka_message_t* record = rd_kafka_consumer_poll(consumer, 0);
    if (record == nullptr) break;
    if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_message_destroy(record);
      continue;
    }
    records.push_back(record);
  }
  const bool durable = batch_sink.ApplyAll(records);
  for (rd_kafka_message_t* record : records) {
    if (durable) StoreNextOffset(consumer, record);
    rd_kafka_message_destroy(record);
  }
  return static_cast<int>(records.size());
}

// LoopSeconds consumes `expected` records of `topic` in a new group with
// `guarantee` and returns the seconds from the first record to the last.
std::optional<double> LoopSeconds(const std::string& bootstrap, const std::string& topic,
                                  int expected, Guarantee guarantee, Sink* sink,
                                  BatchSink* batch_sink, const std::string& group) {
  rd_kafka_t* consumer = NewConsumer(bootstrap, group, guarantee);
  if (consumer == nullptr) return std::nullopt;
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);

  int consumed = 0;
  std::optional<Clock::time_point> first;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (consumed < expected && Clock::now() < deadline) {
    rd_kafka_message_t* record = rd_kafka_consumer_poll(consumer, 100);
    if (record == nullptr) continue;
    if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_message_destroy(record);
      continue;
    }
    if (!first) first = Clock::now();
    if (guarantee == Guarantee::kBatchTransaction) {
      consumed += ApplyBatch(consumer, record, *batch_sink);
      continue;
    }

    // Apply the effect, then store the offset, as the guarantee requires.
    bool durable = true;
    if (guarantee == Guarantee::kSinkTransaction) {
      const Message message = CopyRecord(record);
      durable = sink->Apply(message, {message.key, message.value}).ok();
    }
    if (durable && guarantee != Guarantee::kAutoCommit) {
      StoreNextOffset(consumer, record);
    }
    rd_kafka_message_destroy(record);
    ++consumed;
  }
  const double seconds = first ? SecondsSince(*first) : 0;
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  if (consumed < expected) {
    spdlog::error("group {} consumed {} of {} records within 120 s", group, consumed, expected);
    return std::nullopt;
  }
  return seconds;
}

// ReferenceSeconds runs the lab's Consumer with `sink` over `topic` and
// returns the seconds from its first handler call to its last applied effect.
std::optional<double> ReferenceSeconds(const std::string& bootstrap, const std::string& topic,
                                       int expected, Sink& sink, const std::string& debug) {
  std::atomic<std::int64_t> first_call_ns{0};
  MessageHandler handler = [&](const Message& message) -> HandlerResult {
    std::int64_t none = 0;
    first_call_ns.compare_exchange_strong(none, Clock::now().time_since_epoch().count());
    return Effect{message.key, message.value};
  };
  ConsumerOptions options;
  options.bootstrap_servers = bootstrap;
  options.group_id = "bench-reference";
  options.topics = {topic};
  options.kafka_config = {{"session.timeout.ms", "6000"}, {"fetch.wait.max.ms", "10"}};
  if (!debug.empty()) options.kafka_config.emplace_back("debug", debug);
  Result<std::unique_ptr<Consumer>> created = Consumer::Create(options, handler, sink);
  if (!created.ok()) {
    spdlog::error("{}", created.error().message);
    return std::nullopt;
  }
  Consumer& consumer = *created.value();
  std::thread runner([&] { (void)consumer.Run(); });

  // Wait for the last effect, polling the counters every millisecond.
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  std::int64_t done = 0;
  while (Clock::now() < deadline) {
    const ConsumerStats stats = consumer.Stats();
    done = stats.applied + stats.duplicates;
    if (done >= expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto end = Clock::now();
  const ConsumerStats stats = consumer.Stats();
  spdlog::info("reference consumer: {} applied, {} duplicates, {} pauses, {} resumes",
               stats.applied, stats.duplicates, stats.pauses, stats.resumes);
  consumer.Stop();
  runner.join();
  if (done < expected) {
    spdlog::error("the reference consumer applied {} of {} records within 120 s", done, expected);
    return std::nullopt;
  }
  const Clock::time_point start{Clock::duration(first_call_ns.load())};
  return std::chrono::duration<double>(end - start).count();
}

// ---------------------------------------------------------------------------
// Step 4: produce-to-effect latency.

// TimingSink applies through `inner` and records, for each applied record,
// the time since the send timestamp its value carries.
class TimingSink final : public Sink {
 public:
  explicit TimingSink(Sink& inner) : inner_(inner) {}
  Result<ApplyOutcome> Apply(const Message& message, const Effect& effect) override {
    Result<ApplyOutcome> outcome = inner_.Apply(message, effect);
    const std::int64_t now = Clock::now().time_since_epoch().count();
    if (outcome.ok() && outcome.value() == ApplyOutcome::kApplied) {
      std::lock_guard<std::mutex> lock(mutex_);
      latencies_us_.push_back((now - std::stoll(message.value)) / 1000.0);
    }
    return outcome;
  }
  Result<std::vector<ApplyOutcome>> ApplyAll(const std::vector<Message>& messages,
                                             const std::vector<Effect>& effects) override {
    Result<std::vector<ApplyOutcome>> outcomes = inner_.ApplyAll(messages, effects);
    const std::int64_t now = Clock::now().time_since_epoch().count();
    if (!outcomes.ok()) return outcomes;
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (outcomes.value()[i] != ApplyOutcome::kApplied) continue;
      latencies_us_.push_back((now - std::stoll(messages[i].value)) / 1000.0);
    }
    return outcomes;
  }
  Result<std::int64_t> NextOffset(std::string_view topic, std::int32_t partition) override {
    return inner_.NextOffset(topic, partition);
  }
  std::vector<double> Latencies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return latencies_us_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    latencies_us_.clear();
  }

 private:
  Sink& inner_;
  std::mutex mutex_;
  std::vector<double> latencies_us_;
};

// The latency topic's partitions.
constexpr int kLatencyPartitions = 4;

// MeasureLatency returns the produce-to-effect latencies in microseconds.
std::vector<double> MeasureLatency(const std::string& bootstrap, const std::string& topic,
                                   int count, Sink& sink) {
  TimingSink timing(sink);
  ConsumerOptions options;
  options.bootstrap_servers = bootstrap;
  options.group_id = "bench-latency";
  options.topics = {topic};
  options.kafka_config = {{"session.timeout.ms", "6000"}, {"fetch.wait.max.ms", "5"}};
  MessageHandler handler = [](const Message& message) -> HandlerResult {
    return Effect{message.key, message.value};
  };
  Result<std::unique_ptr<Consumer>> created = Consumer::Create(options, handler, timing);
  if (!created.ok()) {
    spdlog::error("{}", created.error().message);
    return {};
  }
  Consumer& consumer = *created.value();
  std::thread runner([&] { (void)consumer.Run(); });

  // Wait until the group assigned the partitions, so the join is not timed.
  const auto join_deadline = Clock::now() + std::chrono::seconds(30);
  while (consumer.Assignment().empty() && Clock::now() < join_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // Send one record every 2 ms, its value the send time in steady-clock ns.
  ProducerOptions producer_options;
  producer_options.bootstrap_servers = bootstrap;
  producer_options.linger_ms = 0;
  ProducerResult producer = Producer::Create(producer_options);
  if (producer.ok()) {
    // Warm up: one untimed record per partition, so the first fetch of each
    // partition (its offset lookup waits about 100 ms) is not timed.
    for (std::int32_t partition = 0; partition < kLatencyPartitions; ++partition) {
      const std::string sent = std::to_string(Clock::now().time_since_epoch().count());
      (void)producer.producer->Send({topic, "warm-up", sent, {}, partition});
    }
    const auto warm_deadline = Clock::now() + std::chrono::seconds(10);
    while (timing.Latencies().size() < kLatencyPartitions && Clock::now() < warm_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    timing.Clear();

    auto next = Clock::now();
    for (int i = 0; i < count; ++i) {
      std::this_thread::sleep_until(next);
      next += std::chrono::milliseconds(2);
      const std::string sent = std::to_string(Clock::now().time_since_epoch().count());
      (void)producer.producer->Send({topic, "k" + std::to_string(i % 16), sent, {}});
    }
  }

  // Wait for the effects (bounded), then stop.
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (timing.Latencies().size() < static_cast<size_t>(count) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  consumer.Stop();
  runner.join();
  return timing.Latencies();
}

// ---------------------------------------------------------------------------

// MeasureKcat times kcat on the 1% topic and on the full topic, best of
// kKcatRuns each, and sets kcat's rate without its fixed costs. A run
// sometimes loses up to 1 s before its last broker connects (see
// docs/results/queue_demo.md), so take the best of several.
bool MeasureKcat(const std::string& bootstrap, const Options& options, Report& report) {
  constexpr int kKcatRuns = 5;
  const int small_count = options.messages / 100;
  spdlog::info("kcat -C -e: the 1% topic and the full topic, {} times each", kKcatRuns);
  std::optional<double> kcat_small;
  std::optional<double> kcat_all;
  for (int run = 0; run < kKcatRuns; ++run) {
    std::optional<double> small = KcatSeconds(bootstrap, "bench-small", small_count);
    std::optional<double> all = KcatSeconds(bootstrap, "bench", options.messages);
    if (!small || !all) return false;
    kcat_small = std::min(*small, kcat_small.value_or(*small));
    kcat_all = std::min(*all, kcat_all.value_or(*all));
  }
  if (*kcat_all <= *kcat_small) {
    spdlog::error("kcat read {} records in {:.3f} s and {} in {:.3f} s: use more --messages",
                  options.messages, *kcat_all, small_count, *kcat_small);
    return false;
  }
  const double kcat_rate = (options.messages - small_count) / (*kcat_all - *kcat_small);
  report.SetKcat(kcat_rate, options.messages / *kcat_all, *kcat_small);
  return true;
}

// MeasureLoops runs the minimal consumer loop once per guarantee.
bool MeasureLoops(const std::string& bootstrap, const Options& options, Sink& loop_sink,
                  BatchSink& batch_sink, Report& report) {
  struct Row {
    const char* name;
    Guarantee guarantee;
  };
  for (const Row& row : {Row{"auto_commit", Guarantee::kAutoCommit},
                         Row{"stored_offsets", Guarantee::kStoredOffsets},
                         Row{"sink_transaction", Guarantee::kSinkTransaction},
                         Row{"batch_transaction", Guarantee::kBatchTransaction}}) {
    spdlog::info("consumer loop: {}", row.name);
    std::optional<double> seconds =
        LoopSeconds(bootstrap, "bench", options.messages, row.guarantee, &loop_sink,
                    &batch_sink, std::string("bench-") + row.name);
    if (!seconds) return false;
    report.AddConsumer(row.name, options.messages / *seconds);
  }
  return true;
}

// OpenSink opens a SqliteSink at `path`, or logs why not and returns null.
std::unique_ptr<SqliteSink> OpenSink(const fs::path& path) {
  Result<std::unique_ptr<SqliteSink>> sink = SqliteSink::Open(path.string());
  if (!sink.ok()) {
    spdlog::error("{}", sink.error().message);
    return nullptr;
  }
  return std::move(sink.value());
}

int Run(const Options& options) {
  BrokerResult broker = EmbeddedBroker::Start(3);
  if (!broker.ok()) {
    spdlog::error("{}", broker.error().message);
    return 1;
  }
  const std::string bootstrap = broker->bootstraps();
  for (const auto& [topic, partitions] :
       std::vector<std::pair<std::string, int>>{{"bench", options.partitions},
                                                {"bench-small", options.partitions},
                                                {"latency", kLatencyPartitions}}) {
    if (BrokerError error = broker->CreateTopic(topic, partitions); !error.message.empty()) {
      spdlog::error("{}", error.message);
      return 1;
    }
  }
  const fs::path work_dir = MakeWorkDir();
  Report report(options.messages, options.value_bytes, options.partitions);

  // 1. Produce.
  spdlog::info("producing {} records of {} bytes", options.messages, options.value_bytes);
  const int small_count = options.messages / 100;
  std::optional<double> produce_rate =
      ProduceAll(bootstrap, "bench", options.messages, options);
  if (!produce_rate || !ProduceAll(bootstrap, "bench-small", small_count, options)) return 1;
  report.AddRate("producer (idempotent, acks=all)", *produce_rate, std::nullopt, "");

  // 2. kcat, and 3. the guarantees side by side.
  std::unique_ptr<SqliteSink> loop_sink = OpenSink(work_dir / "loop.db");
  std::unique_ptr<SqliteSink> reference_sink = OpenSink(work_dir / "reference.db");
  std::unique_ptr<SqliteSink> latency_sink = OpenSink(work_dir / "latency.db");
  std::unique_ptr<BatchSink> batch_sink = BatchSink::Open(work_dir / "batch.db");
  if (!loop_sink || !reference_sink || !latency_sink || !batch_sink) return 1;
  if (!options.reference_only &&
      (!MeasureKcat(bootstrap, options, report) ||
       !MeasureLoops(bootstrap, options, *loop_sink, *batch_sink, report))) {
    return 1;
  }
  spdlog::info("reference consumer with its SQLite sink");
  std::optional<double> reference =
      ReferenceSeconds(bootstrap, "bench", options.messages, *reference_sink,
                       options.kafka_debug);
  if (!reference) return 1;
  report.AddConsumer("reference_consumer", options.messages / *reference, 0.8);

  // 4. Latency.
  spdlog::info("produce-to-effect latency: {} records, one every 2 ms", options.latency_messages);
  std::vector<double> latencies =
      MeasureLatency(bootstrap, "latency", options.latency_messages, *latency_sink);
  report.AddLatency(latencies, options.latency_messages);

  loop_sink.reset();
  reference_sink.reset();
  latency_sink.reset();
  batch_sink.reset();
  fs::remove_all(work_dir);
  report.Print(options.json);
  return 0;
}

}  // namespace
}  // namespace queue_demo::bench

int main(int argc, char** argv) {
  queue_demo::bench::Options options;
  CLI::App app{"Measure the queue lab's consumer against kcat on one embedded broker "
               "(127.0.0.1), and its produce-to-effect latency."};
  app.add_option("--messages", options.messages, "Records in the throughput topic")
      ->check(labkit::WholeNumber(1000, 400000, "a record count"));
  app.add_option("--partitions", options.partitions, "Partitions of the throughput topic")
      ->check(labkit::WholeNumber(1, 32, "a partition count"));
  app.add_option("--value-bytes", options.value_bytes, "Bytes in each record's value")
      ->check(labkit::WholeNumber(1, 1000, "a size in bytes"));
  app.add_option("--latency-messages", options.latency_messages,
                 "Records sent one every 2 ms for the latency run")
      ->check(labkit::WholeNumber(100, 20000, "a record count"));
  app.add_flag("--reference-only", options.reference_only,
               "Run only the reference consumer and the latency run (for profiling)");
  app.add_option("--kafka-debug", options.kafka_debug,
                 "librdkafka debug contexts for the reference consumer (fetch,consumer...)");
  app.add_flag("--json", options.json, "Print one JSON array (the kit's peer format) on stdout");
  if (std::optional<int> exit_code = labkit::ParseFlags(app, argc, argv)) return *exit_code;
  labkit::InitLogging("bench_queue_demo", options.kafka_debug.empty() ? "info" : "debug");
  return queue_demo::bench::Run(options);
}
