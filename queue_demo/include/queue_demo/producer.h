// Producer: an idempotent Kafka producer whose sends complete only on the
// broker's delivery report.
//
// Idempotence is always on (enable.idempotence=true, which implies
// acks=all and bounded in-flight requests): the broker drops the duplicates
// the producer's own retries would write, and each partition keeps the
// order of sends. A send is done only when its delivery report arrives;
// a failure comes back as DeliveryReport::error, never as a log line.
//
// Example:
//   auto created = queue_demo::Producer::Create({.bootstrap_servers = addr});
//   if (!created.ok()) { ... created.error ... }
//   DeliveryReport report = created.producer->Send({"orders", "c-1", "{...}"});
//   if (!report.ok()) { ... report.error ... }
//
// Thread-safety: every method is safe from any thread. One background
// thread per Producer serves delivery reports.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "queue_demo/publisher.h"

typedef struct rd_kafka_s rd_kafka_t;

namespace queue_demo {

struct ProducerOptions {
  std::string bootstrap_servers;  // "HOST:PORT,..."
  // message.timeout.ms: every message gets its delivery report within this
  // time, success or failure.
  int delivery_timeout_ms = 30000;
  int linger_ms = 5;  // linger.ms: how long to wait to fill a batch
  // close_timeout_ms bounds the flush in the destructor.
  int close_timeout_ms = 10000;
  // Further librdkafka properties, applied last (they may override the
  // ones above, but not idempotence).
  std::vector<std::pair<std::string, std::string>> properties;
};

class Producer;

// ProducerResult is a created Producer, or the reason creation failed.
struct [[nodiscard]] ProducerResult {
  std::unique_ptr<Producer> producer;
  std::string error;
  bool ok() const { return producer != nullptr; }
};

class Producer final : public Publisher {
 public:
  // Create checks the options and creates the producer. It does not wait
  // for the cluster to respond.
  static ProducerResult Create(const ProducerOptions& options);

  // The destructor flushes for up to close_timeout_ms, logs how many
  // messages were still undelivered, and closes the producer.
  ~Producer() override;
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Send publishes one message and waits for its delivery report.
  DeliveryReport Send(const OutgoingMessage& message);

  // PublishAll publishes every message, then waits for all their reports
  // (see Publisher). A message that librdkafka rejects before sending it (an
  // oversized one, say) gets its error at once, and the others still go.
  std::vector<DeliveryReport> PublishAll(
      std::span<const OutgoingMessage> messages) override;

  // Flush waits up to `timeout_ms` for every outstanding message to get its
  // delivery report. Returns the number still outstanding (0: all done).
  int Flush(int timeout_ms);

  // FatalError returns the producer's fatal error ("" if none). After one,
  // every send fails: create a new producer.
  std::string FatalError() const;

 private:
  Producer(rd_kafka_t* handle, const ProducerOptions& options);
  void PollLoop();

  rd_kafka_t* handle_;
  ProducerOptions options_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace queue_demo
