// `labkit check LAB [EXERCISE] [--watch]`: build the learner's file against
// the exercise's tests, run them, and explain the first failure.

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>

#include "build_step.h"
#include "commands.h"
#include "files.h"
#include "hints.h"
#include "manifest.h"
#include "process.h"
#include "state.h"
#include "terminal.h"
#include "test_run.h"

namespace labkit::cli {

namespace {

constexpr int kNameWidth = 20;

void PrintIndented(const std::string& text, const char* indent) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::printf("%s%s\n", line.empty() ? "" : indent, line.c_str());
  }
}

void PrintExerciseLine(const Exercise& exercise, const std::string& verdict,
                       const std::string& detail) {
  std::printf("  %-*s %s%s%s\n", kNameWidth, exercise.name.c_str(), verdict.c_str(),
              detail.empty() ? "" : "  ", detail.c_str());
}

// PrintHintPointer shows hint 1 in full under the first failure, and later
// only a line saying which hint comes next.
void PrintHintPointer(const Layout& layout, const Lab& lab, const Exercise& exercise,
                      ExerciseState& saved) {
  StatusOr<std::vector<std::string>> hints = LoadHints(layout, lab, exercise);
  if (!hints.ok()) return;
  const int count = static_cast<int>(hints->size());
  const std::string command = "./labkit hint " + lab.name + " " + exercise.name;
  if (saved.hints_shown < 1) {
    std::printf("      %s\n", Paint(Color::kBold, "Hint 1:").c_str());
    PrintIndented(hints.value()[0], "        ");
    saved.hints_shown = 1;
    if (count > 1) std::printf("      More help: %s shows hint 2 of %d\n", command.c_str(), count);
    return;
  }
  if (saved.hints_shown < count) {
    std::printf("      Stuck? %s shows hint %d of %d\n", command.c_str(), saved.hints_shown + 1,
                count);
  } else {
    std::printf("      All %d hints read: %s N shows hint N again, "
                "./labkit solution %s %s shows the reference\n",
                count, command.c_str(), lab.name.c_str(), exercise.name.c_str());
  }
}

// PrintFailingTests lists every failing test by name, when more than one
// failed, so the learner finds the others without opening the log.
void PrintFailingTests(const TestRun& run) {
  constexpr size_t kMaxListed = 10;
  const std::vector<std::string>& names = run.failed_test_names;
  if (names.size() < 2) return;
  std::printf("      %s\n", Paint(Color::kBold, "Failing tests (" + std::to_string(names.size()) +
                                                     "):").c_str());
  for (size_t i = 0; i < names.size() && i < kMaxListed; ++i) {
    std::printf("        %s\n", names[i].c_str());
  }
  if (names.size() > kMaxListed) {
    std::printf("        ... and %zu more, in the full output\n", names.size() - kMaxListed);
  }
}

void PrintTestFailure(const Layout& layout, const Lab& lab, const Exercise& exercise,
                      const TestRun& run, ExerciseState& saved) {
  if (run.first_failure) {
    const TestFailure& failure = *run.first_failure;
    std::printf("      %s\n", Paint(Color::kBold, "First failure:").c_str());
    PrintIndented(failure.message, "        ");
    // GoogleTest's lines show what the learner's code returned ("Which is: 3").
    for (const std::string& line : failure.gtest_lines) {
      std::printf("        %s\n", line.c_str());
    }
    std::printf("      in %s, %s\n", failure.test.c_str(), failure.location.c_str());
  } else if (!run.detail.empty()) {
    std::printf("      %s\n", run.detail.c_str());
  }
  PrintFailingTests(run);
  PrintHintPointer(layout, lab, exercise, saved);
  std::printf("      Full output: %s\n", layout.Relative(run.log_path).c_str());
}

