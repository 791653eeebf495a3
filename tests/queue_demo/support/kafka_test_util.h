// Helpers for the queue_demo tests: read a topic back, run a program such
// as kcat with a time bound, and a watchdog that fails a hung test.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "queue_demo/message.h"

namespace queue_demo::testing {

// ReadTopic reads `topic` from the beginning of each of its `partitions`
// partitions, without joining a consumer group, until `expected` records arrived
// or `timeout` passed. Returns the records in arrival order (each
// partition's records in offset order).
std::vector<Message> ReadTopic(const std::string& bootstrap,
                               const std::string& topic, int partitions,
                               size_t expected,
                               std::chrono::milliseconds timeout);

struct ProcessOutput {
  int exit_code = -1;   // -1 when the program could not start or was killed
  std::string out;      // its standard output
  std::string err;      // its standard error, or why it did not start
};

// RunProgram runs `argv` (argv[0] looked up on PATH) with `input` on its
// standard input, killed after `timeout_seconds` by timeout(1).
ProcessOutput RunProgram(const std::vector<std::string>& argv,
                         const std::string& input, int timeout_seconds);

// FindOnPath returns the full path of `program` on PATH, or "".
std::string FindOnPath(const std::string& program);

// Watchdog ends the process with a message if it is still alive after
// `limit`, so a hung client fails its test instead of stalling the suite.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, std::string test_name);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace queue_demo::testing
