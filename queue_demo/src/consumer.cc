#include "queue_demo/consumer.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <set>

#include "queue_demo/offsets.h"
#include "queue_demo/rebalance.h"
#include "queue_demo/shutdown.h"
#include "queue_demo/stop_signal.h"

namespace queue_demo {

struct Consumer::AtomicStats {
  std::atomic<std::int64_t> applied{0};
  std::atomic<std::int64_t> duplicates{0};
  std::atomic<std::int64_t> handler_failures{0};
  std::atomic<std::int64_t> forwarded{0};
  std::atomic<std::int64_t> stale_stores{0};
  std::atomic<std::int64_t> assignments{0};
  std::atomic<std::int64_t> revocations{0};
  std::atomic<std::int64_t> lost_assignments{0};
  std::atomic<std::int64_t> pauses{0};
  std::atomic<std::int64_t> resumes{0};
  std::atomic<std::int64_t> max_poll_exceeded{0};
  std::atomic<std::int64_t> commit_failures{0};
};

namespace {

// How long an assign waits for the group's committed offsets.
constexpr int kCommittedTimeoutMs = 5000;

// How long shutdown retries a final commit that a rebalance rejected.
constexpr std::chrono::seconds kFinalCommitRetryBudget{6};

// The maximum number of records of one partition that a worker takes at once
// and applies in one sink transaction (group commit).
constexpr std::size_t kMaxBatch = 500;

// How long effects wait for the rest of their batch: with a slow handler each
// record is applied and stored alone, as soon as it is processed.
constexpr std::chrono::milliseconds kMaxBatchDelay{10};

std::string Where(const Message& message) {
  return message.topic + "[" + std::to_string(message.partition) + "]@" +
         std::to_string(message.offset);
}

std::string Names(const std::vector<TopicPartition>& partitions) {
  std::string names;
  for (const TopicPartition& tp : partitions) {
    if (!names.empty()) names += ", ";
    names += tp.topic + "[" + std::to_string(tp.partition) + "]";
  }
  return names;
}

// PartitionList owns a librdkafka partition list built from `partitions`.
class PartitionList {
 public:
  explicit PartitionList(const std::vector<TopicPartition>& partitions)
      : list_(rd_kafka_topic_partition_list_new(
            static_cast<int>(partitions.size()))) {
    for (const TopicPartition& tp : partitions) {
      rd_kafka_topic_partition_list_add(list_, tp.topic.c_str(), tp.partition)
          ->offset = tp.offset;
    }
  }
  explicit PartitionList(rd_kafka_topic_partition_list_t* owned)
      : list_(owned) {}
  ~PartitionList() {
    if (list_ != nullptr) rd_kafka_topic_partition_list_destroy(list_);
  }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;

  rd_kafka_topic_partition_list_t* get() const { return list_; }

 private:
  rd_kafka_topic_partition_list_t* list_;
};

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> partitions;
  if (list == nullptr) return partitions;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    partitions.push_back(TopicPartition{tp.topic, tp.partition, tp.offset});
  }
  return partitions;
}

Error KafkaError(const std::string& action, rd_kafka_resp_err_t code) {
  return Error{ErrorCode::kKafka, action + ": " + rd_kafka_err2str(code)};
}

// TakeError converts and frees a librdkafka error object; ok when null.
Status TakeError(const std::string& action, rd_kafka_error_t* error) {
  if (error == nullptr) return {};
  Error converted{ErrorCode::kKafka, action + ": " + rd_kafka_error_string(error)};
  rd_kafka_error_destroy(error);
  return converted;
}

Message CopyMessage(const rd_kafka_message_t& record) {
  Message message;
  message.topic = rd_kafka_topic_name(record.rkt);
  message.partition = record.partition;
  message.offset = record.offset;
  if (record.key != nullptr) {
    message.key.assign(static_cast<const char*>(record.key), record.key_len);
  }
  if (record.payload != nullptr) {
    message.value.assign(static_cast<const char*>(record.payload), record.len);
  }
  message.timestamp_ms = rd_kafka_message_timestamp(&record, nullptr);

  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&record, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.emplace_back(
          name, value == nullptr ? std::string()
                                 : std::string(static_cast<const char*>(value), size));
    }
  }
  return message;
}

