// `labkit reset LAB [EXERCISE] [--yes]`: put the starter back, keeping a
// backup of what it overwrites.

#include <cstdio>
#include <iostream>
#include <string>
#include <system_error>
#include <unistd.h>

#include "commands.h"
#include "files.h"
#include "manifest.h"
#include "state.h"

namespace labkit::cli {

namespace {

// Confirm prompts "y/N" on the terminal. Any input but y or yes is a no.
bool Confirm(const std::string& question) {
  std::printf("%s [y/N] ", question.c_str());
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES";
}

}  // namespace

int RunReset(const Layout& layout, const ResetOptions& options) {
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

  // Only files that differ from their starter need a reset.
  std::vector<const Exercise*> edited;
  for (const Exercise* exercise : selected.value()) {
    if (!FilesIdentical(lab->LearnerFile(*exercise), lab->StarterFile(*exercise))) {
      edited.push_back(exercise);
    }
  }
  if (edited.empty()) {
    std::printf("Nothing to reset: every selected file already matches its starter.\n");
    return kExitOk;
  }

  // Ask first, unless --yes. Without a terminal there is no one to ask.
  std::printf("These files will be replaced by their starter:\n");
  for (const Exercise* exercise : edited) {
    std::printf("  %s\n", layout.Relative(lab->LearnerFile(*exercise)).c_str());
  }
  if (!options.yes) {
    if (::isatty(STDIN_FILENO) != 1) {
      std::fprintf(stderr,
                   "error: reset needs confirmation and stdin is not a terminal. Run it in a "
                   "terminal, or add --yes to reset without asking.\n");
      return kExitUsage;
    }
    if (!Confirm("Replace them? Your versions are kept in a backup.")) {
      std::printf("Nothing changed.\n");
      return kExitFailed;
    }
  }

  // Back up each file, then copy the starter over it.
  const fs::path backup_dir = layout.BackupDir() / (LocalTimestamp() + "-" + lab->name);
  LabState state = LabState::Load(layout, lab->name);
  for (const Exercise* exercise : edited) {
    const fs::path learner = lab->LearnerFile(*exercise);
    std::error_code error;
    fs::create_directories(backup_dir, error);
    if (fs::exists(learner, error)) {
      fs::copy_file(learner, backup_dir / exercise->file, fs::copy_options::overwrite_existing, error);
      if (error) {
        std::fprintf(stderr, "error: cannot back up %s to %s: %s. Nothing was overwritten.\n",
                     layout.Relative(learner).c_str(), layout.Relative(backup_dir).c_str(),
                     error.message().c_str());
        return kExitFailed;
      }
    }
    fs::copy_file(lab->StarterFile(*exercise), learner, fs::copy_options::overwrite_existing, error);
    if (error) {
      std::fprintf(stderr, "error: cannot restore %s from %s: %s\n", layout.Relative(learner).c_str(),
                   layout.Relative(lab->StarterFile(*exercise)).c_str(), error.message().c_str());
      return kExitFailed;
    }
    ExerciseState& saved = state.For(exercise->name);
    saved.passed_hash.clear();
    saved.last_result.clear();
    saved.hints_shown = 0;  // starting over starts the hints over too
  }
  (void)state.Save();

  std::printf("Reset %zu file(s). Your previous versions are in %s/\n", edited.size(),
              layout.Relative(backup_dir).c_str());
  return kExitOk;
}

}  // namespace labkit::cli
