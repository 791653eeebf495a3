// labkit: the learner's one entry point to the lab kit.
//
// The ./labkit script at the repository root builds this program and runs it
// with LABKIT_ROOT set. Every verb reads labs/<lab>/lab.json for what the
// lab contains; nothing here names an exercise.

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "layout.h"
#include "manifest.h"
#include "process.h"

namespace labkit::cli {

void PrintGuide() {
  // Take the example names from the first lab, when the repository is found.
  std::string lab = "LAB";
  std::string exercise = "EXERCISE";
  if (StatusOr<Layout> layout = FindLayout(); layout.ok()) {
    StatusOr<std::vector<Lab>> labs = LoadLabs(layout.value(), "");
    if (labs.ok() && !labs->empty() && !labs->front().exercises.empty()) {
      lab = labs->front().name;
      exercise = labs->front().exercises.front().name;
    }
  }
  const std::string target = lab + " " + exercise;
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"./labkit list", "the labs, their exercises and your progress"},
      {"./labkit check " + target, "build and test your code, with the first failure explained"},
      {"./labkit check " + target + " --watch", "check again on every save"},
      {"./labkit hint " + target, "the next hint, from a nudge to nearly the solution"},
  };
  size_t width = 0;
  for (const auto& [command, purpose] : steps) width = std::max(width, command.size());

  std::printf("labkit: hands-on system-design labs in C++.\n\nStart here:\n");
  for (const auto& [command, purpose] : steps) {
    std::printf("  %-*s  %s\n", static_cast<int>(width), command.c_str(), purpose.c_str());
  }
  std::printf("\nAlso: solution, reset, verify, bench, demo, test, setup. Details: ./labkit VERB --help\n");
}

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"labkit: hands-on system-design labs in C++. Run ./labkit with no verb for a short guide."};
  app.require_subcommand(0, 1);

  // list
  CLI::App* list = app.add_subcommand("list", "List every lab and exercise with its status "
                                              "(not started, in progress, passed)");

  // check
  CheckOptions check_options;
  CLI::App* check = app.add_subcommand(
      "check", "Build your file for each exercise against its tests, run them (30 s limit) and "
               "explain the first failure. Exits 0 only when every selected exercise passed");
  check->add_option("lab", check_options.lab, "Lab name, for example rate_limiter")->required();
  check->add_option("exercise", check_options.exercise, "One exercise (default: all of the lab)");
  check->add_flag("--watch,-w", check_options.watch,
                  "Check again whenever a file under labs/LAB/ changes (polled every 300 ms; Ctrl-C stops)");

  // hint
  HintOptions hint_options;
  CLI::App* hint = app.add_subcommand("hint", "Print the next hint for an exercise, or hint N");
  hint->add_option("lab", hint_options.lab, "Lab name")->required();
  hint->add_option("exercise", hint_options.exercise, "Exercise name")->required();
  hint->add_option("number", hint_options.number, "Which hint, from 1 (default: the next one not shown yet)")
      ->check(CLI::PositiveNumber);
  hint->add_flag("--all", hint_options.all, "Print every hint");

  // solution
  std::string solution_lab;
  std::string solution_exercise;
  CLI::App* solution = app.add_subcommand(
      "solution", "Print the paths of your file and the reference, and a diff from yours to the reference");
  solution->add_option("lab", solution_lab, "Lab name")->required();
  solution->add_option("exercise", solution_exercise, "Exercise name")->required();

  // reset
  ResetOptions reset_options;
  CLI::App* reset = app.add_subcommand(
      "reset", "Restore the starter over your file(s), after a y/N confirmation; keeps a backup under build/backup/");
  reset->add_option("lab", reset_options.lab, "Lab name")->required();
  reset->add_option("exercise", reset_options.exercise, "One exercise (default: every exercise of the lab)");
  reset->add_flag("--yes,-y", reset_options.yes, "Reset without asking");

  // verify
  VerifyOptions verify_options;
  CLI::App* verify = app.add_subcommand(
      "verify", "Check the lab's tests: each starter must fail, each reference pass, each mutant fail");
  verify->add_option("lab", verify_options.lab, "Lab name (default: every lab)");
  verify->add_flag("--json", verify_options.json, "Print a JSON array, one object per exercise");

  // bench
  BenchOptions bench_options;
  CLI::App* bench = app.add_subcommand(
      "bench", "Time your code against the reference (Google Benchmark, release build, about a minute)");
  bench->add_option("lab", bench_options.lab, "Lab name")->required();
  bench->add_flag("--peers", bench_options.peers,
                  "Instead, compare the kit with other implementations (runs bench/LAB/peers)");
  bench->add_flag("--json", bench_options.json, "Print one JSON document");

  // demo: everything after the lab goes to the demo program.
  std::string demo_lab;
  CLI::App* demo = app.add_subcommand("demo", "Build and run the lab's demo; arguments after LAB go to it "
                                              "(for rate_limiter: --duration S, --store memory|redis)");
  demo->add_option("lab", demo_lab, "Lab name")->required();
  demo->allow_extras();

  // test
  TestOptions test_options;
  CLI::App* test = app.add_subcommand(
      "test", "Run the full suite: build, ctest, verify, then ASan+UBSan and TSan builds. "
              "Ends with 'N passed, M failed'");
  test->add_flag("--quick", test_options.quick, "Skip the sanitizer builds");

  // setup
  CLI::App* setup = app.add_subcommand("setup", "Install the packages the kit needs (runs scripts/setup.sh)");

  // `demo LAB ...` passes everything after LAB, --help included, to the demo.
  if (argc >= 3 && std::string_view(argv[1]) == "demo" && argv[2][0] != '-') {
    StatusOr<Layout> layout = FindLayout();
    if (!layout.ok()) {
      std::fprintf(stderr, "error: %s\n", layout.status().message().c_str());
      return kExitUsage;
    }
    InstallInterruptHandler();
    return RunDemo(layout.value(), argv[2], std::vector<std::string>(argv + 3, argv + argc));
  }
  CLI11_PARSE(app, argc, argv);

  if (app.get_subcommands().empty()) {
    PrintGuide();
    return kExitOk;
  }
  StatusOr<Layout> layout = FindLayout();
  if (!layout.ok()) {
    std::fprintf(stderr, "error: %s\n", layout.status().message().c_str());
    return kExitUsage;
  }
  InstallInterruptHandler();

  if (*list) return RunList(layout.value());
  if (*check) return RunCheck(layout.value(), check_options);
  if (*hint) return RunHint(layout.value(), hint_options);
  if (*solution) return RunSolution(layout.value(), solution_lab, solution_exercise);
  if (*reset) return RunReset(layout.value(), reset_options);
  if (*verify) return RunVerify(layout.value(), verify_options);
  if (*bench) return RunBench(layout.value(), bench_options);
  if (*demo) return RunDemo(layout.value(), demo_lab, demo->remaining());
  if (*test) return RunTest(layout.value(), test_options);
  if (*setup) return RunSetup(layout.value());
  return kExitUsage;
}

}  // namespace

}  // namespace labkit::cli

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return labkit::cli::Main(argc, argv);
}
