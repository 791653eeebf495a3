// `labkit bench LAB [--peers] [--json]`: time the learner's code against the
// reference with Google Benchmark, in the release build.
//
// For an exercise with a "bench" key in lab.json, the targets
// bench_<lab>_<exercise>_learner and bench_<lab>_<exercise>_reference run the
// same benchmarks (same names) against the two implementations. The target
// bench_<lab> times the reference as a whole. bench/<lab>/peers (--peers)
// compares the kit with other implementations and prints a JSON array.

#include <algorithm>
#include <cstdio>
#include <map>
#include <system_error>

#include <boost/json.hpp>

#include "bench_report.h"
#include "build_step.h"
#include "commands.h"
#include "files.h"
#include "manifest.h"
#include "process.h"
#include "state.h"
#include "terminal.h"

namespace labkit::cli {

namespace json = boost::json;

namespace {

constexpr const char* kPreset = "release";
// All benchmark runs share this budget through --benchmark_min_time, so a
// bench takes about a minute. That is an estimate: the clamp on min_time and
// each benchmark's own setup move it.
constexpr double kBudgetSeconds = 50.0;
constexpr std::chrono::minutes kExecutableTimeout{5};
constexpr int kRounds = 2;

// CountBenchmarks counts the names `--benchmark_list_tests` prints, or
// returns -1 when the executable fails.
int CountBenchmarks(const fs::path& executable) {
  int count = 0;
  ProcessOptions process;
  process.argv = {executable.string(), "--benchmark_list_tests=true"};
  process.timeout = std::chrono::seconds(30);
  process.on_line = [&](std::string_view line) {
    if (!line.empty()) ++count;
  };
  return RunProcess(process).ok() ? count : -1;
}

// RunBenchmarks runs one executable and reads its JSON report.
StatusOr<Timings> RunBenchmarks(const Layout& layout, const fs::path& executable,
                                const std::string& target, double min_time) {
  const fs::path report = layout.LogsDir() / "bench" / (target + ".json");
  std::error_code error;
  fs::create_directories(report.parent_path(), error);
  fs::remove(report, error);

  StepOptions step;
  step.log_name = "bench/" + target;
  step.label = "running " + target;
  step.argv = {executable.string(), "--benchmark_out_format=json",
               "--benchmark_out=" + report.string(),
               "--benchmark_min_time=" + std::to_string(min_time)};
  step.timeout = kExecutableTimeout;
  StepResult result = RunStep(layout, step);
  if (!result.ok()) {
    return Status::Error(target + " " + result.process.Describe(kExecutableTimeout) +
                         "; see " + layout.Relative(result.log_path));
  }

  StatusOr<std::string> text = ReadFile(report);
  if (!text.ok()) return text.status();
  StatusOr<Timings> timings = ParseBenchmarkReport(text.value());
  if (!timings.ok()) {
    return Status::Error(layout.Relative(report) + ": " + timings.status().message());
  }
  return timings;
}

std::string JsonCell(const json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_bool()) return value.as_bool() ? "yes" : "no";
  if (value.is_null()) return "-";
  if (value.is_number()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", value.to_number<double>());
    return text;
  }
  return json::serialize(value);
}

// RunPeers runs bench/<lab>/peers and returns its JSON array.
StatusOr<json::value> RunPeers(const Layout& layout, const Lab& lab) {
  const fs::path script = layout.root / "bench" / lab.name / "peers";
  std::error_code error;
  if (!fs::is_regular_file(script, error)) {
    return Status::Error("no peer benchmarks defined for " + lab.name + ": " +
                         layout.Relative(script) + " does not exist");
  }
  std::string output;
  ProcessOptions process;
  process.argv = {script.string()};
  process.working_dir = layout.root;
  process.inherit_stderr = true;
  process.timeout = std::chrono::minutes(15);
  process.extra_env = {{"LABKIT_ROOT", layout.root.string()}};
  process.on_line = [&](std::string_view line) { output.append(line).append("\n"); };
  Progress progress("running " + layout.Relative(script));
  process.on_tick = [&] { progress.Tick(); };
  const ProcessResult result = RunProcess(process);
  progress.Finish();
  if (!result.ok()) {
    return Status::Error(layout.Relative(script) + " " + result.Describe(process.timeout));
  }
  std::error_code parse_error;
  json::value document = json::parse(output, parse_error);
  if (parse_error || !document.is_array()) {
    return Status::Error(layout.Relative(script) + " did not print a JSON array");
  }
  return document;
}

void PrintPeers(const json::value& peers) {
  static const char* kColumns[] = {"name", "kit", "peer", "unit", "ratio", "target", "met", "note"};
  std::printf("%-28s %-12s %-12s %-12s %-7s %-8s %-4s %s\n", "name", "kit", "peer", "unit",
              "ratio", "target", "met", "note");
  for (const json::value& row : peers.as_array()) {
    if (!row.is_object()) continue;
    std::vector<std::string> cells;
    for (const char* column : kColumns) {
      const json::value* cell = row.as_object().if_contains(column);
      cells.push_back(cell == nullptr ? "-" : JsonCell(*cell));
    }
    std::printf("%-28s %-12s %-12s %-12s %-7s %-8s %-4s %s\n", cells[0].c_str(), cells[1].c_str(),
                cells[2].c_str(), cells[3].c_str(), cells[4].c_str(), cells[5].c_str(),
                cells[6].c_str(), cells[7].c_str());
  }
}

int RunPeersOnly(const Layout& layout, const Lab& lab, bool as_json) {
  StatusOr<json::value> peers = RunPeers(layout, lab);
  if (!peers.ok()) {
    std::fprintf(HumanOutput(), "%s\n", peers.status().message().c_str());
    if (as_json) std::printf("%s\n", json::serialize(json::object{{"lab", lab.name}, {"peers", json::array()}}).c_str());
    return kExitOk;
  }
  if (as_json) {
    std::printf("%s\n", json::serialize(json::object{{"lab", lab.name}, {"peers", peers.value()}}).c_str());
  } else {
    PrintPeers(peers.value());
  }
  return kExitOk;
}

struct ExercisePlan {
  const Exercise* exercise;
  // "no benchmark", "not started", "build error", "failed", "ran", "missing"
  std::string status;
  std::string learner_target;
  std::string reference_target;
  Timings learner;
  Timings reference;
};

void PrintJsonReport(const Lab& lab, const std::vector<ExercisePlan>& plans,
                     const Timings& lab_timings, double min_time) {
  json::array exercises;
  for (const ExercisePlan& plan : plans) {
    json::array rows;
    for (const auto& [name, reference] : plan.reference) {
      json::object row{{"name", name}, {"unit", UnitName(reference.per_item)},
                       {"reference_ns", reference.nanos}};
      if (auto it = plan.learner.find(name); it != plan.learner.end()) {
        const double ratio = it->second.nanos / reference.nanos;
        row["learner_ns"] = it->second.nanos;
        row["ratio"] = ratio;
        row["word"] = RatioWord(ratio);
      }
      rows.push_back(std::move(row));
    }
    exercises.push_back(json::object{{"exercise", plan.exercise->name},
                                     {"status", plan.status},
                                     {"benchmarks", std::move(rows)}});
  }
  json::array lab_rows;
  for (const auto& [name, timing] : lab_timings) {
    lab_rows.push_back(
        json::object{{"name", name}, {"unit", UnitName(timing.per_item)}, {"ns", timing.nanos}});
  }
  std::printf("%s\n", json::serialize(json::object{{"lab", lab.name},
                                                   {"min_time_s", min_time},
                                                   {"rounds", kRounds},
                                                   {"exercises", std::move(exercises)},
                                                   {"lab_benchmarks", std::move(lab_rows)}})
                          .c_str());
}

// PrintExerciseTable prints learner against reference, one row per
// benchmark, grouped by unit with the unit in each group's header. Each
// exercise that did not run follows with one row giving its status.
void PrintExerciseTable(const std::vector<ExercisePlan>& plans) {
  size_t width = 9;  // "benchmark"
  for (const ExercisePlan& plan : plans) {
    for (const auto& [name, timing] : plan.reference) width = std::max(width, name.size());
  }
  const int name_width = static_cast<int>(width);

  // The timed rows: per operation first, then per item.
  bool any_table = false;
  for (const bool per_item : {false, true}) {
    bool header_printed = false;
    for (const ExercisePlan& plan : plans) {
      if (plan.status != "ran") continue;
      for (const auto& [name, reference] : plan.reference) {
        if (reference.per_item != per_item) continue;
        if (!header_printed) {
          const std::string unit = UnitName(per_item);
          if (any_table) std::printf("\n");
          if (per_item) std::printf("Time per item, 1e9 / items_per_second:\n");
          std::printf("%-18s %-*s %17s %19s  %s\n", "exercise", name_width, "benchmark",
                      ("learner " + unit).c_str(), ("reference " + unit).c_str(), "ratio");
          header_printed = true;
          any_table = true;
        }
        auto it = plan.learner.find(name);
        std::string learner_text = "-";
        std::string ratio_text = "(no learner result)";
        if (it != plan.learner.end()) {
          const double ratio = it->second.nanos / reference.nanos;
          char text[48];
          std::snprintf(text, sizeof text, "%.2f (%s)", ratio, RatioWord(ratio));
          learner_text = FormatNanos(it->second.nanos);
          ratio_text = text;
        }
        std::printf("%-18s %-*s %17s %19s  %s\n", plan.exercise->name.c_str(), name_width,
                    name.c_str(), learner_text.c_str(), FormatNanos(reference.nanos).c_str(),
                    ratio_text.c_str());
      }
    }
  }

  // The exercises without timings: not started, no benchmark, build error.
  bool status_header_printed = any_table;
  for (const ExercisePlan& plan : plans) {
    if (plan.status == "ran") continue;
    if (!status_header_printed) {
      std::printf("%-18s %s\n", "exercise", "status");
      status_header_printed = true;
    }
    std::printf("%-18s %s\n", plan.exercise->name.c_str(), plan.status.c_str());
  }
}

// PrintLabTable prints the lab-wide reference benchmarks: per-operation
// times first, then throughput benchmarks per item with their rate.
void PrintLabTable(const Timings& timings) {
  size_t width = 22;  // "benchmark (throughput)"
  for (const auto& [name, timing] : timings) width = std::max(width, name.size());
  const int name_width = static_cast<int>(width);

  for (const bool per_item : {false, true}) {
    bool header_printed = false;
    for (const auto& [name, timing] : timings) {
      if (timing.per_item != per_item) continue;
      if (!header_printed) {
        if (per_item) {
          std::printf("  %-*s %12s %12s\n", name_width, "benchmark (throughput)", "ns/item",
                      "items/s");
        } else {
          std::printf("  %-*s %12s\n", name_width, "benchmark", "ns/op");
        }
        header_printed = true;
      }
      if (per_item) {
        std::printf("  %-*s %12s %12s\n", name_width, name.c_str(), FormatNanos(timing.nanos).c_str(),
                    FormatRate(1e9 / timing.nanos).c_str());
      } else {
        std::printf("  %-*s %12s\n", name_width, name.c_str(), FormatNanos(timing.nanos).c_str());
      }
    }
  }
}

// PrintUncheckedWarning warns, in one line, about each exercise about to be
// timed whose code has not passed its tests.
void PrintUncheckedWarning(const Lab& lab,
                           const std::vector<ExercisePlan>& plans, LabState& state) {
  std::vector<std::pair<std::string, std::string>> unchecked;
  for (const ExercisePlan& plan : plans) {
    if (plan.learner_target.empty()) continue;  // not timed
    const ExerciseStatus status = StatusOf(lab, *plan.exercise, state);
    const std::string note = ProgressNote(status, state.For(plan.exercise->name).last_result);
    if (!note.empty()) unchecked.emplace_back(plan.exercise->name, note);
  }
  const std::string warning = UncheckedCodeWarning(lab.name, unchecked);
  if (!warning.empty()) std::fprintf(HumanOutput(), "%s\n", warning.c_str());
}

}  // namespace

