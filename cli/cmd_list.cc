// `labkit list`: every lab and exercise with the learner's status.

#include <algorithm>
#include <cstdio>

#include "build_step.h"
#include "commands.h"
#include "manifest.h"
#include "state.h"
#include "terminal.h"

namespace labkit::cli {

namespace {

std::string PaintStatus(ExerciseStatus status, const std::string& text) {
  switch (status) {
    case ExerciseStatus::kPassed: return Paint(Color::kGreen, text);
    case ExerciseStatus::kInProgress: return Paint(Color::kYellow, text);
    case ExerciseStatus::kMissing: return Paint(Color::kRed, text);
    case ExerciseStatus::kNotStarted: return text;
  }
  return text;
}

// PrintPrograms lists the programs `labkit demo` builds for a lab, and
// where each one is once built.
void PrintPrograms(const Layout& layout, const Lab& lab) {
  if (lab.demo_target.empty()) return;
  std::printf("  Programs (./labkit demo %s builds them and runs %s):\n", lab.name.c_str(),
              lab.demo_target.c_str());
  std::vector<std::string> targets = {lab.demo_target};
  targets.insert(targets.end(), lab.demo_builds.begin(), lab.demo_builds.end());
  int width = 0;
  for (const std::string& target : targets) width = std::max(width, static_cast<int>(target.size()));
  for (const std::string& target : targets) {
    StatusOr<fs::path> executable = FindBuiltExecutable(layout, kDefaultPreset, target);
    std::printf("    %-*s  %s\n", width, target.c_str(),
                executable.ok() ? layout.Relative(executable.value()).c_str() : "not built yet");
  }
}

// The widths of the name and title columns: the longest of each over
// every lab, so the status column lines up across labs.
struct ColumnWidths {
  int name = 0;
  int title = 0;
};

ColumnWidths MeasureColumns(const std::vector<Lab>& labs) {
  size_t name = 0;
  size_t title = 0;
  for (const Lab& lab : labs) {
    for (const Exercise& exercise : lab.exercises) {
      name = std::max(name, exercise.name.size());
      title = std::max(title, exercise.title.size());
    }
  }
  return {static_cast<int>(name), static_cast<int>(title)};
}

}  // namespace

int RunList(const Layout& layout) {
  StatusOr<std::vector<Lab>> labs = LoadLabs(layout, "");
  if (!labs.ok()) {
    std::fprintf(stderr, "error: %s\n", labs.status().message().c_str());
    return kExitFailed;
  }

  const ColumnWidths widths = MeasureColumns(labs.value());
  std::string next_command;
  for (const Lab& lab : labs.value()) {
    LabState state = LabState::Load(layout, lab.name);
    std::printf("%s\n", Paint(Color::kBold, lab.name + "  " + lab.title).c_str());
    for (const Exercise& exercise : lab.exercises) {
      const ExerciseStatus status = StatusOf(lab, exercise, state);
      std::string text = StatusName(status);
      const std::string note = ProgressNote(status, state.For(exercise.name).last_result);
      if (!note.empty()) text += " (" + note + ")";
      std::printf("  %-*s %-*s %s\n", widths.name, exercise.name.c_str(), widths.title,
                  exercise.title.c_str(), PaintStatus(status, text).c_str());
      if (status != ExerciseStatus::kPassed && next_command.empty()) {
        next_command = "edit " + layout.Relative(lab.LearnerFile(exercise)) +
                       ", then run ./labkit check " + lab.name + " " + exercise.name;
      }
    }
    PrintPrograms(layout, lab);
    std::printf("\n");
  }

  if (next_command.empty()) {
    std::printf("Every exercise passed. Compare with the reference: ./labkit verify, ./labkit bench\n");
  } else {
    std::printf("Next: %s\n", next_command.c_str());
  }
  return kExitOk;
}

}  // namespace labkit::cli
