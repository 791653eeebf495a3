#include "process.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace labkit::cli {

namespace {

std::atomic<bool> g_interrupted{false};

void OnInterruptSignal(int) { g_interrupted.store(true); }

// CStringArray owns the strings behind a null-terminated char* array, built
// before fork() because the child may only call async-signal-safe functions.
class CStringArray {
 public:
  explicit CStringArray(std::vector<std::string> strings) : strings_(std::move(strings)) {
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  char* const* data() { return pointers_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

// MergedEnvironment returns the CLI's environment with `extra` added or
// replaced.
std::vector<std::string> MergedEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    bool replaced = false;
    for (const auto& [name, value] : extra) {
      if (text.size() > name.size() && text.substr(0, name.size()) == name &&
          text[name.size()] == '=') {
        replaced = true;
      }
    }
    if (!replaced) entries.emplace_back(text);
  }
  for (const auto& [name, value] : extra) entries.push_back(name + "=" + value);
  return entries;
}

// Gracefully stop a process group: SIGTERM, then SIGKILL if it lingers.
void StopGroup(pid_t pid) {
  ::kill(-pid, SIGTERM);
  for (int waited_ms = 0; waited_ms < 2000; waited_ms += 50) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      ::kill(-pid, SIGKILL);  // stragglers in the group
      return;
    }
    ::usleep(50 * 1000);
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// LineSplitter turns chunks of bytes into whole lines.
class LineSplitter {
 public:
  explicit LineSplitter(const std::function<void(std::string_view)>& sink) : sink_(sink) {}

  void Feed(const char* data, size_t size) {
    pending_.append(data, size);
    size_t start = 0;
    for (size_t newline; (newline = pending_.find('\n', start)) != std::string::npos;
         start = newline + 1) {
      Emit(std::string_view(pending_).substr(start, newline - start));
    }
    pending_.erase(0, start);
  }
  void Flush() {
    if (!pending_.empty()) Emit(pending_);
    pending_.clear();
  }

 private:
  void Emit(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (sink_) sink_(line);
  }

