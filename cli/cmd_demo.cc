// `labkit demo LAB [args...]` and `labkit setup`: hand the terminal to
// another program.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <system_error>

#include "arguments.h"
#include "build_step.h"
#include "commands.h"
#include "manifest.h"
#include "process.h"

namespace labkit::cli {

namespace {

// PrintOtherPrograms prints the path of each of the lab's other programs.
void PrintOtherPrograms(const Layout& layout, const Lab& lab) {
  if (lab.demo_builds.empty()) return;
  std::printf("\nThe lab's other programs are built too:\n");
  for (const std::string& target : lab.demo_builds) {
    StatusOr<fs::path> executable = FindBuiltExecutable(layout, kDefaultPreset, target);
    std::printf("  %s\n", executable.ok() ? layout.Relative(executable.value()).c_str()
                                          : executable.status().message().c_str());
  }
}

}  // namespace

int RunDemo(const Layout& layout, const std::string& lab_name, const std::vector<std::string>& args) {
  StatusOr<Lab> lab = LoadLab(layout, lab_name);
  if (!lab.ok()) {
    std::fprintf(stderr, "error: %s\n", lab.status().message().c_str());
    return kExitUsage;
  }
  if (lab->demo_target.empty()) {
    std::fprintf(stderr, "error: lab %s has no demo: %s has no \"demo\": {\"target\": ...} key\n",
                 lab->name.c_str(), layout.Relative(lab->dir / "lab.json").c_str());
    return kExitUsage;
  }

  // Build the demo and the lab's other programs, or only the demo for --help.
  const bool asked_for_help =
      std::find_if(args.begin(), args.end(), [](const std::string& arg) {
        return arg == "--help" || arg == "-h";
      }) != args.end();
  if (Status status = EnsureConfigured(layout, kDefaultPreset); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    return kExitFailed;
  }
  std::vector<std::string> targets = {lab->demo_target};
  if (!asked_for_help) {
    targets.insert(targets.end(), lab->demo_builds.begin(), lab->demo_builds.end());
  }
  StepResult build = BuildTargets(layout, kDefaultPreset, targets, "demo-" + lab->name + "-build",
                                  "building " + JoinWithCommas(targets), /*keep_going=*/false);
  if (Interrupted()) return kExitInterrupted;
  if (!build.ok()) {
    PrintStepFailure(layout, "building " + JoinWithCommas(targets) + " failed", build);
    return kExitFailed;
  }
  StatusOr<fs::path> executable = FindBuiltExecutable(layout, kDefaultPreset, lab->demo_target);
  if (!executable.ok()) {
    std::fprintf(stderr, "error: %s\n", executable.status().message().c_str());
    return kExitFailed;
  }

  // Run the demo on this terminal with "./labkit demo LAB" as its argv[0],
  // so its usage lines show the command the learner typed.
  const std::string command = std::string(kProgramName) + " demo " + lab->name;
  std::vector<std::string> argv = {command};
  argv.insert(argv.end(), args.begin(), args.end());
  std::fflush(stdout);
  const ProcessResult result =
      RunInForeground(executable.value(), argv, {{"LABKIT_ROOT", layout.root.string()}});

  // Report how it ended: invalid arguments are a usage error (exit 2). A
  // demo that exits 2 has explained the error itself; CLI11's own codes get
  // a pointer to the demo's help.
  if (result.outcome == ProcessResult::Outcome::kFailedToStart) {
    std::fprintf(stderr, "error: cannot start %s\n", result.error.c_str());
    return kExitFailed;
  }
  if (result.outcome == ProcessResult::Outcome::kExited && IsDemoUsageError(result.exit_code)) {
    if (result.exit_code != kExitUsage) {
      std::fprintf(stderr, "error: the demo rejected its arguments (see above). %s --help lists them.\n",
                   command.c_str());
    }
    return kExitUsage;
  }
  if (result.outcome == ProcessResult::Outcome::kSignaled) {
    if (Interrupted() || result.signal == SIGINT) return kExitInterrupted;
    std::fprintf(stderr, "error: the demo %s\n", result.Describe(std::chrono::milliseconds(0)).c_str());
    return kExitFailed;
  }

  // After a full run, and only then, point at the lab's other programs: a
  // failed run ends with its error, and --help with the usage.
  if (result.exit_code == 0 && !asked_for_help) PrintOtherPrograms(layout, lab.value());
  return result.exit_code;
}

int RunSetup(const Layout& layout) {
  const fs::path script = layout.root / "scripts" / "setup.sh";
  std::error_code error;
  if (!fs::is_regular_file(script, error)) {
    std::fprintf(stderr, "error: %s is missing. Restore it with: git checkout -- %s\n",
                 layout.Relative(script).c_str(), layout.Relative(script).c_str());
    return kExitFailed;
  }
  std::fflush(stdout);
  const std::string failure = ExecReplacing({"bash", script.string()}, {{"LABKIT_ROOT", layout.root.string()}});
  std::fprintf(stderr, "error: cannot run %s: %s\n", layout.Relative(script).c_str(), failure.c_str());
  return kExitFailed;
}

}  // namespace labkit::cli
