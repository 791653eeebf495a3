// Build steps: run cmake, ninja and ctest as named steps with a progress
// display, a full log under build/logs/, and a short error summary.
//
// A failed step never prints a wall of compiler output: the learner sees the
// first few "file:line: error:" lines (or linker or CMake errors) and the
// path of the full log.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "layout.h"
#include "process.h"
#include "status.h"

namespace labkit::cli {

struct StepResult {
  ProcessResult process;
  fs::path log_path;
  std::vector<std::string> error_lines;  // filled when the step failed
  double seconds = 0;

  bool ok() const { return process.ok(); }
};

struct StepOptions {
  std::string log_name;  // the log is build/logs/<log_name>.log
  std::string label;     // the progress line's text, "building gcra"
  std::vector<std::string> argv;
  fs::path working_dir;
  std::chrono::milliseconds timeout{0};
  // Sees each output line too, after the log and the progress display.
  std::function<void(std::string_view)> on_line;
};

// RunStep runs one step. Progress comes from ninja's "[n/m]" lines and from
// ctest's "n/m Test #k" lines.
StepResult RunStep(const Layout& layout, const StepOptions& options);

// PrintStepFailure prints what failed, the relevant error lines and the log.
void PrintStepFailure(const Layout& layout, std::string_view what, const StepResult& step);

// ExtractErrorLines picks the lines of a step's log that explain a failure.
// Those are compiler errors with their source excerpt, linker errors, CMake
// errors and ctest's list of failed tests, or else the last lines. Paths
// inside the repository are shortened to relative ones.
std::vector<std::string> ExtractErrorLines(const std::vector<std::string>& log_lines,
                                           const Layout& layout, size_t max_lines);

// IsConfigured is true when build/<preset> contains a generated build.ninja.
bool IsConfigured(const Layout& layout, std::string_view preset);

// EnsureConfigured runs `cmake --preset <preset>` when the tree is not
// configured yet, and reports a failure.
Status EnsureConfigured(const Layout& layout, std::string_view preset);

// ConfigurePreset always runs `cmake --preset <preset>`.
StepResult ConfigurePreset(const Layout& layout, std::string_view preset,
                           std::string log_name);

// BuildTargets runs `cmake --build build/<preset> --target ...`. With
// keep_going, ninja builds every target it can after a failure (-k 0).
StepResult BuildTargets(const Layout& layout, std::string_view preset,
                        const std::vector<std::string>& targets, std::string log_name,
                        std::string label, bool keep_going);

// ListTargets returns the name of every target in the tree's build.ninja.
StatusOr<std::set<std::string>> ListTargets(const Layout& layout, std::string_view preset);

// FailedTargets returns the targets among `targets` that a keep-going
// build (`build`) left unbuilt: those whose own output, or any of whose
// transitive inputs (`ninja -t inputs`), appears on a "FAILED:" line of the
// build's log. A failed build with no such line (CMake's regeneration
// failed, say) fails every target.
std::set<std::string> FailedTargets(const Layout& layout, std::string_view preset,
                                    const std::vector<std::string>& targets,
                                    const StepResult& build);

// FindBuiltExecutable searches build/<preset> for the executable a target
// produced (its file name is the target name), outside CMakeFiles/.
StatusOr<fs::path> FindBuiltExecutable(const Layout& layout, std::string_view preset,
                                       const std::string& target);

}  // namespace labkit::cli
