// Helpers for the consumer's integration tests against the embedded broker:
// produce numbered records, read committed offsets and the sink's effects,
// run a consumer on its own thread, and a watchdog that fails a hung test.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "queue_demo/consumer.h"
#include "queue_demo/sink.h"

namespace queue_demo::testing {

// ConsumerWatchdog aborts the process with the test's name if it is still
// alive after `limit`, so a hang fails the test instead of the whole run.
class ConsumerWatchdog {
 public:
  ConsumerWatchdog(std::chrono::seconds limit, std::string test_name);
  ~ConsumerWatchdog();
  ConsumerWatchdog(const ConsumerWatchdog&) = delete;
  ConsumerWatchdog& operator=(const ConsumerWatchdog&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

// TempSinkPath is a fresh SQLite path, removed (with its WAL files) on
// destruction.
class TempSinkPath {
 public:
  TempSinkPath();
  ~TempSinkPath();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ProduceNumbered produces the numbers [first, first + count) as decimal
// text, each with key "key-<n>", to `topic`[`partition`], and waits for
// every delivery report. Returns "" on success, else the first error.
std::string ProduceNumbered(const std::string& bootstraps, const std::string& topic,
                            int partition, int first, int count);

// CommittedOffsets returns the group's committed offset of partitions
// 0..partitions-1 of `topic` (kOffsetUnset where none), or an empty vector
// when the lookup failed.
std::vector<std::int64_t> CommittedOffsets(const std::string& bootstraps,
                                           const std::string& group,
                                           const std::string& topic, int partitions);

// HighWatermarks returns the next offset to be written of each partition.
std::vector<std::int64_t> HighWatermarks(const std::string& bootstraps,
                                         const std::string& topic, int partitions);

// EffectCounts returns how many effect rows the sink at `path` holds for
// each value.
std::map<std::string, int> EffectCounts(const std::string& path);

// EffectOffsets returns the record offsets of the effects of `partition`,
// in the order they were applied.
std::vector<std::int64_t> EffectOffsets(const std::string& path, int partition);

// WaitFor polls `done` every 20 ms until it returns true or `timeout`
// passes, and returns the last result of `done`.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// TestConsumerOptions returns options for a consumer of `topic` in `group`
// tuned for the mock cluster: short fetch waits, heartbeats, session
// timeout (3 s) and commit interval (100 ms), so each test runs in seconds.
ConsumerOptions TestConsumerOptions(const std::string& bootstraps,
                                    const std::string& group, const std::string& topic);

// RunningConsumer is a Consumer whose Run loop runs on its own thread.
class RunningConsumer {
 public:
  // Start creates the consumer and starts Run; on failure, ok() is false
  // and error() returns the reason.
  RunningConsumer(ConsumerOptions options, MessageHandler handler, Sink& sink);
  ~RunningConsumer();  // Stops gracefully if still running.

  bool ok() const { return consumer_ != nullptr; }
  const std::string& error() const { return error_; }
  Consumer& consumer() { return *consumer_; }

  // StopAndJoin stops gracefully and returns Run's status (its message, ""
  // when ok).
  std::string StopAndJoin();

  // Crash abandons the consumer and destroys it without a close.
  void Crash();

  // RunResult waits for Run to return (after a stop signal, say) and
  // returns its status message, "" when ok.
  std::string JoinRun();

 private:
  std::unique_ptr<Consumer> consumer_;
  std::thread runner_;
  std::string run_error_;
  std::string error_;
};

}  // namespace queue_demo::testing
