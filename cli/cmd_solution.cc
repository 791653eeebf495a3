// `labkit solution LAB EXERCISE`: show the reference as a diff against the
// learner's file.

#include <cstdio>

#include "commands.h"
#include "manifest.h"
#include "process.h"
#include "state.h"
#include "terminal.h"

namespace labkit::cli {

namespace {

std::string PaintDiffLine(std::string_view line) {
  if (line.rfind("+++", 0) == 0 || line.rfind("---", 0) == 0) return Paint(Color::kBold, line);
  if (!line.empty() && line[0] == '+') return Paint(Color::kGreen, line);
  if (!line.empty() && line[0] == '-') return Paint(Color::kRed, line);
  if (line.rfind("@@", 0) == 0) return Paint(Color::kDim, line);
  return std::string(line);
}

}  // namespace

int RunSolution(const Layout& layout, const std::string& lab_name, const std::string& exercise_name) {
  StatusOr<Lab> lab = LoadLab(layout, lab_name);
  if (!lab.ok()) {
    std::fprintf(stderr, "error: %s\n", lab.status().message().c_str());
    return kExitUsage;
  }
  StatusOr<std::vector<const Exercise*>> selected = SelectExercises(lab.value(), exercise_name);
  if (!selected.ok()) {
    std::fprintf(stderr, "error: %s\n", selected.status().message().c_str());
    return kExitUsage;
  }
  const Exercise& exercise = *selected.value()[0];
  const fs::path learner = lab->LearnerFile(exercise);
  const fs::path reference = layout.root / exercise.reference;

  std::printf("Your file:  %s\n", layout.Relative(learner).c_str());
  std::printf("Reference:  %s\n", layout.Relative(reference).c_str());
  // Push the hints only before the learner's code passed.
  LabState state = LabState::Load(layout, lab->name);
  if (StatusOf(lab.value(), exercise, state) == ExerciseStatus::kPassed) {
    std::printf("Your file passed its last check. The diff shows how the reference does it.\n\n");
  } else {
    std::printf("Reading the reference teaches most after your own attempt; try ./labkit hint %s %s first.\n\n",
                lab->name.c_str(), exercise.name.c_str());
  }

  // diff exits 0 (same), 1 (different) or 2 (trouble, such as a missing file).
  ProcessOptions diff;
  diff.argv = {"diff", "-u", "--label", layout.Relative(learner) + " (yours)",
               "--label", layout.Relative(reference) + " (reference)",
               learner.string(), reference.string()};
  diff.on_line = [](std::string_view line) { std::printf("%s\n", PaintDiffLine(line).c_str()); };
  diff.timeout = std::chrono::seconds(30);
  const ProcessResult result = RunProcess(diff);
  if (result.outcome == ProcessResult::Outcome::kExited && result.exit_code == 0) {
    std::printf("Your file is identical to the reference.\n");
    return kExitOk;
  }
  if (result.outcome == ProcessResult::Outcome::kExited && result.exit_code == 1) return kExitOk;
  std::fprintf(stderr, "error: diff %s\n", result.Describe(diff.timeout).c_str());
  return kExitFailed;
}

}  // namespace labkit::cli
