// `labkit test [--quick]`: the full suite, as CI runs it.
//
// Steps: configure and build the default preset (everything plus each lab's
// verify_<lab>), run ctest and verify every lab. Unless --quick, then build
// and test the asan preset, and in the tsan preset build what the
// "concurrency" tests need and run ctest -L concurrency, and in the fuzz
// preset (clang) build the fuzz targets and run each for a bounded time
// (ctest -L fuzz). The last line is
// "N passed, M failed", counting tests over all steps. A failed configure or
// build counts as one failure.

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <boost/json.hpp>

#include "build_step.h"
#include "commands.h"
#include "manifest.h"
#include "process.h"
#include "terminal.h"

namespace labkit::cli {

namespace json = boost::json;

namespace {

// The limit for any one test under ctest, so a hang ends the suite.
constexpr const char* kCtestTimeoutSeconds = "300";

struct Tally {
  int passed = 0;
  int failed = 0;
};

void Announce(const std::string& what) {
  std::printf("\n%s\n", Paint(Color::kBold, "==> " + what).c_str());
  std::fflush(stdout);
}

// Report prints a step's outcome. A failed non-test step counts as one failure.
bool Report(const Layout& layout, const std::string& what, const StepResult& step, Tally* tally) {
  if (step.ok()) {
    std::printf("%s %s (%.0f s, log %s)\n", Paint(Color::kGreen, "ok").c_str(), what.c_str(),
                step.seconds, layout.Relative(step.log_path).c_str());
    return true;
  }
  PrintStepFailure(layout, what + " failed", step);
  tally->failed += 1;
  return false;
}

// RunCtest runs ctest in build/<preset> and adds its counts to the tally.
void RunCtest(const Layout& layout, const std::string& preset, const std::string& label,
              Tally* tally) {
  StepOptions options;
  options.log_name = "test-" + preset + "-ctest";
  options.label = "running ctest (" + preset + ")";
  options.argv = {"ctest", "--test-dir", layout.PresetDir(preset).string(), "--output-on-failure",
                  "-j2", "--timeout", kCtestTimeoutSeconds};
  if (!label.empty()) {
    options.argv.push_back("-L");
    options.argv.push_back(label);
  }

  // ctest ends with "75% tests passed, 2 tests failed out of 8".
  static const std::regex kSummary(R"((\d+)% tests passed, (\d+) tests? failed out of (\d+))");
  int failed = -1;
  int total = 0;
  bool no_tests = false;
  options.on_line = [&](std::string_view line) {
    std::match_results<std::string_view::const_iterator> match;
    if (std::regex_search(line.begin(), line.end(), match, kSummary)) {
      failed = std::stoi(match[2].str());
      total = std::stoi(match[3].str());
    }
    if (line.find("No tests were found") != std::string_view::npos) no_tests = true;
  };
  const StepResult step = RunStep(layout, options);

  if (failed >= 0) {
    tally->passed += total - failed;
    tally->failed += failed;
    const std::string counts = std::to_string(total - failed) + " of " + std::to_string(total) + " tests passed";
    if (failed == 0) {
      std::printf("%s ctest (%s): %s (log %s)\n", Paint(Color::kGreen, "ok").c_str(), preset.c_str(),
                  counts.c_str(), layout.Relative(step.log_path).c_str());
    } else {
      PrintStepFailure(layout, "ctest (" + preset + "): " + counts, step);
    }
  } else if (no_tests) {
    std::printf("ctest (%s): no tests%s found\n", preset.c_str(),
                label.empty() ? "" : (" labeled " + label).c_str());
  } else {
    Report(layout, "ctest (" + preset + ")", step, tally);
  }
}

// TestExecutables maps each test name to its executable's file name, read
// from the CTestTestfile.cmake files CMake writes at configure time. ctest's
// own JSON listing leaves out the command of a test not built yet.
std::map<std::string, std::string> TestExecutables(const fs::path& tree) {
  // CMake 3.25 writes: add_test([=[name]=] "/path/to/executable" args...)
  static const std::regex kAddTest(R"re(^add_test\(\[=*\[(.+?)\]=*\] "([^"]+)")re");
  std::map<std::string, std::string> executables;
  std::error_code error;
  fs::recursive_directory_iterator it(tree, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().filename() != "CTestTestfile.cmake") continue;
    std::ifstream in(it->path());
    for (std::string line; std::getline(in, line);) {
      std::smatch match;
      if (std::regex_search(line, match, kAddTest)) {
        executables[match[1].str()] = fs::path(match[2].str()).filename().string();
      }
    }
  }
  return executables;
}

// LabeledTargets returns the executables of the tests with `label`. It reads
// the names from `ctest -L label --show-only=json-v1`, which works before a
// build, and takes each test's executable, named after its target, from
// TestExecutables.
std::vector<std::string> LabeledTargets(const Layout& layout, const std::string& preset,
                                        const std::string& label) {
  std::string listing;
  ProcessOptions process;
  process.argv = {"ctest", "--test-dir", layout.PresetDir(preset).string(), "-L", label,
                  "--show-only=json-v1"};
  process.inherit_stderr = true;
  process.timeout = std::chrono::seconds(60);
  process.on_line = [&](std::string_view line) { listing.append(line).append("\n"); };
  if (!RunProcess(process).ok()) return {};

  std::error_code error;
  json::value document = json::parse(listing, error);
  if (error || !document.is_object()) return {};
  const json::value* tests = document.as_object().if_contains("tests");
  if (tests == nullptr || !tests->is_array()) return {};

  const std::map<std::string, std::string> executables = TestExecutables(layout.PresetDir(preset));
  std::set<std::string> targets;
  for (const json::value& test : tests->as_array()) {
    const json::value* name = test.as_object().if_contains("name");
    if (name == nullptr || !name->is_string()) continue;
    auto it = executables.find(std::string(name->as_string()));
    if (it != executables.end()) targets.insert(it->second);
  }
  return {targets.begin(), targets.end()};
}

// RunSanitizerPreset configures, builds and tests one sanitizer preset.
void RunSanitizerPreset(const Layout& layout, const std::string& preset, const std::string& label,
                        Tally* tally) {
  Announce("configure " + preset);
  if (!Report(layout, "configure " + preset, ConfigurePreset(layout, preset, "test-" + preset + "-configure"), tally)) {
    return;
  }

  // For a label, build only the executables its tests run, when ctest can tell.
  std::vector<std::string> targets;
  if (!label.empty()) {
    targets = LabeledTargets(layout, preset, label);
    if (targets.empty()) {
      std::printf("no tests labeled %s in %s: nothing to build or run\n", label.c_str(), preset.c_str());
      return;
    }
  }
  Announce("build " + preset);
  const StepResult build = BuildTargets(layout, preset, targets, "test-" + preset + "-build",
                                        "building (" + preset + ")", /*keep_going=*/true);
  Report(layout, "build " + preset, build, tally);
  if (Interrupted()) return;

  Announce("ctest " + preset);
  RunCtest(layout, preset, label, tally);
}

}  // namespace

int RunTest(const Layout& layout, const TestOptions& options) {
  StatusOr<std::vector<Lab>> labs = LoadLabs(layout, "");
  if (!labs.ok()) {
    std::fprintf(stderr, "error: %s\n", labs.status().message().c_str());
    return kExitFailed;
  }
  Tally tally;

  // The default preset: configure, build everything, ctest, verify.
  Announce("configure default");
  const bool configured =
      Report(layout, "configure default", ConfigurePreset(layout, kDefaultPreset, "test-default-configure"), &tally);
  if (configured && !Interrupted()) {
    std::vector<std::string> targets = {"all"};
    for (const Lab& lab : labs.value()) targets.push_back("verify_" + lab.name);
    Announce("build default (all, and every lab's starters, references and mutants)");
    Report(layout, "build default",
           BuildTargets(layout, kDefaultPreset, targets, "test-default-build", "building (default)", true),
           &tally);
  }
  if (configured && !Interrupted()) {
    Announce("ctest default");
    RunCtest(layout, kDefaultPreset, "", &tally);
  }
  if (configured && !Interrupted()) {
    Announce("verify every lab");
    const VerifyTotals totals = VerifyLabs(layout, VerifyOptions{});
    tally.passed += totals.passed;
    tally.failed += totals.failed;
  }

  // The sanitizer presets.
  if (!options.quick && !Interrupted()) RunSanitizerPreset(layout, "asan", "", &tally);
  if (!options.quick && !Interrupted()) RunSanitizerPreset(layout, "tsan", "concurrency", &tally);
  if (!options.quick && !Interrupted()) RunSanitizerPreset(layout, "fuzz", "fuzz", &tally);

  if (Interrupted()) {
    std::printf("\ninterrupted\n");
    return kExitInterrupted;
  }
  std::printf("\n%d passed, %d failed\n", tally.passed, tally.failed);
  return tally.failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace labkit::cli
