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
#include "queue_demo/sink.h"

namespace queue_demo::exercise {

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

// ExpectEachNumberOnce checks that the sink at `path` holds exactly one
// effect for each number in [0, count) and nothing else.
void ExpectEachNumberOnce(const std::string& path, int count);

}  // namespace queue_demo::exercise
