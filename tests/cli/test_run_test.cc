// Tests of how `labkit check` reads GoogleTest's output: the plain-words
// message of a failure, and the counts and names in the JSON report. The
// failure texts are copied from real reports of the rate-limiter exercises.

#include "test_run.h"

#include <string>

#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

Layout TestLayout() { return Layout{"/work/kit", "/work/kit/build"}; }

TEST(ExtractAssertionMessage, EqualityKeepsOnlyTheMessage) {
  const std::string text =
      "/work/kit/tests/token_bucket_test.cc:66\n"
      "Expected equality of these values:\n"
      "  bucket.Peek(later, 0).remaining\n"
      "    Which is: 10\n"
      "  5\n"
      "after 2 s idle the bucket must hold exactly the burst (5), not more";
  EXPECT_EQ(ExtractAssertionMessage(text),
            "after 2 s idle the bucket must hold exactly the burst (5), not more");
}

TEST(ExtractAssertionMessage, BooleanKeepsOnlyTheMessage) {
  const std::string text =
      "/work/kit/tests/token_bucket_test.cc:72\n"
      "Value of: bucket.Decide(later).allowed\n"
      "  Actual: true\n"
      "Expected: false\n"
      "after 2 s idle exactly 5 requests are allowed, not 6";
  EXPECT_EQ(ExtractAssertionMessage(text), "after 2 s idle exactly 5 requests are allowed, not 6");
}

TEST(ExtractAssertionMessage, ComparisonKeepsOnlyTheMessage) {
  const std::string text =
      "/work/kit/tests/gcra_test.cc:12\n"
      "Expected: (allowed) <= (5), actual: 6 vs 5\n"
      "at most the burst (5) is allowed at once";
  EXPECT_EQ(ExtractAssertionMessage(text), "at most the burst (5) is allowed at once");
}

TEST(ExtractAssertionMessage, KeepsEveryLineOfTheMessage) {
  const std::string text =
      "/work/kit/tests/gcra_test.cc:12\n"
      "Value of: decision.allowed\n"
      "  Actual: false\n"
      "Expected: true\n"
      "first line of the message\n"
      "second line of the message";
  EXPECT_EQ(ExtractAssertionMessage(text), "first line of the message\nsecond line of the message");
}

TEST(ExtractAssertionMessage, ExceptionBecomesSentence) {
  const std::string text =
      "unknown file\n"
      "C++ exception with description \"not implemented yet: TokenBucket::Decide (see "
      "labs/rate_limiter/hints/token_bucket.md)\" thrown in the test body.";
  EXPECT_EQ(ExtractAssertionMessage(text),
            "the code threw an exception: not implemented yet: TokenBucket::Decide (see "
            "labs/rate_limiter/hints/token_bucket.md)");
}

TEST(ExtractAssertionMessage, NoMessageSqueezesGtestText) {
  const std::string text =
      "/work/kit/tests/gcra_test.cc:12\n"
      "Expected equality of these values:\n"
      "  remaining\n"
      "    Which is: 4\n"
      "  5";
  EXPECT_EQ(ExtractAssertionMessage(text),
            "Expected equality of these values: / remaining / Which is: 4 / 5");
}

TEST(ExtractGtestLines, EqualityKeepsValuesCompared) {
  const std::string text =
      "/work/kit/tests/jump_hash_test.cc:30\n"
      "Expected equality of these values:\n"
      "  JumpHash(1, 4)\n"
      "    Which is: 3\n"
      "  0\n"
      "JumpHash(1, 4) must be 0";
  const std::vector<std::string> expected = {"Expected equality of these values:",
                                             "  JumpHash(1, 4)", "    Which is: 3", "  0"};
  EXPECT_EQ(ExtractGtestLines(text), expected)
      << "the learner must see what the code returned (Which is: 3)";
}

TEST(ExtractGtestLines, ComparisonKeepsActualValues) {
  const std::string text =
      "/work/kit/tests/gcra_test.cc:12\n"
      "Expected: (allowed) <= (5), actual: 6 vs 5\n"
      "at most the burst (5) is allowed at once";
  const std::vector<std::string> expected = {"Expected: (allowed) <= (5), actual: 6 vs 5"};
  EXPECT_EQ(ExtractGtestLines(text), expected);
}

TEST(ExtractGtestLines, NoneForExceptionOrMissingMessage) {
  EXPECT_TRUE(ExtractGtestLines("unknown file\nC++ exception with description \"x\" thrown in "
                                "the test body.")
                  .empty())
      << "an exception has no values to show";
  EXPECT_TRUE(ExtractGtestLines("/work/kit/a_test.cc:1\nExpected equality of these values:\n"
                                "  a\n    Which is: 4\n  5")
                  .empty())
      << "without a message, the message already contains gtest's lines";
}

TEST(ExtractGtestLines, CutsLongValues) {
  std::string text = "/work/kit/a_test.cc:1\nExpected equality of these values:\n";
  for (int i = 0; i < 20; ++i) text += "  line " + std::to_string(i) + "\n";
  text += "the message";
  const std::vector<std::string> lines = ExtractGtestLines(text);
  ASSERT_EQ(lines.size(), kMaxGtestLines) << "a long value is cut to kMaxGtestLines lines";
  EXPECT_EQ(lines.back(), "...") << "a cut value must end with \"...\"";
}