// CheckExercise builds and tests one exercise and returns its result word
// ("passed", "failed", "build error", ...).
std::string CheckExercise(const Layout& layout, const Lab& lab, const Exercise& exercise,
                          LabState& state) {
  ExerciseState& saved = state.For(exercise.name);
  const std::string learner_path = layout.Relative(lab.LearnerFile(exercise));

  // Untouched or missing files need no build.
  const ExerciseStatus status = StatusOf(lab, exercise, state);
  if (status == ExerciseStatus::kMissing) {
    PrintExerciseLine(exercise, Paint(Color::kRed, "missing"),
                      learner_path + " does not exist. Restore the starter with ./labkit reset " +
                          lab.name + " " + exercise.name);
    return "missing";
  }
  if (status == ExerciseStatus::kNotStarted) {
    PrintExerciseLine(exercise, Paint(Color::kYellow, "not started"), "");
    std::printf("      %s still matches the starter: fill in the functions marked TODO.\n"
                "      First hint: ./labkit hint %s %s\n",
                learner_path.c_str(), lab.name.c_str(), exercise.name.c_str());
    return "not started";
  }

  // Build only this exercise's learner executable.
  const std::string target = lab.TargetPrefix(exercise) + "_learner";
  const std::string log_stem = "check-" + lab.name + "-" + exercise.name;
  StepResult build = BuildTargets(layout, kDefaultPreset, {target}, log_stem + "-build",
                                  "building " + exercise.name, /*keep_going=*/false);
  if (Interrupted()) return "interrupted";
  if (!build.ok()) {
    PrintExerciseLine(exercise, Paint(Color::kRed, "build error"),
                      "fix the first error below, then check again");
    bool duplicate_symbols = false;
    for (const std::string& line : build.error_lines) {
      std::printf("      %s\n", line.c_str());
      if (line.find("multiple definition of") != std::string::npos) duplicate_symbols = true;
    }
    if (duplicate_symbols) {
      // The linker takes the reference's whole file for any function the
      // learner's file lacks, and then both define the others.
      std::printf("      This usually means your file lacks a function that the starter defines\n"
                  "      (the linker then takes the reference's copy too). Keep every function of\n"
                  "      %s.\n", layout.Relative(lab.StarterFile(exercise)).c_str());
    }
    std::printf("      Full log: %s\n", layout.Relative(build.log_path).c_str());
    saved.passed_hash.clear();
    return "build error";
  }

  // Run the tests and explain the outcome.
  const fs::path executable = layout.PresetDir(kDefaultPreset) / "exercises" / target;
  Progress progress("testing " + exercise.name);
  const TestRun run = RunTests(layout, executable, layout.LogsDir() / (log_stem + ".json"),
                               layout.LogsDir() / (log_stem + "-tests.log"), kTestTimeout,
                               [&] { progress.Tick(); });
  progress.Finish();
  const std::string counts = std::to_string(run.tests) + " tests";
  switch (run.verdict) {
    case TestRun::Verdict::kPassed: {
      PrintExerciseLine(exercise, Paint(Color::kGreen, "passed"), "(" + counts + ")");
      StatusOr<std::string> contents = ReadFile(lab.LearnerFile(exercise));
      saved.passed_hash = contents.ok() ? HashContents(contents.value()) : "";
      return "passed";
    }
    case TestRun::Verdict::kNoTests:
      PrintExerciseLine(exercise, Paint(Color::kRed, "no tests"),
                        "the exercise's test executable ran no tests; its tests are missing");
      break;
    case TestRun::Verdict::kInterrupted:
      return "interrupted";
    case TestRun::Verdict::kTimedOut:
      PrintExerciseLine(exercise, Paint(Color::kRed, "timed out"), "");
      PrintTestFailure(layout, lab, exercise, run, saved);
      saved.passed_hash.clear();
      return "timed out";
    case TestRun::Verdict::kCrashed:
      PrintExerciseLine(exercise, Paint(Color::kRed, "crashed"), "");
      PrintTestFailure(layout, lab, exercise, run, saved);
      saved.passed_hash.clear();
      return "crashed";
    case TestRun::Verdict::kFailed:
    case TestRun::Verdict::kNotStarted:
      PrintExerciseLine(exercise, Paint(Color::kRed, "failed"),
                        std::to_string(run.failed_tests) + " of " + counts + " failed");
      PrintTestFailure(layout, lab, exercise, run, saved);
      break;
  }
  saved.passed_hash.clear();
  return "failed";
}