Status ValidateOptions(const ConsumerOptions& options) {
  auto invalid = [](std::string message) {
    return Error{ErrorCode::kInvalidArgument, std::move(message)};
  };
  if (options.bootstrap_servers.empty()) {
    return invalid("bootstrap_servers is empty: give host:port of a broker");
  }
  if (options.group_id.empty()) return invalid("group_id is empty");
  if (options.topics.empty()) return invalid("topics is empty: subscribe to at least one");
  if (options.workers < 1) {
    return invalid("workers must be at least 1, got " + std::to_string(options.workers));
  }
  if (options.window_per_partition < 1) {
    return invalid("window_per_partition must be at least 1, got " +
                   std::to_string(options.window_per_partition));
  }
  if (options.resume_at < 0 || options.resume_at >= options.window_per_partition) {
    return invalid("resume_at must be in [0, window_per_partition = " +
                   std::to_string(options.window_per_partition) + "), got " +
                   std::to_string(options.resume_at));
  }
  if (options.poll_timeout.count() < 1 || options.retry_backoff_initial.count() < 1 ||
      options.retry_backoff_max < options.retry_backoff_initial) {
    return invalid("poll_timeout and retry_backoff_initial must be at least 1 ms, "
                   "and retry_backoff_max at least retry_backoff_initial");
  }
  static const std::set<std::string> kFixed = {
      "enable.auto.offset.store", "enable.auto.commit",
      "partition.assignment.strategy"};
  for (const auto& [name, value] : options.kafka_config) {
    if (kFixed.count(name) > 0) {
      return invalid("kafka_config sets " + name + "=" + value +
                     ", but the consumer's delivery guarantee fixes it");
    }
  }
  return {};
}

// LogFromKafka forwards librdkafka's log lines (syslog levels) to spdlog.
void LogFromKafka(const rd_kafka_t*, int level, const char* facility,
                  const char* line) {
  if (level <= 3) {
    spdlog::error("librdkafka {}: {}", facility, line);
  } else if (level == 4) {
    spdlog::warn("librdkafka {}: {}", facility, line);
  } else {
    spdlog::debug("librdkafka {}: {}", facility, line);
  }
}

}  // namespace

// ConsumerCallbacks are librdkafka's C callbacks; `opaque` is the Consumer.
struct ConsumerCallbacks {
  static void Rebalance(rd_kafka_t*, rd_kafka_resp_err_t error,
                        rd_kafka_topic_partition_list_t* partitions,
                        void* opaque) {
    static_cast<Consumer*>(opaque)->OnRebalance(error, partitions);
  }

  static void Error(rd_kafka_t*, int error, const char* reason, void* opaque) {
    static_cast<Consumer*>(opaque)->OnConsumerError(error, reason);
  }
};

// KafkaOffsetStore stores offsets with rd_kafka_offsets_store.
class Consumer::KafkaOffsetStore final : public OffsetStore {
 public:
  explicit KafkaOffsetStore(Consumer& consumer) : consumer_(consumer) {}

  Status Store(const TopicPartition& position) override {
    const std::string where = position.topic + "[" +
                              std::to_string(position.partition) + "]";
    if (consumer_.abandoned_) {
      return Error{ErrorCode::kState, "consumer abandoned: offset of " + where + " not stored"};
    }

    PartitionList list({position});
    rd_kafka_resp_err_t code = rd_kafka_offsets_store(consumer_.kafka_, list.get());
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) code = list.get()->elems[0].err;
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return {};

    // A partition revoked while its record was processed: the next owner
    // reads the record again, and the sink skips its effect.
    if (code == RD_KAFKA_RESP_ERR__STATE) {
      ++consumer_.stats_->stale_stores;
      spdlog::warn("offset {} of {} not stored: the partition is no longer assigned",
                   position.offset, where);
      return Error{ErrorCode::kState, "storing offset " + std::to_string(position.offset) +
                                          " of " + where + ": partition not assigned"};
    }
    spdlog::error("storing offset {} of {} failed: {}", position.offset, where,
                  rd_kafka_err2str(code));
    return KafkaError("storing offset of " + where, code);
  }

 private:
  Consumer& consumer_;
};

// KafkaRebalanceActions carries out HandleRebalance's decisions.
class Consumer::KafkaRebalanceActions final : public RebalanceActions {
 public:
  explicit KafkaRebalanceActions(Consumer& consumer) : consumer_(consumer) {}

