#include "scaling/demo/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

namespace scaling::demo {
namespace {

using Clock = std::chrono::steady_clock;

// ExecChild runs in the forked child: it sets up the death signal and the
// output, then replaces itself with argv. It never returns.
[[noreturn]] void ExecChild(const std::vector<std::string>& argv,
                            int stdout_fd, int log_fd, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl

  dup2(stdout_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  dprintf(STDERR_FILENO, "cannot run %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

// Spawn forks and executes argv with stdout on stdout_fd and stderr on
// log_path. Returns the child's pid, or -1 with `error` set.
pid_t Spawn(const std::vector<std::string>& argv, int stdout_fd,
            const std::string& log_path, std::string* error) {
  if (argv.empty()) {
    *error = "no program to run";
    return -1;
  }
  const int log_fd = open(log_path.c_str(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    *error = "cannot open log " + log_path + ": " + std::strerror(errno);
    return -1;
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) ExecChild(argv, stdout_fd < 0 ? log_fd : stdout_fd, log_fd, parent);
  close(log_fd);
  if (pid < 0) {
    *error = "fork failed for " + argv[0] + ": " + std::strerror(errno);
  }
  return pid;
}

}  // namespace

ChildProcess::~ChildProcess() { Stop(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Stop();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

std::optional<std::string> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path) {
  Stop();
  std::string error;
  pid_ = Spawn(argv, -1, log_path, &error);
  if (pid_ < 0) return error;
  return std::nullopt;
}

void ChildProcess::Kill(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  waitpid(pid_, &status_, 0);
  pid_ = -1;
}

void ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running()) return;
  kill(pid_, SIGTERM);
  const Clock::time_point deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (!Running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill(SIGKILL);
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  const pid_t done = waitpid(pid_, &status_, WNOHANG);
  if (done == 0) return true;
  pid_ = -1;
  return false;
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& log_path,
                         std::chrono::milliseconds timeout) {
  CommandResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.error = std::string("pipe failed: ") + std::strerror(errno);
    return result;
  }
  std::string error;
  const pid_t pid = Spawn(argv, pipe_fds[1], log_path, &error);
  close(pipe_fds[1]);
  if (pid < 0) {
    close(pipe_fds[0]);
    result.error = error;
    return result;
  }

  // Read its output until it closes stdout or the timeout passes.
  const Clock::time_point deadline = Clock::now() + timeout;
  bool timed_out = false;
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);

  // Reap it. A command that closed its output but keeps running still gets
  // only the time that is left, then SIGKILL.
  int status = 0;
  while (!timed_out && waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (timed_out) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  if (timed_out) {
    result.error = Join(argv) + " timed out after " +
                   std::to_string(timeout.count()) + " ms and was killed";
  } else if (WIFSIGNALED(status)) {
    result.error = Join(argv) + " was killed by signal " +
                   std::to_string(WTERMSIG(status));
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

std::uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool WaitForPort(std::uint16_t port, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool connected =
        connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::optional<std::string> FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  // Debian installs haproxy and nginx in /usr/sbin, which a user's PATH
  // may lack.
  std::string search = directories.str() + ":/usr/sbin:/sbin";
  std::stringstream all(search);
  std::string directory;
  while (std::getline(all, directory, ':')) {
    if (directory.empty()) continue;
    const std::string candidate = directory + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    line += arg;
  }
  return line;
}

}  // namespace scaling::demo
