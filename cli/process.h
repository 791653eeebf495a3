// Process: run a child program from an argv vector (never a shell string),
// stream its merged stdout and stderr line by line, and stop it at a timeout
// or on Ctrl-C.
//
// Each child runs in its own process group, so a timeout or an interrupt
// kills everything it started (a compiler under ninja, a server under a
// test). Safe to call from several threads at once: descriptors are opened
// close-on-exec, so one child never inherits another's pipe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace labkit::cli {

struct ProcessOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::filesystem::path working_dir;  // empty: the CLI's own
  std::vector<std::pair<std::string, std::string>> extra_env;
  std::chrono::milliseconds timeout{0};  // 0: no timeout
  // Called for each line of output, without its newline.
  std::function<void(std::string_view line)> on_line;
  // Called about every 200 ms while the child runs, for progress displays.
  std::function<void()> on_tick;
  // Leave the child's stderr on the CLI's stderr instead of merging it into
  // on_line, for a child whose stdout is a document (JSON).
  bool inherit_stderr = false;
};

struct ProcessResult {
  enum class Outcome { kExited, kSignaled, kTimedOut, kInterrupted, kFailedToStart };

  Outcome outcome = Outcome::kFailedToStart;
  int exit_code = -1;  // valid for kExited
  int signal = 0;      // valid for kSignaled
  std::string error;   // valid for kFailedToStart

  bool ok() const { return outcome == Outcome::kExited && exit_code == 0; }
  // Describe returns "exited with code 2", "killed by signal SIGSEGV",
  // "timed out after 30 s" and so on.
  std::string Describe(std::chrono::milliseconds timeout) const;
};

// RunProcess starts the child, streams its output to options.on_line and
// waits for it to exit, time out or be interrupted.
ProcessResult RunProcess(const ProcessOptions& options);

// InstallInterruptHandler makes SIGINT and SIGTERM set a flag instead of
// killing the CLI, so RunProcess can stop its child's whole process group
// first. Call once at startup.
void InstallInterruptHandler();

// Interrupted is true once the user pressed Ctrl-C.
bool Interrupted();

// RunInForeground runs `program` on the CLI's own terminal and waits for it
// to exit. `argv[0]` is only the name the program receives (for its usage lines).
// The child stays in the CLI's process group, so Ctrl-C reaches it directly;
// the CLI's interrupt handler only notes the key press while it waits. No
// timeout: the program owns the terminal until it exits.
ProcessResult RunInForeground(const std::filesystem::path& program,
                              const std::vector<std::string>& argv,
                              const std::vector<std::pair<std::string, std::string>>& extra_env = {});

// ExecReplacing replaces the CLI with the program (execvp). It returns only
// on failure, with the reason.
std::string ExecReplacing(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& extra_env = {});

}  // namespace labkit::cli
