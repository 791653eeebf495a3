#include "test_run.h"

#include <exception>
#include <fstream>
#include <regex>
#include <sstream>
#include <system_error>
#include <vector>

#include <boost/json.hpp>

#include "files.h"
#include "process.h"

namespace labkit::cli {

namespace json = boost::json;

namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Trim(std::string text) {
  const size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t\n");
  return text.substr(first, last - first + 1);
}

// IsGtestWording is true for a line GoogleTest writes itself in a failure:
// indented value lines, and the headings of each assertion kind.
bool IsGtestWording(const std::vector<std::string>& lines, size_t i) {
  static const std::regex kHeadings(
      R"(^(Expected equality of these values:|Expected: \(.*\) .* \(.*\), actual: .*|)"
      R"(Value of: .*|Expected: (true|false)|Failed|With diff:|The difference between .*|)"
      R"(Expected: .* (throws|doesn't throw).*|Death test: .*|Mock function .*|)"
      R"(Unexpected mock function call.*|Uninteresting mock function call.*)$)");
  const std::string& line = lines[i];
  if (line.empty()) return true;
  if (line[0] == ' ' || line[0] == '\t') return true;
  if (line.rfind("Expected: ", 0) == 0 && i + 1 < lines.size() &&
      lines[i + 1].rfind("  Actual:", 0) == 0) {
    return true;
  }
  return std::regex_match(line, kHeadings);
}

// CountGtestWording returns how many lines at the start of `lines` are
// GoogleTest's wording, because the assertion's message follows them.
size_t CountGtestWording(const std::vector<std::string>& lines) {
  size_t count = 0;
  while (count < lines.size() && IsGtestWording(lines, count)) ++count;
  return count;
}

// AssertionLines returns the lines of a failure text after its first line,
// which is "file:line" or "unknown file".
std::vector<std::string> AssertionLines(const std::string& failure_text) {
  std::vector<std::string> lines = SplitLines(failure_text);
  if (!lines.empty()) lines.erase(lines.begin());
  return lines;
}

std::string RelativeLocation(const Layout& layout, const std::string& file, int64_t line) {
  if (file.empty()) return "";
  return layout.Relative(fs::path(file)) + ":" + std::to_string(line);
}

// ReadReport walks the report in order and fills `run`.
void ReadReport(const Layout& layout, const json::value& report, TestRun* run) {
  const json::object& root = report.as_object();
  if (const json::value* tests = root.if_contains("tests"); tests && tests->is_int64()) {
    run->tests = static_cast<int>(tests->as_int64());
  }
  const json::value* suites = root.if_contains("testsuites");
  if (suites == nullptr || !suites->is_array()) return;

  for (const json::value& suite : suites->as_array()) {
    const json::value* cases = suite.as_object().if_contains("testsuite");
    if (cases == nullptr || !cases->is_array()) continue;
    for (const json::value& test_case : cases->as_array()) {
      const json::object& test = test_case.as_object();
      const json::value* failures = test.if_contains("failures");
      if (failures == nullptr || !failures->is_array() || failures->as_array().empty()) continue;
      const std::string suite_name(suite.as_object().at("name").as_string());
      const std::string test_name(test.at("name").as_string());
      ++run->failed_tests;
      run->failed_test_names.push_back(suite_name + "." + test_name);
      if (run->first_failure) continue;

      const json::value* file = test.if_contains("file");
      const json::value* line = test.if_contains("line");
      const std::string text(failures->as_array()[0].as_object().at("failure").as_string());

      TestFailure failure;
      failure.test = suite_name + "." + test_name;
      failure.message = ExtractAssertionMessage(text);
      failure.gtest_lines = ExtractGtestLines(text);
      // The failure's own "file:line" first line, else the test's location.
      static const std::regex kLocation(R"(^(.+):(\d+)$)");
      std::smatch match;
      const std::string first_line = SplitLines(text).empty() ? "" : SplitLines(text)[0];
      if (std::regex_match(first_line, match, kLocation)) {
        failure.location = RelativeLocation(layout, match[1].str(), std::stoll(match[2].str()));
      } else if (file != nullptr && file->is_string() && line != nullptr && line->is_int64()) {
        failure.location = RelativeLocation(layout, std::string(file->as_string()), line->as_int64());
      }
      run->first_failure = std::move(failure);
    }
  }
}

// RunningTest returns the test that started and never finished, from
// gtest's "[ RUN      ]" and "[       OK ]" / "[  FAILED  ]" lines.
std::string RunningTest(const std::vector<std::string>& output) {
  std::string running;
  for (const std::string& line : output) {
    if (line.rfind("[ RUN      ] ", 0) == 0) running = line.substr(13);
    if (line.rfind("[       OK ] ", 0) == 0 || line.rfind("[  FAILED  ] ", 0) == 0) running.clear();
  }
  return running;
}

}  // namespace

