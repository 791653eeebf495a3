// Tests of ParseBenchmarkReport and the bench table's number formats. The
// report entries follow Google Benchmark 1.7's JSON output.

#include "bench_report.h"

#include <string>

#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

TEST(ParseBenchmarkReport, PerOperationUsesCpuTime) {
  const std::string report = R"({"benchmarks": [
    {"name": "BM_Decide", "run_type": "iteration", "real_time": 50.0, "cpu_time": 40.0,
     "time_unit": "ns"}]})";
  StatusOr<Timings> timings = ParseBenchmarkReport(report);
  ASSERT_TRUE(timings.ok()) << timings.status().message();
  ASSERT_EQ(timings->count("BM_Decide"), 1u);
  EXPECT_DOUBLE_EQ(timings->at("BM_Decide").nanos, 40.0);
  EXPECT_FALSE(timings->at("BM_Decide").per_item);
}

TEST(ParseBenchmarkReport, RealTimeBenchmarkUsesRealTime) {
  const std::string report = R"({"benchmarks": [
    {"name": "BM_Redis/real_time", "real_time": 31.221, "cpu_time": 2.0, "time_unit": "us"}]})";
  StatusOr<Timings> timings = ParseBenchmarkReport(report);
  ASSERT_TRUE(timings.ok()) << timings.status().message();
  EXPECT_DOUBLE_EQ(timings->at("BM_Redis/real_time").nanos, 31221.0);
}

TEST(ParseBenchmarkReport, ThroughputIsPerItem) {
  // 64 requests per iteration: 322960 ns per batch, 198,000 items/s.
  const std::string report = R"({"benchmarks": [
    {"name": "BM_RedisStorePipelined/in_flight:64/real_time", "real_time": 322960.0,
     "cpu_time": 9000.0, "time_unit": "ns", "items_per_second": 198000.0}]})";
  StatusOr<Timings> timings = ParseBenchmarkReport(report);
  ASSERT_TRUE(timings.ok()) << timings.status().message();
  const BenchmarkTiming& timing = timings->at("BM_RedisStorePipelined/in_flight:64/real_time");
  EXPECT_TRUE(timing.per_item);
  EXPECT_NEAR(timing.nanos, 1e9 / 198000.0, 1e-6) << "about 5050 ns per item, not per batch";
}

TEST(ParseBenchmarkReport, SkipsAggregatesAndErrors) {
  const std::string report = R"({"benchmarks": [
    {"name": "BM_A", "run_type": "iteration", "cpu_time": 10.0, "time_unit": "ns"},
    {"name": "BM_A_mean", "run_type": "aggregate", "cpu_time": 99.0, "time_unit": "ns"},
    {"name": "BM_B", "run_type": "iteration", "error_occurred": true, "error_message": "no Redis"}]})";
  StatusOr<Timings> timings = ParseBenchmarkReport(report);
  ASSERT_TRUE(timings.ok()) << timings.status().message();
  EXPECT_EQ(timings->size(), 1u);
  EXPECT_EQ(timings->count("BM_A"), 1u);
}

TEST(ParseBenchmarkReport, AveragesRepeatedRuns) {
  const std::string report = R"({"benchmarks": [
    {"name": "BM_A", "cpu_time": 10.0, "time_unit": "ns"},
    {"name": "BM_A", "cpu_time": 2.0, "time_unit": "us"}]})";
  StatusOr<Timings> timings = ParseBenchmarkReport(report);
  ASSERT_TRUE(timings.ok()) << timings.status().message();
  EXPECT_DOUBLE_EQ(timings->at("BM_A").nanos, 1005.0);
}

TEST(ParseBenchmarkReport, RejectsOtherText) {
  for (const std::string text : {"", "[]", R"({"context": {}})", R"({"benchmarks": {}})",
                                 R"({"benchmarks": [{"name": "BM_A"}]})"}) {
    StatusOr<Timings> timings = ParseBenchmarkReport(text);
    ASSERT_FALSE(timings.ok()) << "'" << text << "' is not a report";
    EXPECT_EQ(timings.status().message().rfind("not a Google Benchmark JSON report", 0), 0u)
        << timings.status().message();
  }
}

TEST(KeepFastest, KeepsLowestTimePerName) {
  Timings best = {{"BM_A", {10.0, false}}, {"BM_B", {5.0, false}}};
  KeepFastest({{"BM_A", {8.0, false}}, {"BM_B", {7.0, false}}, {"BM_C", {1.0, true}}}, &best);
  EXPECT_DOUBLE_EQ(best.at("BM_A").nanos, 8.0);
  EXPECT_DOUBLE_EQ(best.at("BM_B").nanos, 5.0);
  EXPECT_DOUBLE_EQ(best.at("BM_C").nanos, 1.0);
  EXPECT_TRUE(best.at("BM_C").per_item);
}

TEST(BenchFormat, UnitNames) {
  EXPECT_STREQ(UnitName(false), "ns/op");
  EXPECT_STREQ(UnitName(true), "ns/item");
}

TEST(BenchFormat, Nanos) {
  EXPECT_EQ(FormatNanos(12.346), "12.35");
  EXPECT_EQ(FormatNanos(31221.4), "31221");
}

TEST(BenchFormat, Rates) {
  EXPECT_EQ(FormatRate(950), "950");
  EXPECT_EQ(FormatRate(19800), "19.8k");
  EXPECT_EQ(FormatRate(198000), "198k");
  EXPECT_EQ(FormatRate(1250000), "1.25M");
}

TEST(RatioWord, WithinThreePercentIsSame) {
  EXPECT_STREQ(RatioWord(1.00), "same");
  EXPECT_STREQ(RatioWord(1.02), "same") << "2% slower is noise on a busy machine";
  EXPECT_STREQ(RatioWord(0.98), "same") << "2% faster is noise on a busy machine";
  EXPECT_STREQ(RatioWord(1.05), "slower");
  EXPECT_STREQ(RatioWord(0.95), "faster");
  EXPECT_STREQ(RatioWord(2.0), "slower");
}

TEST(UncheckedCodeWarning, NamesEachExerciseAndCheck) {
  EXPECT_EQ(UncheckedCodeWarning("scaling", {}), "") << "code that passed needs no warning";

  const std::string one = UncheckedCodeWarning("scaling", {{"hash_ring", "last check: failed"}});
  EXPECT_NE(one.find("hash_ring (last check: failed)"), std::string::npos) << one;
  EXPECT_NE(one.find("./labkit check scaling hash_ring"), std::string::npos) << one;
  EXPECT_EQ(one.find('\n'), std::string::npos) << "the warning is one line: " << one;

  const std::string two = UncheckedCodeWarning(
      "scaling", {{"hash_ring", "last check: failed"}, {"jump_hash", "not checked yet"}});
  EXPECT_NE(two.find("hash_ring (last check: failed) and jump_hash (not checked yet) have"),
            std::string::npos)
      << two;
  EXPECT_NE(two.find("./labkit check scaling first"), std::string::npos) << two;
}

}  // namespace
}  // namespace labkit::cli
