#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <sstream>

namespace queue_demo::demo {

std::unique_ptr<ChildProcess> ChildProcess::Start(std::string name,
                                                  const std::vector<std::string>& argv,
                                                  const std::string& log_path,
                                                  std::string& error) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    error = std::string("pipe failed: ") + std::strerror(errno);
    return nullptr;
  }
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    error = "cannot open " + log_path + ": " + std::strerror(errno);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return nullptr;
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork failed: ") + std::strerror(errno);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(log_fd);
    return nullptr;
  }
  if (pid == 0) {
    // In the child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  close(log_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(std::move(name), pid, pipe_fds[0]));
}

ChildProcess::ChildProcess(std::string name, pid_t pid, int stdout_fd)
    : name_(std::move(name)), pid_(pid) {
  reader_ = std::thread([this, stdout_fd] { ReadLines(stdout_fd); });
}

ChildProcess::~ChildProcess() {
  if (!exit_description_) {
    Signal(SIGKILL);
    WaitForExit(std::chrono::seconds(5));
  }
  // The pipe closes when the child is gone, which ends the reader.
  if (reader_.joinable()) reader_.join();
}

void ChildProcess::Signal(int signal_number) {
  if (!exit_description_) kill(pid_, signal_number);
}

std::optional<std::string> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (exit_description_) return exit_description_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      exit_description_ = WIFEXITED(status)
                              ? "exit status " + std::to_string(WEXITSTATUS(status))
                              : "killed by signal " + std::to_string(WTERMSIG(status));
      return exit_description_;
    }
    if (reaped < 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ChildProcess::Running() {
  return !WaitForExit(std::chrono::milliseconds(0)).has_value();
}

ChildReport ChildProcess::Report() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return report_;
}

std::vector<std::string> ChildProcess::TakeEvents() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> events;
  events.swap(events_);
  return events;
}

void ChildProcess::ReadLines(int fd) {
  FILE* stream = fdopen(fd, "r");
  if (stream == nullptr) {
    close(fd);
    return;
  }
  char* line = nullptr;
  size_t capacity = 0;
  ssize_t length = 0;
  while ((length = getline(&line, &capacity, stream)) > 0) {
    std::string text(line, static_cast<size_t>(length));
    if (!text.empty() && text.back() == '\n') text.pop_back();
    ParseLine(text);
  }
  std::free(line);
  std::fclose(stream);
}

void ChildProcess::ParseLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (line == "ready") {
    report_.ready = true;
  } else if (line.rfind("assignment", 0) == 0) {
    report_.assignment_known = true;
    report_.assignment.clear();
    std::stringstream list(line.size() > 11 ? line.substr(11) : "");
    for (std::string item; std::getline(list, item, ',');) {
      if (!item.empty()) report_.assignment.push_back(item);
    }
  } else if (line.rfind("stats ", 0) == 0) {
    std::stringstream fields(line.substr(6));
    for (std::string field; fields >> field;) {
      const std::size_t equals = field.find('=');
      if (equals == std::string::npos) continue;
      report_.stats[field.substr(0, equals)] = std::atoll(field.c_str() + equals + 1);
    }
  } else if (line.rfind("event ", 0) == 0) {
    events_.push_back(line.substr(6));
  }
}

}  // namespace queue_demo::demo