std::string ExtractAssertionMessage(const std::string& failure_text) {
  const std::vector<std::string> lines = AssertionLines(failure_text);

  // An exception that escaped the test body.
  static const std::regex kException(
      R"re(^C\+\+ exception with description "([\s\S]*)" thrown in (.*)\.$)re");
  std::smatch match;
  const std::string body = [&] {
    std::string joined;
    for (const std::string& line : lines) joined += (joined.empty() ? "" : "\n") + line;
    return joined;
  }();
  if (std::regex_match(body, match, kException)) {
    return "the code threw an exception: " + match[1].str();
  }

  // Skip gtest's wording, because the assertion's message follows it.
  const size_t first_message_line = CountGtestWording(lines);
  std::string message;
  for (size_t i = first_message_line; i < lines.size(); ++i) {
    message += (message.empty() ? "" : "\n") + lines[i];
  }
  if (!Trim(message).empty()) return Trim(message);

  // No message: squeeze gtest's own text onto one line.
  std::string squeezed;
  for (const std::string& line : lines) {
    const std::string trimmed = Trim(line);
    if (trimmed.empty()) continue;
    squeezed += (squeezed.empty() ? "" : " / ") + trimmed;
  }
  return squeezed.empty() ? "(no message)" : squeezed;
}

std::vector<std::string> ExtractGtestLines(const std::string& failure_text) {
  const std::vector<std::string> lines = AssertionLines(failure_text);
  const size_t wording = CountGtestWording(lines);
  if (wording == lines.size()) return {};  // no message, or an exception

  std::vector<std::string> kept(lines.begin(), lines.begin() + static_cast<long>(wording));
  while (!kept.empty() && Trim(kept.back()).empty()) kept.pop_back();
  if (kept.size() > kMaxGtestLines) {
    kept.resize(kMaxGtestLines - 1);
    kept.push_back("...");
  }
  return kept;
}

bool ReadTestReport(const Layout& layout, const std::string& report_text, TestRun* run) {
  std::error_code parse_error;
  json::value report = json::parse(report_text, parse_error);
  if (parse_error || !report.is_object()) return false;

  // A field of the wrong type makes Boost.JSON throw: treat it as no report.
  TestRun filled = *run;
  try {
    ReadReport(layout, report, &filled);
  } catch (const std::exception&) {
    return false;
  }
  *run = std::move(filled);
  return true;
}

TestRun RunTests(const Layout& layout, const fs::path& executable, const fs::path& report_path,
                 const fs::path& log_path, std::chrono::milliseconds timeout,
                 std::function<void()> on_tick) {
  TestRun run;
  run.log_path = log_path;
  std::error_code error;
  fs::create_directories(report_path.parent_path(), error);
  fs::create_directories(log_path.parent_path(), error);
  fs::remove(report_path, error);  // never read a stale report

  // Run the tests, keeping their output for the log and for crash details.
  std::vector<std::string> output;
  std::ofstream log(log_path, std::ios::trunc);
  ProcessOptions process;
  process.argv = {executable.string(), "--gtest_output=json:" + report_path.string()};
  process.working_dir = layout.root;
  process.extra_env = {{"GTEST_COLOR", "no"}};
  process.timeout = timeout;
  process.on_tick = std::move(on_tick);
  process.on_line = [&](std::string_view line) {
    log << line << "\n";
    output.emplace_back(line);
  };
  const ProcessResult result = RunProcess(process);
  log << "# " << result.Describe(timeout) << "\n";

  // Read the report when there is one.
  StatusOr<std::string> report_text = ReadFile(report_path);
  if (report_text.ok()) ReadTestReport(layout, report_text.value(), &run);

  // Classify: the process outcome first, then the report's counts.
  const std::string running = RunningTest(output);
  const std::string in_test = running.empty() ? "" : " in test " + running;
  switch (result.outcome) {
    case ProcessResult::Outcome::kTimedOut:
      run.verdict = TestRun::Verdict::kTimedOut;
      run.detail = result.Describe(timeout) + in_test +
                   " (an endless loop, or a lock that is never released?)";
      return run;
    case ProcessResult::Outcome::kInterrupted:
      run.verdict = TestRun::Verdict::kInterrupted;
      run.detail = "interrupted" + in_test;
      return run;
    case ProcessResult::Outcome::kFailedToStart:
      run.verdict = TestRun::Verdict::kCrashed;
      run.detail = result.Describe(timeout);
      return run;
    case ProcessResult::Outcome::kSignaled:
      run.verdict = TestRun::Verdict::kCrashed;
      run.detail = result.Describe(timeout) + in_test;
      return run;
    case ProcessResult::Outcome::kExited:
      break;
  }
  if (!report_text.ok()) {
    run.verdict = TestRun::Verdict::kCrashed;
    run.detail = result.Describe(timeout) + " without writing its test report" + in_test;
    return run;
  }
  if (run.failed_tests > 0) {
    run.verdict = TestRun::Verdict::kFailed;
  } else if (result.exit_code != 0) {
    run.verdict = TestRun::Verdict::kFailed;
    run.detail = result.Describe(timeout) + " although no test failed";
  } else if (run.tests == 0) {
    run.verdict = TestRun::Verdict::kNoTests;
  } else {
    run.verdict = TestRun::Verdict::kPassed;
  }
  return run;
}

}  // namespace labkit::cli