// NextExercise returns the first exercise after `current` in manifest order
// that has not passed, wrapping around to the start; null when all passed.
const Exercise* NextExercise(const Lab& lab, const Exercise& current, LabState& state) {
  const size_t count = lab.exercises.size();
  const size_t start = static_cast<size_t>(&current - lab.exercises.data());
  for (size_t step = 1; step < count; ++step) {
    const Exercise& candidate = lab.exercises[(start + step) % count];
    if (StatusOf(lab, candidate, state) != ExerciseStatus::kPassed) return &candidate;
  }
  return nullptr;
}

// PrintAfterPass prints the next steps once every checked exercise passed:
// compare with the reference, then the next exercise not passed yet.
void PrintAfterPass(const Layout& layout, const Lab& lab,
                    const std::vector<const Exercise*>& exercises, LabState& state) {
  if (exercises.empty()) return;
  const Exercise& last = *exercises.back();
  const std::string exercise_word = exercises.size() == 1 ? last.name : "EXERCISE";
  std::printf("Next: compare your code with the reference: ./labkit solution %s %s\n",
              lab.name.c_str(), exercise_word.c_str());
  const Exercise* next = NextExercise(lab, last, state);
  if (next == nullptr) {
    std::printf("Every exercise of %s passed. Time your code against the reference: "
                "./labkit bench %s\n", lab.name.c_str(), lab.name.c_str());
    return;
  }
  std::printf("Then the next exercise, %s: edit %s, then run ./labkit check %s %s\n",
              next->title.c_str(), layout.Relative(lab.LearnerFile(*next)).c_str(),
              lab.name.c_str(), next->name.c_str());
}

// CheckOnce checks the exercises, prints a summary with the next step and
// returns true when all of them passed. `watching` is true under --watch.
bool CheckOnce(const Layout& layout, const Lab& lab, const std::vector<const Exercise*>& exercises,
               bool watching) {
  LabState state = LabState::Load(layout, lab.name);
  std::printf("%s\n", Paint(Color::kBold, "Checking " + lab.name + " (" + lab.title + ")").c_str());

  int passed = 0;
  int not_started = 0;
  const Exercise* next = nullptr;
  bool configured = false;
  for (const Exercise* exercise : exercises) {
    // Configure the build tree once, and only when something needs a build.
    // A passed exercise is checked again too: a changed test can break it.
    const ExerciseStatus status = StatusOf(lab, *exercise, state);
    if (!configured && (status == ExerciseStatus::kInProgress || status == ExerciseStatus::kPassed)) {
      if (Status status = EnsureConfigured(layout, kDefaultPreset); !status.ok()) {
        std::printf("%s\n", status.message().c_str());
        return false;
      }
      configured = true;
    }

    const std::string result = CheckExercise(layout, lab, *exercise, state);
    if (result == "interrupted") break;
    state.For(exercise->name).last_result = result;
    if (result == "passed") ++passed;
    if (result == "not started") ++not_started;
    if (result != "passed" && next == nullptr) next = exercise;
  }
  if (Status saved = state.Save(); !saved.ok()) {
    std::printf("warning: progress not saved: %s\n", saved.message().c_str());
  }
  if (Interrupted()) return false;

  // Summarize and point at the next step.
  std::printf("\n%d of %zu passed", passed, exercises.size());
  if (not_started > 0) std::printf(", %d not started", not_started);
  std::printf(".\n");
  if (next != nullptr) {
    const std::string file = layout.Relative(lab.LearnerFile(*next));
    if (watching) {
      std::printf("Next: edit %s. Saving it checks it again.\n", file.c_str());
    } else {
      std::printf("Next: edit %s, then run ./labkit check %s %s\n", file.c_str(), lab.name.c_str(),
                  next->name.c_str());
    }
  } else {
    PrintAfterPass(layout, lab, exercises, state);
  }
  return passed == static_cast<int>(exercises.size());
}

