#include "bench_report.h"

#include <cstdio>
#include <exception>
#include <string_view>
#include <system_error>
#include <utility>

#include <boost/json.hpp>

namespace labkit::cli {

namespace json = boost::json;

namespace {

double ToNanoseconds(double value, std::string_view unit) {
  if (unit == "us") return value * 1e3;
  if (unit == "ms") return value * 1e6;
  if (unit == "s") return value * 1e9;
  return value;  // "ns"
}

bool IsSkipped(const json::object& benchmark) {
  const json::value* type = benchmark.if_contains("run_type");
  if (type != nullptr && type->is_string() && type->as_string() != "iteration") return true;
  const json::value* failed = benchmark.if_contains("error_occurred");
  return failed != nullptr && failed->is_bool() && failed->as_bool();
}

// ReadTiming reads one iteration entry of the report.
BenchmarkTiming ReadTiming(const json::object& benchmark) {
  BenchmarkTiming timing;
  const json::value* items = benchmark.if_contains("items_per_second");
  if (items != nullptr && items->is_number() && items->to_number<double>() > 0) {
    timing.per_item = true;
    timing.nanos = 1e9 / items->to_number<double>();
    return timing;
  }
  const std::string_view name = benchmark.at("name").as_string();
  const bool real_time = name.find("/real_time") != std::string_view::npos;
  const double time = benchmark.at(real_time ? "real_time" : "cpu_time").to_number<double>();
  timing.nanos = ToNanoseconds(time, benchmark.at("time_unit").as_string());
  return timing;
}

}  // namespace

StatusOr<Timings> ParseBenchmarkReport(const std::string& report_text) {
  const Status invalid = Status::Error("not a Google Benchmark JSON report");
  std::error_code parse_error;
  json::value document = json::parse(report_text, parse_error);
  if (parse_error || !document.is_object()) return invalid;
  const json::value* benchmarks = document.as_object().if_contains("benchmarks");
  if (benchmarks == nullptr || !benchmarks->is_array()) return invalid;

  // Sum the runs of each name, then average them.
  std::map<std::string, std::pair<BenchmarkTiming, int>> sums;
  try {
    for (const json::value& entry : benchmarks->as_array()) {
      const json::object& benchmark = entry.as_object();
      if (IsSkipped(benchmark)) continue;
      const BenchmarkTiming timing = ReadTiming(benchmark);
      auto& [sum, runs] = sums[std::string(benchmark.at("name").as_string())];
      sum.nanos += timing.nanos;
      sum.per_item = timing.per_item;
      runs += 1;
    }
  } catch (const std::exception& error) {
    // A missing or mistyped field makes Boost.JSON throw.
    return Status::Error("not a Google Benchmark JSON report: " + std::string(error.what()));
  }

  Timings timings;
  for (const auto& [name, sum] : sums) {
    timings[name] = BenchmarkTiming{sum.first.nanos / sum.second, sum.first.per_item};
  }
  return timings;
}

void KeepFastest(const Timings& round, Timings* best) {
  for (const auto& [name, timing] : round) {
    auto it = best->find(name);
    if (it == best->end() || timing.nanos < it->second.nanos) (*best)[name] = timing;
  }
}

const char* RatioWord(double ratio) {
  if (ratio > 1.0 + kSameSpeedTolerance) return "slower";
  if (ratio < 1.0 - kSameSpeedTolerance) return "faster";
  return "same";
}

std::string UncheckedCodeWarning(const std::string& lab,
                                 const std::vector<std::pair<std::string, std::string>>& unchecked) {
  if (unchecked.empty()) return "";
  std::string names;
  for (size_t i = 0; i < unchecked.size(); ++i) {
    if (i > 0) names += i + 1 == unchecked.size() ? " and " : ", ";
    names += unchecked[i].first + " (" + unchecked[i].second + ")";
  }
  const bool one = unchecked.size() == 1;
  const std::string check = "./labkit check " + lab + (one ? " " + unchecked[0].first : "");
  return "warning: your " + names + (one ? " has" : " have") +
         " not passed its tests, so the timings below may measure wrong code. Run " + check +
         " first.";
}

const char* UnitName(bool per_item) { return per_item ? "ns/item" : "ns/op"; }

std::string FormatNanos(double nanos) {
  char text[32];
  std::snprintf(text, sizeof text, nanos < 100 ? "%.2f" : "%.0f", nanos);
  return text;
}

std::string FormatRate(double per_second) {
  const char* suffix = "";
  double scaled = per_second;
  if (per_second >= 1e6) {
    suffix = "M";
    scaled = per_second / 1e6;
  } else if (per_second >= 1e3) {
    suffix = "k";
    scaled = per_second / 1e3;
  }
  char text[32];
  std::snprintf(text, sizeof text, scaled >= 100 ? "%.0f%s" : "%.3g%s", scaled, suffix);
  return text;
}

}  // namespace labkit::cli
