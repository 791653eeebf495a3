// Consumer: an at-least-once Kafka consumer-group consumer whose effects are
// applied exactly once through an idempotent sink.
//
// Delivery guarantees and where each is enforced:
//   - At least once: a record's offset is stored (rd_kafka_offsets_store)
//     only after its effect is durable in the sink, and the stored offset is
//     the next one to read (offset + 1). Stored offsets are committed by the
//     automatic commit, on every revoke, and once more on shutdown.
//   - Effectively once: the sink records (topic, partition, offset) in the
//     effect's own transaction and skips records already there. A newly
//     assigned partition resumes from the later of the committed offset and
//     the sink's next offset.
//   - Group commit: a worker takes up to 500 queued records of one
//     partition, calls the handler on each in order, applies their effects
//     in ONE sink transaction (Sink::ApplyAll) and then stores the offset
//     after the last of them. A failing record first gets the effects
//     before it applied and stored, then is retried alone.
//   - Per-key order: one partition has at most one batch being processed,
//     and a failing record is retried in its place before the next one.
//   - Poison messages: after the FailureRouter's bounded attempts the record
//     goes to <topic>.retry or <topic>.dlt and its offset is stored, so the
//     partition moves on.
//
// Group membership: partition.assignment.strategy=cooperative-sticky, with
// the rebalance callback of rebalance.h. Offset reset: auto.offset.reset=
// earliest, so a new group (one with no committed offsets) reads each
// partition from its first record and never skips what was produced before
// it first joined.
//
// Backpressure: each partition may have `window_per_partition` records in
// flight. A full partition is paused, and resumed when it drains to
// `resume_at`. The polling thread never blocks on the workers, so a slow
// handler never makes the consumer exceed max.poll.interval.ms. With
// librdkafka 2.0.2 a resumed partition can wait up to 1 s for its next
// fetch (the broker thread is not woken by a resume), so after each resume
// the consumer sends the leader a ListOffsets request to wake it.
//
// Example:
//   auto sink = SqliteSink::Open("payments.db");
//   ConsumerOptions options;
//   options.bootstrap_servers = broker->bootstraps();
//   options.group_id = "payments";
//   options.topics = {"orders"};
//   auto consumer = Consumer::Create(options, handler, *sink.value());
//   std::thread runner([&] { consumer.value()->Run(); });
//   ...
//   consumer.value()->Stop();  // or SIGINT/SIGTERM with stop_on_signals
//   runner.join();
//
// Thread-safety: Run is called once, on one thread (it is the polling
// thread). Stop, Abandon, Stats and Assignment are safe from any thread.
// The handler is called from the worker threads, for different partitions
// at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "queue_demo/backpressure.h"
#include "queue_demo/failure_router.h"
#include "queue_demo/internal/partition_queues.h"
#include "queue_demo/message.h"
#include "queue_demo/offsets.h"
#include "queue_demo/sink.h"
#include "queue_demo/status.h"

// Forward declarations of librdkafka's C types, so this header stays light.
typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_topic_partition_list_s rd_kafka_topic_partition_list_t;
typedef struct rd_kafka_queue_s rd_kafka_queue_t;

namespace queue_demo {

struct ConsumerOptions {
  std::string bootstrap_servers;  // "host:port,...", required
  std::string group_id;           // required
  std::vector<std::string> topics;  // at least one
  std::string client_id = "queue-demo-consumer";

  int workers = 4;                // threads calling the handler, >= 1
  // Records in flight per partition before a pause (>= 1), and how many
  // may remain when it resumes (0 <= resume_at < window). A pause drops the
  // records librdkafka has prefetched for the partition (one fetch brings
  // about 2,500 records of 100 bytes). So a window much smaller than a
  // fetch pauses and refetches all the time. In bench/queue_demo, 200,000
  // records took 710 pauses with a window of 256 and 85 with 2,048.
  int window_per_partition = 2048;
  int resume_at = 512;

  // Without a FailureRouter, a failing record is retried in place forever,
  // with this backoff (doubling from initial to max), and stalls its
  // partition.
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{2000};

  std::chrono::milliseconds poll_timeout{100};
  // How long a revoke waits for the records being processed before giving
  // the partitions up (their offset stores then fail with a state error).
  std::chrono::milliseconds revoke_drain_timeout{5000};
  // How long shutdown waits for in-flight records before dropping the rest.
  std::chrono::milliseconds shutdown_drain_timeout{10000};

  // Whether Run also stops on SIGINT or SIGTERM (see stop_signal.h).
  bool stop_on_signals = false;