  Result<std::vector<TopicPartition>> Committed(
      const std::vector<TopicPartition>& partitions) override {
    std::vector<TopicPartition> unset = partitions;
    for (TopicPartition& tp : unset) tp.offset = kOffsetUnset;
    PartitionList list(unset);
    const rd_kafka_resp_err_t code =
        rd_kafka_committed(consumer_.kafka_, list.get(), kCommittedTimeoutMs);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError("reading committed offsets of " + Names(partitions), code);
    }
    return ToVector(list.get());
  }

  Result<std::int64_t> SinkNextOffset(const TopicPartition& partition) override {
    return consumer_.sink_.NextOffset(partition.topic, partition.partition);
  }

  Status Assign(const std::vector<TopicPartition>& partitions) override {
    consumer_.queues_.Activate(partitions);
    for (const TopicPartition& tp : partitions) {
      spdlog::info("assigned {}[{}] from offset {}", tp.topic, tp.partition,
                   tp.offset == kOffsetUnset ? std::string("reset policy (earliest)")
                                             : std::to_string(tp.offset));
    }
    PartitionList list(partitions);
    return TakeError("assigning " + Names(partitions),
                     rd_kafka_incremental_assign(consumer_.kafka_, list.get()));
  }

  bool AssignmentLost() override {
    return rd_kafka_assignment_lost(consumer_.kafka_) != 0;
  }

  void StopWork(const std::vector<TopicPartition>& partitions) override {
    consumer_.queues_.Cancel(partitions);

    // A partition paused here would stay paused if it came back later.
    for (const TopicPartition& tp : partitions) {
      bool was_paused = false;
      {
        std::lock_guard<std::mutex> lock(consumer_.flow_mutex_);
        was_paused = consumer_.flow_.Forget(tp);
        std::erase_if(consumer_.pending_resumes_, [&](const TopicPartition& p) {
          return p.topic == tp.topic && p.partition == tp.partition;
        });
      }
      if (was_paused) consumer_.SetPaused(tp, false);
    }
  }

  bool WaitForInFlight(const std::vector<TopicPartition>& partitions) override {
    const auto deadline =
        std::chrono::steady_clock::now() + consumer_.options_.revoke_drain_timeout;
    if (consumer_.queues_.WaitUntilIdle(partitions, deadline)) return true;
    spdlog::warn("revoking {} with records still in flight after {} ms: their "
                 "offsets will not be stored",
                 Names(partitions), consumer_.options_.revoke_drain_timeout.count());
    return false;
  }

  Status Commit(const std::vector<TopicPartition>& partitions) override {
    return consumer_.CommitStored("on revoke of " + Names(partitions));
  }

  Status Unassign(const std::vector<TopicPartition>& partitions) override {
    PartitionList list(partitions);
    return TakeError("unassigning " + Names(partitions),
                     rd_kafka_incremental_unassign(consumer_.kafka_, list.get()));
  }

 private:
  Consumer& consumer_;
};

// KafkaShutdownSteps carries out RunGracefulShutdown's sequence.
class Consumer::KafkaShutdownSteps final : public ShutdownSteps {
 public:
  explicit KafkaShutdownSteps(Consumer& consumer) : consumer_(consumer) {}

  // The polling loop has already stopped, so no new record is dispatched.
  void StopIntake() override { spdlog::info("consumer stopping: intake stopped"); }

  bool WaitForInFlight(std::chrono::steady_clock::time_point deadline) override {
    return consumer_.queues_.WaitUntilEmpty(deadline);
  }

  void DropQueued() override {
    spdlog::warn("shutdown drain timed out after {} ms: dropping unfinished "
                 "records, they will be delivered again",
                 consumer_.options_.shutdown_drain_timeout.count());
    consumer_.give_up_ = true;
    consumer_.queues_.DropQueued();
  }

  // A commit while another member joins or leaves fails with
  // REBALANCE_IN_PROGRESS, or ILLEGAL_GENERATION until this member rejoins.
  // Serve the rebalance by polling, drop any record the poll returns (never
  // processed, so never stored), and try again.
  Status Commit() override {
    const auto deadline = std::chrono::steady_clock::now() + kFinalCommitRetryBudget;
    Status committed = consumer_.CommitStored("on shutdown");
    while (!committed.ok() && consumer_.last_commit_retriable_ &&
           std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* record = rd_kafka_consumer_poll(consumer_.kafka_, 100);
      if (record != nullptr) rd_kafka_message_destroy(record);
      committed = consumer_.CommitStored("on shutdown, retried");
    }
    return committed;
  }