TEST(ExtractAssertionMessage, EmptyFailureSaysSo) {
  EXPECT_EQ(ExtractAssertionMessage("/work/kit/tests/gcra_test.cc:12\n"), "(no message)");
}

// A report with two suites: three failed tests and one that passed.
constexpr const char* kReport = R"({
  "tests": 4,
  "testsuites": [
    {"name": "TokenBucketTest", "testsuite": [
      {"name": "NewBucketIsFull", "file": "/work/kit/tests/token_bucket_test.cc", "line": 27,
       "failures": [
         {"failure": "unknown file\nC++ exception with description \"not implemented yet\" thrown in the test body."},
         {"failure": "/work/kit/tests/token_bucket_test.cc:30\nsecond failure of the same test"}]},
      {"name": "RefillCapsAtBurst", "file": "/work/kit/tests/token_bucket_test.cc", "line": 60,
       "failures": [{"failure": "/work/kit/tests/token_bucket_test.cc:66\nValue of: x\n  Actual: true\nExpected: false\nrefill stops at the burst"}]}
    ]},
    {"name": "TokenBucketTimeTest", "testsuite": [
      {"name": "PassesFine", "file": "/work/kit/tests/token_bucket_test.cc", "line": 80},
      {"name": "OlderTimestamp", "file": "/work/kit/tests/token_bucket_test.cc", "line": 90,
       "failures": [{"failure": "/work/kit/tests/token_bucket_test.cc:95\nno tokens from the past"}]}
    ]}
  ]
})";

TEST(ReadTestReport, CountsAndNamesFailingTests) {
  TestRun run;
  ASSERT_TRUE(ReadTestReport(TestLayout(), kReport, &run));
  EXPECT_EQ(run.tests, 4);
  EXPECT_EQ(run.failed_tests, 3) << "a test with two failures counts once";
  const std::vector<std::string> expected = {"TokenBucketTest.NewBucketIsFull",
                                             "TokenBucketTest.RefillCapsAtBurst",
                                             "TokenBucketTimeTest.OlderTimestamp"};
  EXPECT_EQ(run.failed_test_names, expected);
}

TEST(ReadTestReport, FirstFailureUsesTestLocation) {
  TestRun run;
  ASSERT_TRUE(ReadTestReport(TestLayout(), kReport, &run));
  ASSERT_TRUE(run.first_failure.has_value());
  EXPECT_EQ(run.first_failure->test, "TokenBucketTest.NewBucketIsFull");
  EXPECT_EQ(run.first_failure->message, "the code threw an exception: not implemented yet");
  // "unknown file" has no line, so the test's own location is shown,
  // relative to the repository root.
  EXPECT_EQ(run.first_failure->location, "tests/token_bucket_test.cc:27");
}

TEST(ReadTestReport, FirstFailureUsesFailureLocation) {
  const std::string report = R"({"tests": 1, "testsuites": [{"name": "S", "testsuite": [
      {"name": "T", "file": "/work/kit/tests/a_test.cc", "line": 10,
       "failures": [{"failure": "/work/kit/tests/a_test.cc:42\nthe message"}]}]}]})";
  TestRun run;
  ASSERT_TRUE(ReadTestReport(TestLayout(), report, &run));
  ASSERT_TRUE(run.first_failure.has_value());
  EXPECT_EQ(run.first_failure->location, "tests/a_test.cc:42");
  EXPECT_EQ(run.first_failure->message, "the message");
  EXPECT_TRUE(run.first_failure->gtest_lines.empty());
}

TEST(ReadTestReport, FirstFailureKeepsGtestLines) {
  TestRun run;
  const std::string report = R"({"tests": 1, "testsuites": [{"name": "S", "testsuite": [
      {"name": "T", "failures": [{"failure":
        "/work/kit/tests/a_test.cc:42\nValue of: x\n  Actual: true\nExpected: false\nthe message"}]}]}]})";
  ASSERT_TRUE(ReadTestReport(TestLayout(), report, &run));
  ASSERT_TRUE(run.first_failure.has_value());
  const std::vector<std::string> expected = {"Value of: x", "  Actual: true", "Expected: false"};
  EXPECT_EQ(run.first_failure->gtest_lines, expected);
}

TEST(ReadTestReport, PassingReportHasNoFailure) {
  const std::string report = R"({"tests": 2, "testsuites": [{"name": "S", "testsuite": [
      {"name": "A"}, {"name": "B", "failures": []}]}]})";
  TestRun run;
  ASSERT_TRUE(ReadTestReport(TestLayout(), report, &run));
  EXPECT_EQ(run.tests, 2);
  EXPECT_EQ(run.failed_tests, 0);
  EXPECT_TRUE(run.failed_test_names.empty());
  EXPECT_FALSE(run.first_failure.has_value());
}

TEST(ReadTestReport, RejectsTextThatIsNoReport) {
  TestRun run;
  run.tests = 7;
  EXPECT_FALSE(ReadTestReport(TestLayout(), "not json {", &run));
  EXPECT_FALSE(ReadTestReport(TestLayout(), "[1, 2]", &run));
  // A suite that is not an object: Boost.JSON throws inside; no crash.
  EXPECT_FALSE(ReadTestReport(TestLayout(), R"({"tests": 1, "testsuites": [3]})", &run));
  EXPECT_EQ(run.tests, 7) << "a rejected report must leave the run unchanged";
}

}  // namespace
}  // namespace labkit::cli
