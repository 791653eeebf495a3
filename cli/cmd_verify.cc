// `labkit verify [LAB] [--json]`: prove that each exercise's tests are
// sound. The untouched starter must fail, the reference must pass, and each
// mutant (the reference with one planted fault) must fail.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include <boost/json.hpp>

#include "build_step.h"
#include "commands.h"
#include "manifest.h"
#include "process.h"
#include "terminal.h"
#include "test_run.h"

namespace labkit::cli {

namespace json = boost::json;

namespace {

// One test executable to run, and what came of it.
struct Job {
  std::string target;
  std::string outcome;  // "fails", "passes", "build error", "timed out", ...
};

struct MutantResult {
  const Mutant* mutant = nullptr;
  std::string outcome;
  bool caught = false;
};

struct ExerciseResult {
  std::string lab;
  const Exercise* exercise = nullptr;
  std::string starter;
  std::string reference;
  std::vector<MutantResult> mutants;

  int MutantsCaught() const {
    return static_cast<int>(std::count_if(mutants.begin(), mutants.end(),
                                          [](const MutantResult& m) { return m.caught; }));
  }
  bool Ok() const {
    return starter == "fails" && reference == "passes" &&
           MutantsCaught() == static_cast<int>(mutants.size());
  }
  // Gaps lists what is wrong in plain words, or returns "" when Ok().
  std::string Gaps() const {
    std::string gaps;
    auto add = [&](const std::string& gap) { gaps += (gaps.empty() ? "" : "; ") + gap; };
    if (starter != "fails") add("starter " + starter + " (it must fail)");
    if (reference != "passes") add("reference " + reference + " (it must pass)");
    for (const MutantResult& m : mutants) {
      if (!m.caught) add("mutant " + m.mutant->name + " " + m.outcome + " (it must fail)");
    }
    return gaps;
  }
};

std::string OutcomeWord(TestRun::Verdict verdict) {
  switch (verdict) {
    case TestRun::Verdict::kPassed: return "passes";
    case TestRun::Verdict::kFailed: return "fails";
    case TestRun::Verdict::kNoTests: return "runs no tests";
    case TestRun::Verdict::kTimedOut: return "timed out";
    case TestRun::Verdict::kCrashed: return "crashed";
    case TestRun::Verdict::kInterrupted: return "interrupted";
    case TestRun::Verdict::kNotStarted: return "not run";
  }
  return "unknown";
}

// A mutant is caught when its tests do not pass. A crash or a hang counts.
bool IsCaught(const std::string& outcome) {
  return outcome == "fails" || outcome == "crashed" || outcome == "timed out";
}

// RunJobs runs the built executables two at a time, as the suite runs
// ctest -j2.
void RunJobs(const Layout& layout, const std::string& lab, std::vector<Job>& jobs) {
  std::vector<Job*> pending;
  for (Job& job : jobs) {
    if (job.outcome.empty()) pending.push_back(&job);
  }
  std::atomic<size_t> next{0};
  std::atomic<int> done{0};
  const fs::path dir = layout.LogsDir() / "verify" / lab;

  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < pending.size();) {
      Job& job = *pending[i];
      if (Interrupted()) {
        job.outcome = "interrupted";
      } else {
        const fs::path executable = layout.PresetDir(kDefaultPreset) / "exercises" / job.target;
        const TestRun run = RunTests(layout, executable, dir / (job.target + ".json"),
                                     dir / (job.target + ".log"), kTestTimeout);
        job.outcome = OutcomeWord(run.verdict);
      }
      done.fetch_add(1);
    }
  };

