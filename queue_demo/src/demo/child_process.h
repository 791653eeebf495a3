// ChildProcess: a payment consumer running as a child process, and what it
// last reported on its stdout (see payment_role.cc for the lines).
//
// The child gets SIGKILL if the parent dies (PR_SET_PDEATHSIG), so a
// crashed or killed demo leaves no consumer behind. Its stderr (its log)
// goes to a file.
//
// Thread-safety: Report and TakeEvents are safe from any thread (a reader
// thread per child parses its lines). Call Signal, WaitForExit and Running
// from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace queue_demo::demo {

// ChildReport is the child's latest state as it reported it.
struct ChildReport {
  bool ready = false;
  bool assignment_known = false;
  std::vector<std::string> assignment;  // "orders[0]", ...
  std::map<std::string, std::int64_t> stats;  // "applied" -> 12, ...

  std::int64_t Stat(const std::string& name) const {
    auto it = stats.find(name);
    return it == stats.end() ? 0 : it->second;
  }
};

class ChildProcess {
 public:
  // Start runs `argv` (argv[0] is the executable path) with stderr appended
  // to `log_path`. Returns nullptr and sets `error` when fork fails.
  static std::unique_ptr<ChildProcess> Start(std::string name,
                                             const std::vector<std::string>& argv,
                                             const std::string& log_path,
                                             std::string& error);

  // The destructor kills the child with SIGKILL if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }

  // Signal sends `signal_number` to the child unless it was already reaped.
  void Signal(int signal_number);

  // WaitForExit waits up to `timeout` for the child to exit. Returns its
  // exit description ("exit status 0", "killed by signal 9") or nullopt
  // if it still runs.
  std::optional<std::string> WaitForExit(std::chrono::milliseconds timeout);

  bool Running();
  ChildReport Report() const;

  // TakeEvents returns the "event ..." lines received since the last call,
  // without the "event " prefix.
  std::vector<std::string> TakeEvents();

 private:
  ChildProcess(std::string name, pid_t pid, int stdout_fd);
  void ReadLines(int fd);
  void ParseLine(const std::string& line);

  std::string name_;
  pid_t pid_;
  std::optional<std::string> exit_description_;  // set once reaped
  std::thread reader_;

  mutable std::mutex mutex_;  // guards report_ and events_
  ChildReport report_;
  std::vector<std::string> events_;
};

}  // namespace queue_demo::demo
