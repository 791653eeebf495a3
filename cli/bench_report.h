// BenchReport: benchmark times read from Google Benchmark's JSON report, in
// the unit a reader can compare.
//
// Most benchmarks time one operation per iteration (ns/op). A throughput
// benchmark does a batch of work per iteration and reports items_per_second
// (SetItemsProcessed). Its time per iteration is per batch, and read as ns/op
// it makes a fast batched path look slow. So such a benchmark is reported
// per item instead: 1e9 / items_per_second nanoseconds.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "status.h"

namespace labkit::cli {

struct BenchmarkTiming {
  double nanos = 0;       // nanoseconds per operation, or per item when per_item
  bool per_item = false;  // the report gave items_per_second
};

// Timings maps each benchmark's name to its time.
using Timings = std::map<std::string, BenchmarkTiming>;

// ParseBenchmarkReport reads a Google Benchmark 1.7 JSON report. It skips
// aggregates (mean, median) and errored runs and averages repeated runs of
// one name. It uses CPU time, unless the benchmark measures wall-clock time
// with UseRealTime (its name then contains "/real_time"). Text that is not
// a report is an error.
StatusOr<Timings> ParseBenchmarkReport(const std::string& report_text);

// KeepFastest merges a later round into `best`, keeping each benchmark's
// lowest time: other load on the machine only ever slows a round down.
void KeepFastest(const Timings& round, Timings* best);

// UnitName returns "ns/item" or "ns/op".
const char* UnitName(bool per_item);

// FormatNanos returns "12.34" below 100 ns, else a whole number "31221".
std::string FormatNanos(double nanos);

// FormatRate returns a count per second with a k or M suffix: "198k",
// "1.25M", "950".
std::string FormatRate(double per_second);

// kSameSpeedTolerance: a learner/reference ratio within 1 +- 0.03 reads
// "same". It is an estimate of the run-to-run noise on a shared machine,
// not a measured bound.
inline constexpr double kSameSpeedTolerance = 0.03;

// RatioWord returns "same" for a learner/reference time ratio within
// kSameSpeedTolerance of 1, else "slower" (above) or "faster" (below).
const char* RatioWord(double ratio);

// UncheckedCodeWarning returns the one-line warning `bench` prints before
// timing learner code that has not passed `check`, or "" when every entry
// passed. Each entry is an exercise name and why it is not passed ("last
// check: failed", "not checked yet").
std::string UncheckedCodeWarning(const std::string& lab,
                                 const std::vector<std::pair<std::string, std::string>>& unchecked);

}  // namespace labkit::cli