  Status Close() override {
    const rd_kafka_resp_err_t code = rd_kafka_consumer_close(consumer_.kafka_);
    consumer_.closed_ = true;
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("closing the consumer", code);
    return {};
  }

 private:
  Consumer& consumer_;
};

Result<std::unique_ptr<Consumer>> Consumer::Create(ConsumerOptions options,
                                                   MessageHandler handler,
                                                   Sink& sink,
                                                   FailureRouter* router) {
  Status valid = ValidateOptions(options);
  if (!valid.ok()) return valid.error();
  std::unique_ptr<Consumer> consumer(
      new Consumer(std::move(options), std::move(handler), sink, router));
  const ConsumerOptions& opts = consumer->options_;

  // The delivery guarantees fix the first group of properties; the caller's
  // kafka_config comes last and may change the rest.
  std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", opts.bootstrap_servers},
      {"group.id", opts.group_id},
      {"client.id", opts.client_id},
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
  };
  properties.insert(properties.end(), opts.kafka_config.begin(), opts.kafka_config.end());

  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error{ErrorCode::kInvalidArgument,
                   "invalid consumer property " + name + "=" + value + ": " + reason};
    }
  }
  rd_kafka_conf_set_opaque(conf, consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf, ConsumerCallbacks::Rebalance);
  rd_kafka_conf_set_error_cb(conf, ConsumerCallbacks::Error);
  rd_kafka_conf_set_log_cb(conf, LogFromKafka);

  // rd_kafka_new takes the configuration only when it succeeds.
  consumer->kafka_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  if (consumer->kafka_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Error{ErrorCode::kKafka, std::string("creating the consumer: ") + reason};
  }
  rd_kafka_poll_set_consumer(consumer->kafka_);
  consumer->poll_queue_ = rd_kafka_queue_get_consumer(consumer->kafka_);

  std::vector<TopicPartition> topics;
  for (const std::string& topic : opts.topics) {
    topics.push_back(TopicPartition{topic, RD_KAFKA_PARTITION_UA, kOffsetUnset});
  }
  PartitionList subscription(topics);
  const rd_kafka_resp_err_t code = rd_kafka_subscribe(consumer->kafka_, subscription.get());
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError("subscribing to " + Names(topics), code);
  }

  for (int i = 0; i < opts.workers; ++i) {
    consumer->workers_.emplace_back([c = consumer.get()] { c->WorkerLoop(); });
  }
  spdlog::info("consumer {} created: group {}, {} workers, window {} per partition",
               opts.client_id, opts.group_id, opts.workers, opts.window_per_partition);
  return consumer;
}

Consumer::Consumer(ConsumerOptions options, MessageHandler handler, Sink& sink,
                   FailureRouter* router)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      sink_(sink),
      router_(router),
      flow_(options_.window_per_partition, options_.resume_at),
      stats_(std::make_unique<AtomicStats>()) {}

Consumer::~Consumer() {
  // Workers give up their records unstored: the next owner reads them again.
  give_up_ = true;
  queues_.Close();
  for (std::thread& worker : workers_) worker.join();
  if (kafka_ == nullptr) return;
  if (poll_queue_ != nullptr) rd_kafka_queue_destroy(poll_queue_);

  if (abandoned_) {
    rd_kafka_destroy_flags(kafka_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    return;
  }
  if (!closed_) rd_kafka_consumer_close(kafka_);
  rd_kafka_destroy(kafka_);
}

Status Consumer::Run() {
  std::string topics;
  for (const std::string& topic : options_.topics) topics += (topics.empty() ? "" : ", ") + topic;
  spdlog::info("consumer {} polling {}", options_.client_id, topics);

  // Poll only through the consumer queue: it is what resets the
  // max.poll.interval.ms timer, and it serves the rebalance callback.
  while (!stop_requested_ && !abandoned_ &&
         !(options_.stop_on_signals && StopSignalReceived())) {
    ApplyPendingResumes();
    rd_kafka_message_t* record =
        rd_kafka_consumer_poll(kafka_, static_cast<int>(options_.poll_timeout.count()));
    if (record == nullptr) continue;
    if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      OnConsumerError(record->err, rd_kafka_message_errstr(record));
    } else {
      Dispatch(CopyMessage(*record));
    }
    rd_kafka_message_destroy(record);
  }
  if (abandoned_) {
    spdlog::warn("consumer {} abandoned: nothing more is stored or committed",
                 options_.client_id);
    return {};
  }

  KafkaShutdownSteps steps(*this);
  ShutdownReport report = RunGracefulShutdown(steps, options_.shutdown_drain_timeout);
  spdlog::info("consumer {} stopped: drained {}, final commit {}, close {}",
               options_.client_id, report.drained,
               report.commit.ok() ? "ok" : report.commit.error().message,
               report.close.ok() ? "ok" : report.close.error().message);
  if (!report.commit.ok()) return report.commit;
  return report.close;
}