  const std::function<void(std::string_view)>& sink_;
  std::string pending_;
};

}  // namespace

std::string ProcessResult::Describe(std::chrono::milliseconds timeout) const {
  switch (outcome) {
    case Outcome::kExited:
      return exit_code == 0 ? "succeeded" : "exited with code " + std::to_string(exit_code);
    case Outcome::kSignaled: {
      const char* name = sigabbrev_np(signal);
      return "crashed (signal " + (name ? "SIG" + std::string(name) : std::to_string(signal)) + ")";
    }
    case Outcome::kTimedOut:
      return "timed out after " + std::to_string(timeout.count() / 1000) + " s";
    case Outcome::kInterrupted:
      return "interrupted";
    case Outcome::kFailedToStart:
      return "failed to start: " + error;
  }
  return "unknown outcome";
}

void InstallInterruptHandler() {
  struct sigaction action {};
  action.sa_handler = OnInterruptSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool Interrupted() { return g_interrupted.load(); }

ProcessResult RunProcess(const ProcessOptions& options) {
  ProcessResult result;
  if (options.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  CStringArray argv(options.argv);
  CStringArray envp(MergedEnvironment(options.extra_env));
  const std::string working_dir = options.working_dir.string();
  const bool inherit_stderr = options.inherit_stderr;

  // One pipe carries the child's output. The other reports an exec failure
  // (it closes silently on a successful exec, because it is close-on-exec).
  int output[2];
  int exec_status[2];
  if (::pipe2(output, O_CLOEXEC) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  if (::pipe2(exec_status, O_CLOEXEC) != 0) {
    result.error = std::strerror(errno);
    ::close(output[0]);
    ::close(output[1]);
    return result;
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    result.error = std::string("fork failed: ") + std::strerror(errno);
    for (int fd : {output[0], output[1], exec_status[0], exec_status[1]}) ::close(fd);
    return result;
  }
  if (pid == 0) {
    // Child: own process group, stdin from /dev/null, output to the pipe.
    ::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(output[1], STDOUT_FILENO);
    if (!inherit_stderr) ::dup2(output[1], STDERR_FILENO);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    int error = 0;
    if (!working_dir.empty() && ::chdir(working_dir.c_str()) != 0) {
      error = errno;
    } else {
      ::execvpe(argv.data()[0], argv.data(), envp.data());
      error = errno;
    }
    [[maybe_unused]] ssize_t written = ::write(exec_status[1], &error, sizeof error);
    ::_exit(127);
  }

  // Parent: set the group here too, so a kill right away cannot miss it.
  ::setpgid(pid, pid);
  ::close(output[1]);
  ::close(exec_status[1]);
  int exec_error = 0;
  const bool exec_failed =
      ::read(exec_status[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  ::close(exec_status[0]);
  if (exec_failed) {
    ::waitpid(pid, nullptr, 0);
    ::close(output[0]);
    result.error = options.argv[0] + ": " + std::strerror(exec_error);
    return result;
  }

  // Stream output until the child exits, times out or is interrupted.
  const auto start = std::chrono::steady_clock::now();
  LineSplitter lines(options.on_line);
  bool output_open = true;
  int wait_status = 0;
  bool exited = false;
  auto exit_seen_at = std::chrono::steady_clock::time_point::max();
  char buffer[8192];
  while (true) {
    if (output_open) {
      pollfd poll_fd{output[0], POLLIN, 0};
      if (::poll(&poll_fd, 1, 200) > 0) {
        const ssize_t count = ::read(output[0], buffer, sizeof buffer);
        if (count > 0) {
          lines.Feed(buffer, static_cast<size_t>(count));
        } else if (count == 0 || errno != EINTR) {
          output_open = false;
        }
      }
    } else {
      ::usleep(50 * 1000);
    }
    if (options.on_tick) options.on_tick();

    if (!exited && ::waitpid(pid, &wait_status, WNOHANG) == pid) {
      exited = true;
      exit_seen_at = std::chrono::steady_clock::now();
    }
    if (exited) {
      // A daemon the child left behind may hold the pipe open: after the
      // child exits, read what is buffered for a moment, then stop.
      const auto grace = std::chrono::milliseconds(300);
      if (!output_open || std::chrono::steady_clock::now() - exit_seen_at > grace) break;
      continue;
    }
    if (Interrupted()) {
      StopGroup(pid);
      result.outcome = ProcessResult::Outcome::kInterrupted;
      break;
    }
    if (options.timeout.count() > 0 && std::chrono::steady_clock::now() - start > options.timeout) {
      StopGroup(pid);
      result.outcome = ProcessResult::Outcome::kTimedOut;
      break;
    }
  }
  lines.Flush();
  ::close(output[0]);
  if (!exited) return result;  // timed out or interrupted; StopGroup reaped it

  if (WIFEXITED(wait_status)) {
    result.outcome = ProcessResult::Outcome::kExited;
    result.exit_code = WEXITSTATUS(wait_status);
  } else {
    result.outcome = ProcessResult::Outcome::kSignaled;
    result.signal = WTERMSIG(wait_status);
  }
  return result;
}

ProcessResult RunInForeground(const std::filesystem::path& program,
                              const std::vector<std::string>& argv,
                              const std::vector<std::pair<std::string, std::string>>& extra_env) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "empty command";
    return result;
  }
  const std::string path = program.string();
  CStringArray args(argv);
  CStringArray envp(MergedEnvironment(extra_env));

  // A close-on-exec pipe reports an exec failure, as in RunProcess.
  int exec_status[2];
  if (::pipe2(exec_status, O_CLOEXEC) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.error = std::string("fork failed: ") + std::strerror(errno);
    ::close(exec_status[0]);
    ::close(exec_status[1]);
    return result;
  }
  if (pid == 0) {
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::execve(path.c_str(), args.data(), envp.data());
    const int error = errno;
    [[maybe_unused]] ssize_t written = ::write(exec_status[1], &error, sizeof error);
    ::_exit(127);
  }

  ::close(exec_status[1]);
  int exec_error = 0;
  const bool exec_failed =
      ::read(exec_status[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  ::close(exec_status[0]);

  // Wait through the interrupt handler's EINTRs: the child decides when to stop.
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    result.error = path + ": " + std::strerror(exec_error);
    return result;
  }
  if (WIFEXITED(wait_status)) {
    result.outcome = ProcessResult::Outcome::kExited;
    result.exit_code = WEXITSTATUS(wait_status);
  } else {
    result.outcome = ProcessResult::Outcome::kSignaled;
    result.signal = WTERMSIG(wait_status);
  }
  return result;
}

std::string ExecReplacing(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& extra_env) {
  if (argv.empty()) return "empty command";
  CStringArray args(argv);
  CStringArray envp(MergedEnvironment(extra_env));
  ::execvpe(args.data()[0], args.data(), envp.data());
  return argv[0] + ": " + std::strerror(errno);
}

}  // namespace labkit::cli
