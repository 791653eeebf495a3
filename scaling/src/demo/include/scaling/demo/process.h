// Child processes for the scaling demo and its tests: the service
// instances, HAProxy, Redis, wrk and gnuplot.
//
// A ChildProcess is stopped by its destructor (SIGTERM, then SIGKILL after
// a grace period), so a return or an exception on any path stops it. If the
// parent dies, the kernel kills the child too (PR_SET_PDEATHSIG, sent when
// the thread that started it exits), so nothing outlives a crashed demo.
//
// Thread-safety: none. Start, stop and read a ChildProcess from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scaling::demo {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Start runs argv[0] (searched on the PATH) with its stdout and stderr
  // appended to `log_path`. Returns an error message, or nullopt once the
  // program runs. A program that cannot be executed exits with status 127
  // and its reason in the log.
  std::optional<std::string> Start(const std::vector<std::string>& argv,
                                   const std::string& log_path);

  // Kill sends `signal` and reaps the process. SIGKILL simulates a crash.
  void Kill(int signal);

  // Stop sends SIGTERM, waits up to `grace`, then sends SIGKILL. Safe to
  // call more than once.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Running reaps the process if it has exited and returns whether it is
  // still running.
  bool Running();

  pid_t pid() const { return pid_; }
  // exit_status is the status that waitpid returned, once reaped.
  int exit_status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

// CommandResult is what a finished command printed and how it ended.
struct CommandResult {
  // error is empty when the command ran to its end, else why it did not
  // (could not start, timed out, killed by a signal).
  std::string error;
  int exit_code = -1;
  std::string output;  // stdout only; stderr goes to the log
};

// RunCommand runs argv to its end and returns its standard output. Its
// stderr is appended to `log_path`. It is killed after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& log_path,
                         std::chrono::milliseconds timeout);

// FreePort returns a TCP port on 127.0.0.1 that nothing listened on a
// moment ago, or 0 when none could be found.
std::uint16_t FreePort();

// WaitForPort waits up to `timeout` for a listener on 127.0.0.1:port.
bool WaitForPort(std::uint16_t port, std::chrono::milliseconds timeout);

// FindProgram returns the full path of `name` on the PATH, or nullopt.
std::optional<std::string> FindProgram(const std::string& name);

// Join returns argv as one shell-like line, for messages.
std::string Join(const std::vector<std::string>& argv);

}  // namespace scaling::demo
