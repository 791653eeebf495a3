// Helpers shared by the queue lab's exercise tests: a guard that fails a
// broker test cleanly while the exercise is still a starter, the embedded
// broker with its topics, the SQLite sink, and the payment handler.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "queue_demo/broker.h"
#include "queue_demo/consumer.h"
#include "queue_demo/retry.h"
#include "queue_demo/sink.h"

namespace queue_demo::exercise {

// NOTE: librdkafka 2.0.2 aborts (assertion `assignor_state` in
// rdkafka_sticky_assignor.c) when a cooperative-sticky consumer is closed
// before its first assignment, so a broker test that times out waiting for
// the group join can end as a crash rather than a failure.

// Implemented runs `probe` on the test's thread and fails when it throws
// std::logic_error ("not implemented yet: ..."). A broker test calls it
// first, because inside the consumer the same exception would be thrown
// on a worker or polling thread, where it ends the process.
::testing::AssertionResult Implemented(const std::function<void()>& probe);

// StartBroker starts a 3-broker embedded cluster on 127.0.0.1 and creates
// each (topic, partitions). Returns nullptr after recording a failure.
std::unique_ptr<EmbeddedBroker> StartBroker(
    const std::vector<std::pair<std::string, int>>& topics);

// OpenSink opens the SQLite sink at `path`. Returns nullptr after recording
// a failure.
std::unique_ptr<SqliteSink> OpenSink(const std::string& path);

// TotalEffects counts the rows of the sink's effects table.
std::int64_t TotalEffects(const std::string& path);

// Payment is the order pipeline's handler: the effect of a record is its
// key and value. SlowPayment is Payment after `delay`.
HandlerResult Payment(const Message& message);
MessageHandler SlowPayment(std::chrono::milliseconds delay);

// ExpectEachNumberOnce checks that the sink at `path` contains exactly one
// effect for each number in [0, count) and nothing else.
void ExpectEachNumberOnce(const std::string& path, int count);

// PoisonRun is what RunPoisonPartition observed.
struct PoisonRun {
  std::string error;  // why the run could not be set up, or ""
  int poison_calls = 0;  // handler calls for the poison record
  std::vector<std::int64_t> good_offsets;  // offsets of orders[0]'s effects, in order
  std::vector<Message> dead_letters;       // the records read back from orders.dlt
  std::vector<std::int64_t> committed;     // the group's committed offset of orders[0]
  ConsumerStats stats;
};

// RunPoisonPartition runs the poison-message case against the embedded
// broker: orders[0] contains records "0".."4" (offsets 0-4), a poison record
// (offset 5) and "5".."9" (offsets 6-10). The handler fails on the poison
// record with `kind`. The consumer routes failures through a FailureRouter
// with `policy` over the real Producer, and reads orders (and orders.retry
// when `read_retry_topic`). Returns once the 10 good records are applied and the
// poison record reached orders.dlt, or after about 12 s.
PoisonRun RunPoisonPartition(const RetryPolicy& policy, FailureKind kind,
                             bool read_retry_topic);

}  // namespace queue_demo::exercise
