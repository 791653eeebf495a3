// TestRun: run one exercise test executable (GoogleTest) with a timeout and
// turn its JSON report into plain words for the learner.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "layout.h"

namespace labkit::cli {

// The first failed expectation of a run, as the learner should read it.
struct TestFailure {
  std::string test;      // "TokenBucket.RefillCapsAtBurst"
  std::string location;  // "tests/rate_limiter/exercises/token_bucket_test.cc:42"
  std::string message;   // the assertion's own message, gtest wording removed
  // GoogleTest's own lines for the assertion, such as "Expected equality of
  // these values:" and "Which is: 3", which show what the code under test
  // returned.
  std::vector<std::string> gtest_lines;
};

struct TestRun {
  enum class Verdict { kPassed, kFailed, kNoTests, kTimedOut, kCrashed, kInterrupted, kNotStarted };

  Verdict verdict = Verdict::kNotStarted;
  int tests = 0;         // tests that ran
  int failed_tests = 0;  // tests with at least one failure
  std::vector<std::string> failed_test_names;  // "Suite.Test", in run order
  std::optional<TestFailure> first_failure;
  std::string detail;    // for a crash or timeout: what happened and in which test
  fs::path log_path;     // the executable's full output
};

// RunTests runs `executable` from the repository root with a timeout and
// --gtest_output=json:<report_path>, logging its output to `log_path`.
// `on_tick` is called about every 200 ms while the tests run.
TestRun RunTests(const Layout& layout, const fs::path& executable, const fs::path& report_path,
                 const fs::path& log_path, std::chrono::milliseconds timeout,
                 std::function<void()> on_tick = {});

// ReadTestReport fills the counts, the failing test names and the first
// failure of `run` from the text of GoogleTest's JSON report. Returns false,
// leaving `run` unchanged, when the text is not a GoogleTest JSON report.
bool ReadTestReport(const Layout& layout, const std::string& report_text, TestRun* run);

// The limit for one exercise's tests. A run past it is reported as a hang.
inline constexpr std::chrono::seconds kTestTimeout{30};

// ExtractAssertionMessage removes GoogleTest's own wording ("Expected
// equality of these values: ...") from a failure text and returns the
// assertion's message, or gtest's text squeezed onto one line when the
// assertion has no message. An uncaught exception becomes "the code threw
// an exception: <what()>".
std::string ExtractAssertionMessage(const std::string& failure_text);

// ExtractGtestLines returns GoogleTest's own lines of a failure text, the
// ones ExtractAssertionMessage removes, so the learner can read the values
// compared ("Which is: 3"). It returns at most kMaxGtestLines lines, and the
// last one is "..." when it cut some. It returns none for an uncaught
// exception, or when the assertion has no message, because the message
// then contains those lines already.
std::vector<std::string> ExtractGtestLines(const std::string& failure_text);

inline constexpr size_t kMaxGtestLines = 8;

}  // namespace labkit::cli
