#include "build_step.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <system_error>

#include "files.h"
#include "terminal.h"

namespace labkit::cli {

namespace {

// ParseCount reads "[12/40]" (ninja) or "12/40 Test #3:" (ctest).
bool ParseCount(std::string_view line, int* done, int* total, std::string* detail) {
  static const std::regex kNinja(R"(^\[(\d+)/(\d+)\] (.*)$)");
  static const std::regex kCtest(R"(^\s*(\d+)/(\d+) Test\s+#\d+: (\S+).*$)");
  std::match_results<std::string_view::const_iterator> match;
  if (std::regex_match(line.begin(), line.end(), match, kNinja) ||
      std::regex_match(line.begin(), line.end(), match, kCtest)) {
    *done = std::stoi(match[1].str());
    *total = std::stoi(match[2].str());
    *detail = match[3].str();
    return true;
  }
  return false;
}

std::string Shorten(std::string line, const Layout& layout) {
  const std::string prefix = layout.root.string() + "/";
  for (size_t at; (at = line.find(prefix)) != std::string::npos;) line.erase(at, prefix.size());
  return line;
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> CmakeConfigureArgv(const Layout& layout, std::string_view preset) {
  std::vector<std::string> argv = {"cmake", "--preset", std::string(preset)};
  // The presets put each tree under <root>/build, so a moved build root
  // needs -B.
  if (layout.build_root != layout.root / "build") {
    argv.push_back("-B");
    argv.push_back(layout.PresetDir(preset).string());
  }
  return argv;
}

}  // namespace

StepResult RunStep(const Layout& layout, const StepOptions& options) {
  StepResult step;
  std::error_code error;
  fs::create_directories(layout.LogsDir(), error);
  step.log_path = layout.LogsDir() / (options.log_name + ".log");
  std::ofstream log(step.log_path, std::ios::trunc);
  log << "$";
  for (const std::string& arg : options.argv) log << " " << arg;
  log << "\n";

  // Stream the output into the log and the progress display.
  Progress progress(options.label);
  ProcessOptions process;
  process.argv = options.argv;
  process.working_dir = options.working_dir.empty() ? layout.root : options.working_dir;
  process.timeout = options.timeout;
  process.on_line = [&](std::string_view line) {
    log << line << "\n";
    int done = 0;
    int total = 0;
    std::string detail;
    if (ParseCount(line, &done, &total, &detail)) progress.Update(done, total, detail);
    if (options.on_line) options.on_line(line);
  };
  process.on_tick = [&] { progress.Tick(); };
  step.process = RunProcess(process);
  step.seconds = progress.ElapsedSeconds();
  progress.Finish();
  log << "# " << step.process.Describe(options.timeout) << " after " << step.seconds << " s\n";
  log.close();

  if (!step.ok()) step.error_lines = ExtractErrorLines(ReadLines(step.log_path), layout, 14);
  return step;
}

void PrintStepFailure(const Layout& layout, std::string_view what, const StepResult& step) {
  FILE* out = HumanOutput();
  std::fprintf(out, "%s %s (%s).\n", Paint(Color::kRed, "error:").c_str(), std::string(what).c_str(),
              step.process.Describe(std::chrono::milliseconds(0)).c_str());
  for (const std::string& line : step.error_lines) std::fprintf(out, "    %s\n", line.c_str());
  std::fprintf(out, "  Full log: %s\n", layout.Relative(step.log_path).c_str());
}

std::vector<std::string> ExtractErrorLines(const std::vector<std::string>& log_lines,
                                           const Layout& layout, size_t max_lines) {
  static const std::regex kCompilerError(R"(^.+:\d+:(\d+:)? (fatal error|error): .*$)");
  static const std::regex kSourceExcerpt(R"(^\s*\d*\s*\|.*$)");  // GCC's "  42 | code"
  static const std::regex kLinkerMessage(R"(^(\S*/)?ld(\.\w+)?: )");  // "/usr/bin/ld: cannot find -lx"
  std::vector<std::string> picked;
  auto pick = [&](const std::string& line) {
    std::string shortened = Shorten(line, layout);
    if (picked.size() >= max_lines) return;
    if (std::find(picked.begin(), picked.end(), shortened) != picked.end()) return;
    picked.push_back(std::move(shortened));
  };

  for (size_t i = 0; i < log_lines.size() && picked.size() < max_lines; ++i) {
    const std::string& line = log_lines[i];
    if (std::regex_match(line, kCompilerError)) {
      // The error and the source excerpt under it (code line and caret).
      pick(line);
      for (size_t j = i + 1; j < log_lines.size() && j <= i + 2; ++j) {
        if (!std::regex_match(log_lines[j], kSourceExcerpt)) break;
        pick(log_lines[j]);
      }
    } else if (line.find("undefined reference to") != std::string::npos ||
               line.find("multiple definition of") != std::string::npos ||
               line.find("ld returned") != std::string::npos ||
               (std::regex_search(line, kLinkerMessage) &&
                line.find(": in function") == std::string::npos) ||
               line.rfind("ninja: error:", 0) == 0 || line.rfind("patch: ", 0) == 0 ||
               line.find("FAILED at") != std::string::npos) {
      pick(line);
    } else if (line.rfind("CMake Error", 0) == 0) {
      // A CMake error is a heading and an indented paragraph.
      pick(line);
      for (size_t j = i + 1; j < log_lines.size() && j <= i + 4; ++j) {
        if (!log_lines[j].empty()) pick(log_lines[j]);
      }
    } else if (line.rfind("The following tests FAILED:", 0) == 0) {
      pick(line);
      for (size_t j = i + 1; j < log_lines.size() && !log_lines[j].empty() &&
                             (log_lines[j][0] == ' ' || log_lines[j][0] == '\t');
           ++j) {
        pick(log_lines[j]);
      }
    }
  }
  if (!picked.empty()) return picked;

  // Nothing recognizable: the last lines usually name what went wrong.
  const size_t tail = std::min<size_t>(10, log_lines.size());
  for (size_t i = log_lines.size() - tail; i < log_lines.size(); ++i) pick(log_lines[i]);
  return picked;
}

bool IsConfigured(const Layout& layout, std::string_view preset) {
  std::error_code error;
  return fs::is_regular_file(layout.PresetDir(preset) / "build.ninja", error) &&
         fs::is_regular_file(layout.PresetDir(preset) / "CMakeCache.txt", error);
}

StepResult ConfigurePreset(const Layout& layout, std::string_view preset, std::string log_name) {
  StepOptions options;
  options.log_name = std::move(log_name);
  options.label = "configuring the " + std::string(preset) + " build";
  options.argv = CmakeConfigureArgv(layout, preset);
  return RunStep(layout, options);
}

Status EnsureConfigured(const Layout& layout, std::string_view preset) {
  if (IsConfigured(layout, preset)) return Status::Ok();
  StepResult step = ConfigurePreset(layout, preset, "configure-" + std::string(preset));
  if (step.ok()) return Status::Ok();
  PrintStepFailure(layout, "configuring the " + std::string(preset) + " build failed", step);
  return Status::Error("the " + std::string(preset) +
                       " build is not configured. Fix the error above, then run the "
                       "command again.");
}

StepResult BuildTargets(const Layout& layout, std::string_view preset,
                        const std::vector<std::string>& targets, std::string log_name,
                        std::string label, bool keep_going) {
  StepOptions options;
  options.log_name = std::move(log_name);
  options.label = std::move(label);
  options.argv = {"cmake", "--build", layout.PresetDir(preset).string()};
  if (!targets.empty()) {
    options.argv.push_back("--target");
    options.argv.insert(options.argv.end(), targets.begin(), targets.end());
  }
  if (keep_going) {
    options.argv.push_back("--");
    options.argv.push_back("-k");
    options.argv.push_back("0");
  }
  return RunStep(layout, options);
}

StatusOr<std::set<std::string>> ListTargets(const Layout& layout, std::string_view preset) {
  std::set<std::string> targets;
  ProcessOptions process;
  process.argv = {"ninja", "-C", layout.PresetDir(preset).string(), "-t", "targets", "all"};
  process.timeout = std::chrono::seconds(60);
  process.on_line = [&](std::string_view line) {
    const size_t colon = line.find(": ");
    if (colon != std::string_view::npos) targets.emplace(line.substr(0, colon));
  };
  ProcessResult result = RunProcess(process);
  if (!result.ok()) {
    return Status::Error("cannot list the build targets in " +
                         layout.Relative(layout.PresetDir(preset)) + ": ninja " +
                         result.Describe(process.timeout));
  }
  return targets;
}

std::set<std::string> FailedTargets(const Layout& layout, std::string_view preset,
                                    const std::vector<std::string>& targets,
                                    const StepResult& build) {
  if (build.ok()) return {};
  const fs::path tree = layout.PresetDir(preset);

  // Collect the failed outputs, relative to the tree and absolute.
  std::set<std::string> failed_outputs;
  for (const std::string& line : ReadLines(build.log_path)) {
    if (line.rfind("FAILED: ", 0) != 0) continue;
    std::istringstream outputs(line.substr(8));
    for (std::string output; outputs >> output;) {
      failed_outputs.insert(output);
      failed_outputs.insert((tree / output).lexically_normal().string());
    }
  }
  if (failed_outputs.empty()) return {targets.begin(), targets.end()};

  // A target failed when it or anything it is built from failed.
  std::set<std::string> failed;
  for (const std::string& target : targets) {
    bool target_failed = false;
    for (const std::string& output : failed_outputs) {
      if (fs::path(output).filename() == target) target_failed = true;
    }
    ProcessOptions process;
    process.argv = {"ninja", "-C", tree.string(), "-t", "inputs", target};
    process.timeout = std::chrono::seconds(60);
    process.on_line = [&](std::string_view input) {
      if (failed_outputs.count(std::string(input)) != 0) target_failed = true;
    };
    if (!RunProcess(process).ok()) target_failed = true;
    if (target_failed) failed.insert(target);
  }
  return failed;
}

StatusOr<fs::path> FindBuiltExecutable(const Layout& layout, std::string_view preset,
                                       const std::string& target) {
  std::error_code error;
  const fs::path tree = layout.PresetDir(preset);
  fs::path found;
  fs::recursive_directory_iterator it(tree, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_directory(error) && it->path().filename() == "CMakeFiles") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().filename() != target || !it->is_regular_file(error)) continue;
    const bool executable = (it->status(error).permissions() & fs::perms::owner_exec) != fs::perms::none;
    // Prefer the shallowest match, the target's own output directory.
    if (executable && (found.empty() || it->path().string().size() < found.string().size())) {
      found = it->path();
    }
  }
  if (found.empty()) {
    return Status::Error("the executable of target " + target + " is not in " +
                         layout.Relative(tree) + " after the build");
  }
  return found;
}

}  // namespace labkit::cli