void Consumer::Stop() { stop_requested_ = true; }

void Consumer::Abandon() {
  abandoned_ = true;
  give_up_ = true;
}

ConsumerStats Consumer::Stats() const {
  ConsumerStats s;
  s.applied = stats_->applied;
  s.duplicates = stats_->duplicates;
  s.handler_failures = stats_->handler_failures;
  s.forwarded = stats_->forwarded;
  s.stale_stores = stats_->stale_stores;
  s.assignments = stats_->assignments;
  s.revocations = stats_->revocations;
  s.lost_assignments = stats_->lost_assignments;
  s.pauses = stats_->pauses;
  s.resumes = stats_->resumes;
  s.max_poll_exceeded = stats_->max_poll_exceeded;
  s.commit_failures = stats_->commit_failures;
  return s;
}

std::vector<TopicPartition> Consumer::Assignment() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(kafka_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  PartitionList owned(list);
  return ToVector(list);
}

void Consumer::OnRebalance(int error, rd_kafka_topic_partition_list_t* list) {
  const std::vector<TopicPartition> partitions = ToVector(list);
  RebalanceEvent event = RebalanceEvent::kRevoke;
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    event = RebalanceEvent::kAssign;
    ++stats_->assignments;
  } else if (error == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    ++stats_->revocations;
    if (rd_kafka_assignment_lost(kafka_)) ++stats_->lost_assignments;
    spdlog::info("revoking {}{}", Names(partitions),
                 rd_kafka_assignment_lost(kafka_) ? " (assignment lost)" : "");
  } else {
    // On a rebalance error librdkafka requires dropping the whole assignment.
    spdlog::error("rebalance failed: {}; dropping the assignment",
                  rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(error)));
    queues_.Cancel(Assignment());
    rd_kafka_assign(kafka_, nullptr);
    return;
  }

  KafkaRebalanceActions actions(*this);
  Status handled = HandleRebalance(event, partitions, actions);
  if (!handled.ok()) {
    spdlog::error("rebalance of {} failed: {}", Names(partitions), handled.error().message);
  }
}

void Consumer::OnConsumerError(int error, const std::string& reason) {
  if (error == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED) ++stats_->max_poll_exceeded;
  spdlog::warn("consumer {}: {} ({})", options_.client_id, reason,
               rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error)));
}

Status Consumer::CommitStored(const std::string& when) {
  const rd_kafka_resp_err_t code = rd_kafka_commit(kafka_, nullptr, 0);
  last_commit_retriable_ = code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
                           code == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION;
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    return {};
  }
  ++stats_->commit_failures;
  spdlog::warn("commit {} failed: {}", when, rd_kafka_err2str(code));
  return KafkaError("commit " + when, code);
}

void Consumer::Dispatch(Message message) {
  const TopicPartition partition{message.topic, message.partition};
  bool pause = false;
  {
    std::lock_guard<std::mutex> lock(flow_mutex_);
    pause = flow_.OnDispatched(partition);
  }
  queues_.Push(std::move(message));
  if (pause) SetPaused(partition, true);
}

void Consumer::ApplyPendingResumes() {
  std::vector<TopicPartition> resumes;
  {
    std::lock_guard<std::mutex> lock(flow_mutex_);
    resumes.swap(pending_resumes_);
  }
  for (const TopicPartition& partition : resumes) SetPaused(partition, false);
}

void Consumer::SetPaused(const TopicPartition& partition, bool paused) {
  PartitionList list({partition});
  const rd_kafka_resp_err_t code = paused ? rd_kafka_pause_partitions(kafka_, list.get())
                                          : rd_kafka_resume_partitions(kafka_, list.get());
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("{} {}[{}] failed: {}", paused ? "pausing" : "resuming",
                 partition.topic, partition.partition, rd_kafka_err2str(code));
    return;
  }
  ++(paused ? stats_->pauses : stats_->resumes);
  spdlog::debug("{} {}[{}]", paused ? "paused" : "resumed", partition.topic,
                partition.partition);
  if (!paused) WakeFetcher(partition);
}

