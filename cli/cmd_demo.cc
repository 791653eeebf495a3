// `labkit demo LAB [args...]` and `labkit setup`: hand the terminal to
// another program.

#include <cstdio>
#include <system_error>

#include "build_step.h"
#include "commands.h"
#include "manifest.h"
#include "process.h"

namespace labkit::cli {

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

  // Build the demo, then replace the CLI with it so it owns the terminal.
  if (Status status = EnsureConfigured(layout, kDefaultPreset); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    return kExitFailed;
  }
  StepResult build = BuildTargets(layout, kDefaultPreset, {lab->demo_target},
                                  "demo-" + lab->name + "-build", "building " + lab->demo_target,
                                  /*keep_going=*/false);
  if (Interrupted()) return kExitInterrupted;
  if (!build.ok()) {
    PrintStepFailure(layout, "building " + lab->demo_target + " failed", build);
    return kExitFailed;
  }
  StatusOr<fs::path> executable = FindBuiltExecutable(layout, kDefaultPreset, lab->demo_target);
  if (!executable.ok()) {
    std::fprintf(stderr, "error: %s\n", executable.status().message().c_str());
    return kExitFailed;
  }

  std::vector<std::string> argv = {executable->string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::printf("Starting %s (Ctrl-C stops it)\n", layout.Relative(executable.value()).c_str());
  std::fflush(stdout);
  const std::string error = ExecReplacing(argv, {{"LABKIT_ROOT", layout.root.string()}});
  std::fprintf(stderr, "error: cannot start %s\n", error.c_str());
  return kExitFailed;
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
