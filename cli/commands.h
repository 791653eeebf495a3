// The CLI's verbs. Each Run* function prints for the learner and returns the
// process exit code: 0 on success, 1 on a failed check or gap, 2 on invalid
// input, 130 when interrupted with Ctrl-C.
#pragma once

#include <string>
#include <vector>

#include "layout.h"

namespace labkit::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// The preset the learner's exercises build in.
inline constexpr const char* kDefaultPreset = "default";

// PrintGuide prints the first commands to run, for `./labkit` with no verb.
void PrintGuide();

int RunList(const Layout& layout);

struct CheckOptions {
  std::string lab;
  std::string exercise;  // empty: every exercise of the lab
  bool watch = false;
};
int RunCheck(const Layout& layout, const CheckOptions& options);

struct HintOptions {
  std::string lab;
  std::string exercise;
  int number = 0;  // 0: the next hint not shown yet
  bool all = false;
};
int RunHint(const Layout& layout, const HintOptions& options);

int RunSolution(const Layout& layout, const std::string& lab, const std::string& exercise);

struct ResetOptions {
  std::string lab;
  std::string exercise;  // empty: every exercise of the lab
  bool yes = false;
};
int RunReset(const Layout& layout, const ResetOptions& options);

struct VerifyOptions {
  std::string lab;  // empty: every lab
  bool json = false;
};
// Counts of expectations met (starter fails, reference passes, mutant
// caught) and missed, for `test`'s summary.
struct VerifyTotals {
  int passed = 0;
  int failed = 0;
  bool interrupted = false;
};
int RunVerify(const Layout& layout, const VerifyOptions& options);
VerifyTotals VerifyLabs(const Layout& layout, const VerifyOptions& options);

struct BenchOptions {
  std::string lab;
  bool peers = false;
  bool json = false;
};
int RunBench(const Layout& layout, const BenchOptions& options);

int RunDemo(const Layout& layout, const std::string& lab, const std::vector<std::string>& args);

// RunBroker builds queue-broker and replaces the CLI with it, passing `args`.
int RunBroker(const Layout& layout, const std::vector<std::string>& args);

struct TestOptions {
  bool quick = false;
};
int RunTest(const Layout& layout, const TestOptions& options);

int RunSetup(const Layout& layout);

}  // namespace labkit::cli