// librdkafka 2.0.2 decides what to fetch on the leader's broker thread, and
// a resume does not wake that thread: when every partition it serves was
// paused, it sleeps up to 1 s before it fetches again. Any request to that
// broker wakes it, so send a cheap one (ListOffsets) and do not wait for the
// answer: the short timeout only bounds this call.
void Consumer::WakeFetcher(const TopicPartition& partition) {
  std::int64_t low = 0;
  std::int64_t high = 0;
  rd_kafka_query_watermark_offsets(kafka_, partition.topic.c_str(), partition.partition,
                                   &low, &high, /*timeout_ms=*/1);
}

void Consumer::WorkerLoop() {
  KafkaOffsetStore offsets(*this);
  for (std::vector<Message> batch = queues_.PopBatch(kMaxBatch); !batch.empty();
       batch = queues_.PopBatch(kMaxBatch)) {
    ProcessBatch(batch, offsets);
    Finish(batch);
  }
}

// ProcessBatch handles consecutive records of one partition, in order. The
// effects of records whose handler succeeded are applied together, in one
// sink transaction, then the next offset after the last of them is stored.
// Effects are also applied once kMaxBatchDelay has passed since the first
// of them. A failing record first flushes the effects before it, then is
// retried or routed alone, so per-key order holds.
void Consumer::ProcessBatch(const std::vector<Message>& batch, OffsetStore& offsets) {
  std::vector<Message> ready;
  std::vector<Effect> effects;
  std::chrono::steady_clock::time_point first_ready;
  auto flush = [&] {
    ApplyInOneTransaction(ready, effects, offsets);
    ready.clear();
    effects.clear();
  };
  for (const Message& message : batch) {
    if (ShouldGiveUp(message)) break;  // the rest stays unstored: delivered again
    HandlerFailure failure;
    if (std::optional<Effect> effect = CallHandler(message, failure)) {
      if (ready.empty()) first_ready = std::chrono::steady_clock::now();
      ready.push_back(message);
      effects.push_back(std::move(*effect));
      if (std::chrono::steady_clock::now() - first_ready >= kMaxBatchDelay) flush();
      continue;
    }
    flush();
    const ApplyEffect retry = [&](const Message& m) { return ApplyWithRetries(m, failure); };
    Status done = ProcessThenStore(message, retry, offsets);
    if (!done.ok()) spdlog::info("{} left unstored: {}", Where(message), done.error().message);
  }
  flush();
}

// ApplyInOneTransaction applies `messages` through the sink's group commit
// and stores the offset after the last one. If the sink fails, it applies
// them one at a time, each with its own retries and routing.
void Consumer::ApplyInOneTransaction(const std::vector<Message>& messages,
                                     const std::vector<Effect>& effects,
                                     OffsetStore& offsets) {
  if (messages.empty()) return;
  bool applied = false;
  const ApplyEffect apply_all = [&](const Message& last) -> Status {
    if (abandoned_) {  // a crashed consumer applies nothing more
      return Error{ErrorCode::kState, "consumer abandoned: " + Where(last) + " not applied"};
    }
    Result<std::vector<ApplyOutcome>> outcomes = sink_.ApplyAll(messages, effects);
    if (!outcomes.ok()) return outcomes.error();
    for (ApplyOutcome outcome : outcomes.value()) {
      ++(outcome == ApplyOutcome::kApplied ? stats_->applied : stats_->duplicates);
    }
    applied = true;
    return {};
  };
  Status done = ProcessThenStore(messages.back(), apply_all, offsets);
  if (applied || ShouldGiveUp(messages.back())) {
    if (!done.ok()) {
      spdlog::info("{} records up to {} left unstored: {}", messages.size(),
                   Where(messages.back()), done.error().message);
    }
    return;
  }

  ++stats_->handler_failures;
  spdlog::warn("applying {} records up to {} failed: {}; applying them one by one",
               messages.size(), Where(messages.back()), done.error().message);
  const ApplyEffect one = [this](const Message& m) { return ApplyWithRetries(m, std::nullopt); };
  for (const Message& message : messages) {
    Status stored = ProcessThenStore(message, one, offsets);
    if (!stored.ok()) spdlog::info("{} left unstored: {}", Where(message), stored.error().message);
  }
}