  Progress progress("running " + lab + "'s starters, references and mutants");
  std::thread first(worker);
  std::thread second(worker);
  while (done.load() < static_cast<int>(pending.size())) {
    progress.Update(done.load(), static_cast<int>(pending.size()), "");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  first.join();
  second.join();
  progress.Finish();
}

// VerifyLab builds every starter, reference and mutant of one lab, runs them
// and returns one result per exercise.
std::vector<ExerciseResult> VerifyLab(const Layout& layout, const Lab& lab) {
  // Build everything that builds, so one failing mutant hides nothing else.
  StepResult build = BuildTargets(layout, kDefaultPreset, {"verify_" + lab.name},
                                  "verify-" + lab.name + "-build",
                                  "building " + lab.name + "'s starters, references and mutants",
                                  /*keep_going=*/true);
  if (!build.ok() && !Interrupted()) {
    PrintStepFailure(layout, "building verify_" + lab.name + " failed for some targets", build);
  }

  // List every executable, then ask ninja which ones failed to build.
  std::vector<Job> jobs;
  for (const Exercise& exercise : lab.exercises) {
    const std::string prefix = lab.TargetPrefix(exercise);
    jobs.push_back({prefix + "_starter", ""});
    jobs.push_back({prefix + "_reference", ""});
    for (const Mutant& mutant : exercise.mutants) jobs.push_back({prefix + "_mutant_" + mutant.name, ""});
  }
  std::vector<std::string> targets;
  for (const Job& job : jobs) targets.push_back(job.target);
  const std::set<std::string> failed = FailedTargets(layout, kDefaultPreset, targets, build);
  for (Job& job : jobs) {
    if (failed.count(job.target) != 0) job.outcome = "build error";
  }

  RunJobs(layout, lab.name, jobs);

  // Gather the jobs back per exercise, in manifest order.
  std::vector<ExerciseResult> results;
  size_t index = 0;
  for (const Exercise& exercise : lab.exercises) {
    ExerciseResult result;
    result.lab = lab.name;
    result.exercise = &exercise;
    result.starter = jobs[index++].outcome;
    result.reference = jobs[index++].outcome;
    for (const Mutant& mutant : exercise.mutants) {
      const std::string& outcome = jobs[index++].outcome;
      result.mutants.push_back({&mutant, outcome, IsCaught(outcome)});
    }
    results.push_back(std::move(result));
  }
  return results;
}

void PrintTable(const Layout& layout, const std::vector<ExerciseResult>& results) {
  std::printf("%-14s %-20s %-14s %-14s %-8s %s\n", "lab", "exercise", "starter", "reference",
              "mutants", "verdict");
  for (const ExerciseResult& r : results) {
    const std::string mutants =
        std::to_string(r.MutantsCaught()) + "/" + std::to_string(r.mutants.size());
    const std::string verdict = r.Ok() ? Paint(Color::kGreen, "ok") : Paint(Color::kRed, "GAP");
    std::printf("%-14s %-20s %-14s %-14s %-8s %s\n", r.lab.c_str(), r.exercise->name.c_str(),
                r.starter.c_str(), r.reference.c_str(), mutants.c_str(), verdict.c_str());
  }

  // Explain each gap under the table, with the faults the tests missed.
  bool any_gap = false;
  for (const ExerciseResult& r : results) {
    if (r.Ok()) continue;
    if (!any_gap) std::printf("\nGaps:\n");
    any_gap = true;
    std::printf("  %s/%s: %s\n", r.lab.c_str(), r.exercise->name.c_str(), r.Gaps().c_str());
    for (const MutantResult& m : r.mutants) {
      if (!m.caught && !m.mutant->description.empty()) {
        std::printf("    mutant %s: %s\n", m.mutant->name.c_str(), m.mutant->description.c_str());
      }
    }
  }
  std::printf("\nLogs and test reports: %s/\n", layout.Relative(layout.LogsDir() / "verify").c_str());
}

json::array ToJson(const std::vector<ExerciseResult>& results) {
  json::array array;
  for (const ExerciseResult& r : results) {
    json::array mutants;
    for (const MutantResult& m : r.mutants) {
      mutants.push_back(json::object{{"name", m.mutant->name},
                                     {"description", m.mutant->description},
                                     {"outcome", m.outcome},
                                     {"caught", m.caught}});
    }
    array.push_back(json::object{{"lab", r.lab},
                                 {"exercise", r.exercise->name},
                                 {"starter", r.starter},
                                 {"reference", r.reference},
                                 {"mutants_caught", r.MutantsCaught()},
                                 {"mutants_total", r.mutants.size()},
                                 {"mutants", std::move(mutants)},
                                 {"ok", r.Ok()}});
  }
  return array;
}

// CollectResults verifies the selected labs. It prints the error and
// returns false when a lab cannot be loaded or configured.
bool CollectResults(const Layout& layout, const VerifyOptions& options,
                    std::vector<ExerciseResult>* results, std::vector<Lab>* labs) {
  StatusOr<std::vector<Lab>> loaded = LoadLabs(layout, options.lab);
  if (!loaded.ok()) {
    std::fprintf(stderr, "error: %s\n", loaded.status().message().c_str());
    return false;
  }
  *labs = std::move(loaded.value());
  if (Status status = EnsureConfigured(layout, kDefaultPreset); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    return false;
  }
  for (const Lab& lab : *labs) {
    std::vector<ExerciseResult> lab_results = VerifyLab(layout, lab);
    results->insert(results->end(), lab_results.begin(), lab_results.end());
  }
  return true;
}

}  // namespace

VerifyTotals VerifyLabs(const Layout& layout, const VerifyOptions& options) {
  VerifyTotals totals;
  std::vector<Lab> labs;  // owns the exercises the results point to
  std::vector<ExerciseResult> results;
  if (!CollectResults(layout, options, &results, &labs)) {
    totals.failed = 1;
    return totals;
  }
  PrintTable(layout, results);

  // One count per expectation: starter fails, reference passes, mutant caught.
  for (const ExerciseResult& r : results) {
    (r.starter == "fails" ? totals.passed : totals.failed) += 1;
    (r.reference == "passes" ? totals.passed : totals.failed) += 1;
    totals.passed += r.MutantsCaught();
    totals.failed += static_cast<int>(r.mutants.size()) - r.MutantsCaught();
  }
  totals.interrupted = Interrupted();
  return totals;
}

int RunVerify(const Layout& layout, const VerifyOptions& options) {
  // An unknown lab is a usage error, as in every other verb.
  if (StatusOr<std::vector<Lab>> labs = LoadLabs(layout, options.lab); !labs.ok()) {
    std::fprintf(stderr, "error: %s\n", labs.status().message().c_str());
    return kExitUsage;
  }

  if (!options.json) {
    const VerifyTotals totals = VerifyLabs(layout, options);
    if (totals.interrupted) return kExitInterrupted;
    return totals.failed == 0 ? kExitOk : kExitFailed;
  }

  // The JSON goes to stdout, and progress and errors go to stderr.
  SendHumanOutputToStderr();
  std::vector<Lab> labs;
  std::vector<ExerciseResult> results;
  if (!CollectResults(layout, options, &results, &labs)) return kExitFailed;
  std::printf("%s\n", json::serialize(ToJson(results)).c_str());
  if (Interrupted()) return kExitInterrupted;
  const bool ok = std::all_of(results.begin(), results.end(),
                              [](const ExerciseResult& r) { return r.Ok(); });
  return ok ? kExitOk : kExitFailed;
}

}  // namespace labkit::cli