int RunBench(const Layout& layout, const BenchOptions& options) {
  if (options.json) SendHumanOutputToStderr();
  FILE* out = HumanOutput();
  StatusOr<Lab> lab = LoadLab(layout, options.lab);
  if (!lab.ok()) {
    std::fprintf(stderr, "error: %s\n", lab.status().message().c_str());
    return kExitUsage;
  }
  if (options.peers) return RunPeersOnly(layout, lab.value(), options.json);

  // Find which benchmark targets exist in the release build.
  if (Status status = EnsureConfigured(layout, kPreset); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    return kExitFailed;
  }
  StatusOr<std::set<std::string>> known = ListTargets(layout, kPreset);
  if (!known.ok()) {
    std::fprintf(stderr, "error: %s\n", known.status().message().c_str());
    return kExitFailed;
  }
  LabState state = LabState::Load(layout, lab->name);
  std::vector<ExercisePlan> plans;
  std::vector<std::string> targets;
  for (const Exercise& exercise : lab->exercises) {
    const std::string stem = "bench_" + lab->name + "_" + exercise.name;
    ExercisePlan plan{&exercise, "", stem + "_learner", stem + "_reference", {}, {}};
    if (!exercise.has_bench || known->count(plan.reference_target) == 0) {
      plan.status = "no benchmark";
      plan.learner_target.clear();
    } else if (StatusOf(lab.value(), exercise, state) == ExerciseStatus::kNotStarted) {
      plan.status = "not started";
      plan.learner_target.clear();
    } else if (known->count(plan.learner_target) == 0) {
      plan.status = "missing";
      plan.learner_target.clear();
    }
    // A learner who has not started gets no run at all, not even the reference.
    if (!plan.learner_target.empty()) {
      targets.push_back(plan.learner_target);
      targets.push_back(plan.reference_target);
    }
    plans.push_back(std::move(plan));
  }
  PrintUncheckedWarning(lab.value(), plans, state);
  const std::string lab_target = "bench_" + lab->name;
  const bool has_lab_bench = known->count(lab_target) != 0;
  if (has_lab_bench) targets.push_back(lab_target);
  if (targets.empty()) {
    std::fprintf(out, "No benchmarks defined for %s yet: no exercise has a \"bench\" key with "
                      "built targets bench_%s_<exercise>_reference, and there is no target %s.\n",
                 lab->name.c_str(), lab->name.c_str(), lab_target.c_str());
    if (options.json) std::printf("%s\n", json::serialize(json::object{{"lab", lab->name}, {"exercises", json::array()}}).c_str());
    return kExitOk;
  }

  // Build them optimized, so that one learner build error stops nothing else.
  StepResult build = BuildTargets(layout, kPreset, targets, "bench-" + lab->name + "-build",
                                  "building " + lab->name + "'s benchmarks (release)", true);
  if (Interrupted()) return kExitInterrupted;
  if (!build.ok()) PrintStepFailure(layout, "building some benchmarks failed", build);
  const std::set<std::string> failed = FailedTargets(layout, kPreset, targets, build);
  auto built = [&](const std::string& target) { return failed.count(target) == 0; };

  // Share the time budget across every benchmark: about a minute in all.
  std::map<std::string, fs::path> executables;
  int benchmark_count = 0;
  for (const std::string& target : targets) {
    if (!built(target)) continue;
    StatusOr<fs::path> path = FindBuiltExecutable(layout, kPreset, target);
    if (!path.ok()) continue;
    executables[target] = path.value();
    benchmark_count += std::max(0, CountBenchmarks(path.value()));
  }
  // Two rounds each, so min_time is half the per-benchmark share.
  const double min_time =
      std::clamp(kBudgetSeconds / kRounds / std::max(1, benchmark_count), 0.01, 0.25);

  // Run learner and reference per exercise, then the lab-wide benchmark.
  bool any_failure = !build.ok();
  auto run = [&](const std::string& target, Timings* timings) -> bool {
    if (executables.count(target) == 0) return false;
    StatusOr<Timings> result = RunBenchmarks(layout, executables[target], target, min_time);
    if (!result.ok()) {
      std::fprintf(out, "error: %s\n", result.status().message().c_str());
      return false;
    }
    KeepFastest(result.value(), timings);
    return true;
  };
  for (ExercisePlan& plan : plans) {
    if (Interrupted()) return kExitInterrupted;
    if (!plan.status.empty()) continue;
    // Alternate the order between rounds so that neither side always runs
    // first.
    bool learner_ok = true;
    bool reference_ok = true;
    for (int round = 0; round < kRounds; ++round) {
      if (round % 2 == 0) {
        learner_ok = run(plan.learner_target, &plan.learner) && learner_ok;
        reference_ok = run(plan.reference_target, &plan.reference) && reference_ok;
      } else {
        reference_ok = run(plan.reference_target, &plan.reference) && reference_ok;
        learner_ok = run(plan.learner_target, &plan.learner) && learner_ok;
      }
    }
    plan.status = learner_ok && reference_ok ? "ran" : built(plan.learner_target) ? "failed" : "build error";
    any_failure = any_failure || plan.status != "ran";
  }
  Timings lab_timings;
  for (int round = 0; has_lab_bench && round < kRounds; ++round) {
    if (!run(lab_target, &lab_timings)) any_failure = true;
  }
  if (Interrupted()) return kExitInterrupted;

  // Report as JSON or as a table.
  if (options.json) {
    PrintJsonReport(lab.value(), plans, lab_timings, min_time);
    return any_failure ? kExitFailed : kExitOk;
  }
  std::printf("%s benchmarks (release build, best of %d rounds of --benchmark_min_time=%.3f s)\n",
              lab->name.c_str(), kRounds, min_time);
  PrintExerciseTable(plans);
  if (!lab_timings.empty()) {
    std::printf("\nReference benchmarks (%s):\n", lab_target.c_str());
    PrintLabTable(lab_timings);
  }
  std::printf("\nReports: %s/  Ratio = learner / reference, \"same\" within +-%.0f%%; machines are noisy, so compare within one run.\n",
              layout.Relative(layout.LogsDir() / "bench").c_str(), kSameSpeedTolerance * 100);
  return any_failure ? kExitFailed : kExitOk;
}

}  // namespace labkit::cli