// ApplyWithRetries applies `message` until it is applied, forwarded, or given
// up. `first_failure`, when set, is the outcome of a handler call already
// made: it counts as attempt 1.
Status Consumer::ApplyWithRetries(const Message& message,
                                  std::optional<HandlerFailure> first_failure) {
  std::chrono::milliseconds backoff = options_.retry_backoff_initial;
  for (int attempt = 1;; ++attempt) {
    if (ShouldGiveUp(message)) {
      return Error{ErrorCode::kState, "gave up " + Where(message) +
                                          ": partition revoked or consumer stopping"};
    }
    HandlerFailure failure;
    if (attempt == 1 && first_failure) {
      failure = std::move(*first_failure);
    } else {
      Status applied = ApplyOnce(message, failure);
      if (applied.ok()) return applied;
      if (ShouldGiveUp(message)) continue;
    }
    ++stats_->handler_failures;
    spdlog::warn("processing {} failed on attempt {}: {}", Where(message), attempt,
                 failure.reason);

    // Without a router, retry in place for as long as it takes.
    if (router_ == nullptr) {
      SleepUnlessGivingUp(message, backoff);
      backoff = std::min(backoff * 2, options_.retry_backoff_max);
      continue;
    }

    RouteOutcome outcome = router_->OnHandlerFailure(message, failure, attempt);
    if (outcome.action == RetryAction::kRetryInPlace) {
      SleepUnlessGivingUp(message, std::chrono::milliseconds(outcome.backoff_ms));
      continue;
    }
    if (outcome.forwarded()) {
      ++stats_->forwarded;
      spdlog::info("forwarded {} to {} after {} attempts", Where(message),
                   outcome.topic, attempt);
      return {};
    }

    // Storing this offset now would lose the record, and moving to the next
    // one would break its key's order: keep it in place and try again.
    spdlog::error("forwarding {} to {} failed: {}; retrying in place",
                  Where(message), outcome.topic, outcome.report.error);
    SleepUnlessGivingUp(message, options_.retry_backoff_max);
  }
}

std::optional<Effect> Consumer::CallHandler(const Message& message,
                                            HandlerFailure& failure) {
  HandlerResult result = HandlerFailure{};
  try {
    result = handler_(message);
  } catch (const std::exception& e) {
    failure = HandlerFailure{FailureKind::kTransient, std::string("handler threw: ") + e.what()};
    return std::nullopt;
  }
  if (HandlerFailure* failed = std::get_if<HandlerFailure>(&result)) {
    failure = std::move(*failed);
    return std::nullopt;
  }
  return std::move(std::get<Effect>(result));
}

Status Consumer::ApplyOnce(const Message& message, HandlerFailure& failure) {
  std::optional<Effect> effect = CallHandler(message, failure);
  if (!effect) return Error{ErrorCode::kHandler, failure.reason};

  // A crashed consumer applies nothing more.
  if (abandoned_) {
    failure = HandlerFailure{FailureKind::kTransient, "consumer abandoned"};
    return Error{ErrorCode::kState, failure.reason};
  }
  Result<ApplyOutcome> outcome = sink_.Apply(message, *effect);
  if (!outcome.ok()) {
    failure = HandlerFailure{FailureKind::kTransient, outcome.error().message};
    return outcome.error();
  }
  ++(outcome.value() == ApplyOutcome::kApplied ? stats_->applied : stats_->duplicates);
  return {};
}

bool Consumer::ShouldGiveUp(const Message& message) const {
  return give_up_ || abandoned_ || queues_.IsCancelled(message);
}

bool Consumer::SleepUnlessGivingUp(const Message& message,
                                   std::chrono::milliseconds duration) const {
  // Sleep in slices, so a revoke or a shutdown does not wait out a backoff.
  constexpr std::chrono::milliseconds kSlice{10};
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ShouldGiveUp(message)) return false;
    std::this_thread::sleep_for(kSlice);
  }
  return !ShouldGiveUp(message);
}

void Consumer::Finish(const std::vector<Message>& batch) {
  queues_.Done(batch.front());
  const TopicPartition partition{batch.front().topic, batch.front().partition};
  bool resume = false;
  {
    std::lock_guard<std::mutex> lock(flow_mutex_);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (flow_.OnFinished(partition)) resume = true;
    }
    if (resume) pending_resumes_.push_back(partition);
  }
  // Wake the polling thread, so the resume does not wait out its poll.
  if (resume) rd_kafka_queue_yield(poll_queue_);
}

}  // namespace queue_demo
