// Helpers of bench_queue_demo: timing, running kcat with its output
// counted, copying a librdkafka record, and the report.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "queue_demo/message.h"

typedef struct rd_kafka_message_s rd_kafka_message_t;

namespace queue_demo::bench {

// SecondsSince returns the seconds elapsed on the steady clock since `start`.
double SecondsSince(std::chrono::steady_clock::time_point start);

struct ProgramRun {
  int exit_code = -1;  // -1 when it could not start or did not exit normally
  long lines = 0;      // newline characters on its standard output
  std::string error;   // its standard error (the first 2 KiB)
};

// RunCounting runs `argv` (argv[0] looked up on PATH), counts the lines of
// its standard output without keeping them, and kills it after
// `timeout_seconds`.
ProgramRun RunCounting(const std::vector<std::string>& argv, int timeout_seconds);

// CopyRecord copies a consumed record into a Message (key, value, headers).
Message CopyRecord(const rd_kafka_message_t* record);

// MakeWorkDir creates a fresh temporary directory.
std::filesystem::path MakeWorkDir();

// Report collects the rows and prints them as a table (stderr) and as the
// kit's peer JSON array (stdout).
class Report {
 public:
  Report(int messages, int value_bytes, int partitions)
      : messages_(messages), value_bytes_(value_bytes), partitions_(partitions) {}

  // SetKcat sets kcat's rate without its fixed costs, the rate of its
  // whole run, and the seconds of its run on the 1% topic.
  void SetKcat(double rate, double whole_rate, double small_seconds);
  void AddRate(const std::string& name, double rate, std::optional<double> target,
               const std::string& note);
  // AddConsumer adds a consumer row, compared with kcat's rate.
  void AddConsumer(const std::string& name, double rate,
                   std::optional<double> target_ratio = std::nullopt);
  // AddLatency adds p50, p99 and max rows from latencies in microseconds;
  // `sent` is how many records were sent.
  void AddLatency(std::vector<double> latencies_us, int sent);
  void Print(bool json) const;

 private:
  struct Row {
    std::string name;
    double kit = 0;
    std::optional<double> peer;
    std::string unit;
    std::optional<double> ratio;
    std::optional<double> target;
    std::optional<bool> met;
    std::string note;
  };

  int messages_;
  int value_bytes_;
  int partitions_;
  double kcat_rate_ = 0;
  std::vector<Row> rows_;
};

}  // namespace queue_demo::bench
