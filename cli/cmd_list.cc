// `labkit list`: every lab and exercise with the learner's status.

#include <cstdio>

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

}  // namespace

int RunList(const Layout& layout) {
  StatusOr<std::vector<Lab>> labs = LoadLabs(layout, "");
  if (!labs.ok()) {
    std::fprintf(stderr, "error: %s\n", labs.status().message().c_str());
    return kExitFailed;
  }

  std::string next_command;
  for (const Lab& lab : labs.value()) {
    LabState state = LabState::Load(layout, lab.name);
    std::printf("%s\n", Paint(Color::kBold, lab.name + "  " + lab.title).c_str());
    for (const Exercise& exercise : lab.exercises) {
      const ExerciseStatus status = StatusOf(lab, exercise, state);
      std::string text = StatusName(status);
      if (status == ExerciseStatus::kInProgress) {
        const std::string& last = state.For(exercise.name).last_result;
        if (last.empty() || last == "not started") {
          text += " (not checked yet)";
        } else if (last == "passed") {
          text += " (edited since it passed)";
        } else {
          text += " (last check: " + last + ")";
        }
      }
      std::printf("  %-20s %-40s %s\n", exercise.name.c_str(), exercise.title.c_str(),
                  PaintStatus(status, text).c_str());
      if (status != ExerciseStatus::kPassed && next_command.empty()) {
        next_command = "edit " + layout.Relative(lab.LearnerFile(exercise)) +
                       ", then run ./labkit check " + lab.name + " " + exercise.name;
      }
    }
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
