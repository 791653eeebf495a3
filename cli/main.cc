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

#include "arguments.h"
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
  std::printf("\nAlso: solution, reset, verify, bench, demo, broker, test, setup. Details: ./labkit VERB --help\n");
}

namespace {

std::vector<std::string> CommandNames(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  return names;
}

// ParseErrorMessage turns a CLI11 parse error into the kit's wording.
std::string ParseErrorMessage(CLI::App& app, const CLI::ParseError& error) {
  const CLI::App* command = app.get_subcommands().empty() ? &app : app.get_subcommands().front();
  const std::string verb = command == &app ? "" : command->get_name();
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    return UnexpectedArgumentMessage(verb, command->remaining());
  }
  return std::string(error.what()) + ". Details: " + kProgramName +
         (verb.empty() ? "" : " " + verb) + " --help";
}

// MissingNameMessage returns the usage error for a verb run without its lab
// or, when `exercise` is not null, without its exercise; else "".
std::string MissingNameMessage(const Layout& layout, std::string_view verb, const std::string& lab,
                               const std::string* exercise) {
  if (lab.empty()) return MissingArgumentMessage(verb, {}, "lab", ListLabNames(layout));
  if (exercise == nullptr || !exercise->empty()) return "";

  StatusOr<Lab> loaded = LoadLab(layout, lab);
  if (!loaded.ok()) return loaded.status().message();
  std::vector<std::string> names;
  for (const Exercise& entry : loaded->exercises) names.push_back(entry.name);
  return MissingArgumentMessage(verb, {lab}, "exercise", names);
}

int ReportUsageError(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitUsage;
}

int Main(int argc, char** argv) {
  CLI::App app{"labkit: hands-on system-design labs in C++. Run ./labkit with no verb for a short guide."};
  app.name(kProgramName);
  app.require_subcommand(0, 1);

  // list
  CLI::App* list = app.add_subcommand("list", "List every lab and exercise with its status "
                                              "(not started, in progress, passed), and the "
                                              "lab's programs");

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
  std::string hint_number;
  CLI::App* hint = app.add_subcommand("hint", "Print the next hint for an exercise, or hint N");
  hint->add_option("lab", hint_options.lab, "Lab name")->required();
  hint->add_option("exercise", hint_options.exercise, "Exercise name")->required();
  hint->add_option("number", hint_number, "Which hint, from 1 (default: the next one not shown yet)");
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
  CLI::App* demo = app.add_subcommand(
      "demo", "Build the lab's programs and run its demo. Arguments after LAB go to the demo: "
              "./labkit demo LAB --help lists them (rate_limiter's: --duration SECONDS, "
              "--store memory|redis://HOST:PORT)");
  demo->add_option("lab", demo_lab, "Lab name")->required();
  demo->allow_extras();

  // broker: everything after it goes to queue-broker.
  CLI::App* broker = app.add_subcommand(
      "broker", "Start the queue lab's embedded Kafka-protocol broker on 127.0.0.1 and print its "
                "bootstrap address, until Ctrl-C. Arguments go to it: --topic NAME:PARTITIONS "
                "(repeatable), --brokers N, --duration SECONDS; ./labkit broker --help lists them");
  broker->allow_extras();

  // test
  TestOptions test_options;
  CLI::App* test = app.add_subcommand(
      "test", "Run the full suite: build, ctest, verify, then ASan+UBSan and TSan builds and a 60 s libFuzzer run. "
              "Ends with 'N passed, M failed'");
  test->add_flag("--quick", test_options.quick, "Skip the sanitizer and fuzz builds");

  // setup
  CLI::App* setup = app.add_subcommand("setup", "Install the packages the kit needs (runs scripts/setup.sh)");

  // Reject an unknown verb here: CLI11 would call it an unexpected argument.
  const std::vector<std::string> commands = CommandNames(app);
  if (argc >= 2 && argv[1][0] != '-' &&
      std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
    return ReportUsageError(UnknownCommandMessage(argv[1], commands));
  }

  // `demo LAB ...` passes everything after LAB, --help included, to the demo.
  if (argc >= 3 && std::string_view(argv[1]) == "demo" && argv[2][0] != '-') {
    StatusOr<Layout> layout = FindLayout();
    if (!layout.ok()) return ReportUsageError(layout.status().message());
    InstallInterruptHandler();
    return RunDemo(layout.value(), argv[2], std::vector<std::string>(argv + 3, argv + argc));
  }

  // `broker ...` passes everything after it, --help included, to queue-broker.
  if (argc >= 2 && std::string_view(argv[1]) == "broker") {
    StatusOr<Layout> layout = FindLayout();
    if (!layout.ok()) return ReportUsageError(layout.status().message());
    return RunBroker(layout.value(), std::vector<std::string>(argv + 2, argv + argc));
  }

  // The names each verb requires, for the message when one is missing.
  struct RequiredNames {
    const CLI::App* command;
    const std::string* lab;
    const std::string* exercise;  // null: the exercise is optional
  };
  const std::vector<RequiredNames> required_names = {
      {check, &check_options.lab, nullptr},
      {hint, &hint_options.lab, &hint_options.exercise},
      {solution, &solution_lab, &solution_exercise},
      {reset, &reset_options.lab, nullptr},
      {bench, &bench_options.lab, nullptr},
      {demo, &demo_lab, nullptr},
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& help) {
    return app.exit(help);  // --help prints the usage and exits 0
  } catch (const CLI::RequiredError& error) {
    // CLI11's message is only "lab is required": name the valid labs or exercises.
    StatusOr<Layout> layout = FindLayout();
    const CLI::App* command = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
    for (const RequiredNames& names : required_names) {
      if (names.command != command || !layout.ok()) continue;
      const std::string message = MissingNameMessage(layout.value(), command->get_name(),
                                                     *names.lab, names.exercise);
      if (!message.empty()) return ReportUsageError(message);
    }
    return ReportUsageError(ParseErrorMessage(app, error));
  } catch (const CLI::ParseError& error) {
    return ReportUsageError(ParseErrorMessage(app, error));
  }

  if (app.get_subcommands().empty()) {
    PrintGuide();
    return kExitOk;
  }
  StatusOr<Layout> layout = FindLayout();
  if (!layout.ok()) return ReportUsageError(layout.status().message());

  // CLI11 takes any text as the hint number: check it before any work.
  if (*hint) {
    StatusOr<int> number = ParseHintNumber(hint_number);
    if (!number.ok()) return ReportUsageError(number.status().message());
    hint_options.number = number.value();
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