  // More librdkafka properties (session.timeout.ms, max.poll.interval.ms,
  // fetch.wait.max.ms, auto.commit.interval.ms ...), set after the
  // defaults. The guarantees above fix enable.auto.offset.store,
  // enable.auto.commit and partition.assignment.strategy: setting them here
  // is an error.
  std::vector<std::pair<std::string, std::string>> kafka_config;
};

// HandlerResult is the handler's outcome: the effect to apply, or why the
// record could not be processed.
using HandlerResult = std::variant<Effect, HandlerFailure>;

// MessageHandler turns a record into its effect. It must not write the
// effect itself, because the sink applies it exactly once. It may throw, and
// an exception counts as a transient failure.
using MessageHandler = std::function<HandlerResult(const Message&)>;

// ConsumerStats contains the consumer's counters since Create.
struct ConsumerStats {
  std::int64_t applied = 0;           // effects applied by the sink
  std::int64_t duplicates = 0;        // records the sink had already applied
  std::int64_t handler_failures = 0;  // failed handler calls (and sink writes)
  std::int64_t forwarded = 0;         // records sent to a retry or dead letter topic
  std::int64_t stale_stores = 0;      // offset stores rejected: partition revoked
  std::int64_t assignments = 0;       // rebalance callbacks that assigned
  std::int64_t revocations = 0;       // rebalance callbacks that revoked
  std::int64_t lost_assignments = 0;  // revocations that were lost assignments
  std::int64_t pauses = 0;            // partitions paused by backpressure
  std::int64_t resumes = 0;           // partitions resumed after draining
  std::int64_t max_poll_exceeded = 0;  // max.poll.interval.ms exceeded errors
  std::int64_t commit_failures = 0;   // synchronous commits that failed
};

class Consumer {
 public:
  // Create validates `options`, creates the librdkafka consumer, subscribes
  // to the topics and starts the workers. Returns ErrorCode::kInvalidArgument
  // naming the bad option and value, or kKafka naming the failed property.
  // `sink` and `router` (optional) must outlive the consumer.
  static Result<std::unique_ptr<Consumer>> Create(ConsumerOptions options,
                                                  MessageHandler handler,
                                                  Sink& sink,
                                                  FailureRouter* router = nullptr);

  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Run polls and dispatches records until Stop (or a stop signal), then
  // shuts down gracefully: stop intake, finish in-flight records within
  // shutdown_drain_timeout, commit (retried for up to 6 s while a rebalance
  // rejects it), close (within about session.timeout.ms). Returns the first
  // failure of the final commit or the close, or ok after Abandon.
  // NOTE: the lost-assignment path (no commit) is tested with a fake in
  // consumer_logic_test, not against the broker.
  Status Run();

  // Stop requests a graceful shutdown. Run returns once it is complete.
  void Stop();

  // Abandon stops at once, as a crash would: no further effect is applied,
  // no offset stored or committed, and the group gets no LeaveGroup
  // request, so it reassigns the partitions only after session.timeout.ms.
  // For tests of crash recovery.
  void Abandon();

  ConsumerStats Stats() const;

  // Assignment returns the partitions currently assigned to this consumer.
  std::vector<TopicPartition> Assignment() const;

 private:
  class KafkaRebalanceActions;
  class KafkaShutdownSteps;
  class KafkaOffsetStore;
  friend struct ConsumerCallbacks;  // librdkafka's C callbacks

  Consumer(ConsumerOptions options, MessageHandler handler, Sink& sink,
           FailureRouter* router);

  void OnRebalance(int error, rd_kafka_topic_partition_list_t* partitions);
  void OnConsumerError(int error, const std::string& reason);

  Status CommitStored(const std::string& when);
  void Dispatch(Message message);
  void ApplyPendingResumes();
  void SetPaused(const TopicPartition& partition, bool paused);
  void WakeFetcher(const TopicPartition& partition);
  void WorkerLoop();
  void ProcessBatch(const std::vector<Message>& batch, OffsetStore& offsets);
  void ApplyInOneTransaction(const std::vector<Message>& messages,
                             const std::vector<Effect>& effects, OffsetStore& offsets);
  Status ApplyWithRetries(const Message& message,
                          std::optional<HandlerFailure> first_failure);
  std::optional<Effect> CallHandler(const Message& message, HandlerFailure& failure);
  Status ApplyOnce(const Message& message, HandlerFailure& failure);
  bool ShouldGiveUp(const Message& message) const;
  bool SleepUnlessGivingUp(const Message& message,
                           std::chrono::milliseconds duration) const;
  void Finish(const std::vector<Message>& batch);

  ConsumerOptions options_;
  MessageHandler handler_;
  Sink& sink_;
  FailureRouter* router_;
  rd_kafka_t* kafka_ = nullptr;
  rd_kafka_queue_t* poll_queue_ = nullptr;  // the consumer queue Run polls

  internal::PartitionQueues queues_;
  std::vector<std::thread> workers_;

  mutable std::mutex flow_mutex_;  // guards flow_ and pending_resumes_
  FlowControl flow_;
  std::vector<TopicPartition> pending_resumes_;

  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> abandoned_{false};
  std::atomic<bool> closed_{false};
  // Whether the last commit failed only because a rebalance was under way.
  // It is written and read on the polling thread.
  bool last_commit_retriable_ = false;
  // Set when shutdown's drain deadline passes or the consumer is destroyed:
  // workers stop retrying and give their records up unstored.
  std::atomic<bool> give_up_{false};

  struct AtomicStats;
  std::unique_ptr<AtomicStats> stats_;
};

}  // namespace queue_demo