// Snapshot maps each file under labs/<lab>/ (except .starter/) to its
// modification time and size.
using Snapshot = std::map<fs::path, std::pair<fs::file_time_type, uintmax_t>>;

Snapshot TakeSnapshot(const Lab& lab) {
  Snapshot snapshot;
  std::error_code error;
  fs::recursive_directory_iterator it(lab.dir, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_directory(error) && it->path().filename() == ".starter") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(error)) continue;
    snapshot[it->path()] = {it->last_write_time(error), it->file_size(error)};
  }
  return snapshot;
}

// ChangedExercises returns the selected exercises whose file changed, or
// every selected one when a file of no exercise (the manifest, a hint)
// changed. A change to an exercise outside the selection is ignored.
std::vector<const Exercise*> ChangedExercises(const Lab& lab, const Snapshot& before,
                                              const Snapshot& after,
                                              const std::vector<const Exercise*>& selected) {
  std::vector<fs::path> changed;
  for (const auto& [path, stamp] : after) {
    auto it = before.find(path);
    if (it == before.end() || it->second != stamp) changed.push_back(path);
  }
  for (const auto& [path, stamp] : before) {
    if (after.count(path) == 0) changed.push_back(path);
  }

  std::vector<const Exercise*> exercises;
  for (const fs::path& path : changed) {
    const Exercise* owner = nullptr;
    for (const Exercise& exercise : lab.exercises) {
      if (lab.LearnerFile(exercise) == path) owner = &exercise;
    }
    if (owner == nullptr) return selected;
    const bool is_selected = std::find(selected.begin(), selected.end(), owner) != selected.end();
    const bool is_listed = std::find(exercises.begin(), exercises.end(), owner) != exercises.end();
    if (is_selected && !is_listed) exercises.push_back(owner);
  }
  return exercises;
}

int Watch(const Layout& layout, const Lab& lab, const std::vector<const Exercise*>& selected) {
  std::vector<const Exercise*> to_check = selected;
  while (true) {
    CheckOnce(layout, lab, to_check, /*watching=*/true);
    if (Interrupted()) break;
    std::printf("\nWatching %s/ for changes (Ctrl-C stops) ...\n",
                layout.Relative(lab.dir).c_str());
    std::fflush(stdout);

    // Poll every 300 ms, and wait a moment after a change so a save completes.
    Snapshot before = TakeSnapshot(lab);
    to_check.clear();
    while (!Interrupted() && to_check.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      Snapshot after = TakeSnapshot(lab);
      if (after == before) continue;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      after = TakeSnapshot(lab);
      to_check = ChangedExercises(lab, before, after, selected);
      before = std::move(after);
    }
    if (Interrupted()) break;
    std::printf("\n");
  }
  std::printf("\nStopped watching.\n");
  return kExitInterrupted;
}

}  // namespace

int RunCheck(const Layout& layout, const CheckOptions& options) {
  StatusOr<Lab> lab = LoadLab(layout, options.lab);
  if (!lab.ok()) {
    std::fprintf(stderr, "error: %s\n", lab.status().message().c_str());
    return kExitUsage;
  }
  StatusOr<std::vector<const Exercise*>> selected = SelectExercises(lab.value(), options.exercise);
  if (!selected.ok()) {
    std::fprintf(stderr, "error: %s\n", selected.status().message().c_str());
    return kExitUsage;
  }

  if (options.watch) return Watch(layout, lab.value(), selected.value());
  const bool all_passed = CheckOnce(layout, lab.value(), selected.value(), /*watching=*/false);
  if (Interrupted()) return kExitInterrupted;
  return all_passed ? kExitOk : kExitFailed;
}

}  // namespace labkit::cli
