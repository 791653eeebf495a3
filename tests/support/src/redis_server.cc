#include "labkit/testing/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace labkit::testing {
namespace {

constexpr char kMissingServer[] =
    "redis-server was not found on PATH. Run ./labkit setup, or install it "
    "(Debian and Ubuntu: sudo apt-get install redis-server)";

// FindExecutable returns the full path of `name` on PATH, or "".
std::string FindExecutable(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/usr/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

// FreeLoopbackPort returns a loopback port that the kernel reports free
// right now. Another process may take it before redis-server binds it, and
// then Start fails with the server's log in the error.
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

RedisReply ToReply(const redisReply& reply) {
  RedisReply result;
  result.ok = reply.type != REDIS_REPLY_ERROR;
  switch (reply.type) {
    case REDIS_REPLY_ERROR:
      result.error.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_NIL:
      result.nil = true;
      break;
    case REDIS_REPLY_INTEGER:
      result.integer = reply.integer;
      result.text = std::to_string(reply.integer);
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      result.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      for (std::size_t i = 0; i < reply.elements; ++i) {
        RedisReply element = ToReply(*reply.element[i]);
        result.elements.push_back(element.nil ? "" : element.text);
      }
      break;
  }
  return result;
}

}  // namespace

RedisServer::RedisServer() {
  char pattern[] = "/tmp/labkit-redis-XXXXXX";
  if (mkdtemp(pattern) != nullptr) {
    directory_ = pattern;
  }
}

RedisServer::~RedisServer() {
  Stop();
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

bool RedisServer::Start(std::chrono::milliseconds timeout) {
  if (running()) {
    return true;
  }
  if (directory_.empty()) {
    error_ = std::string("cannot create a temporary directory in /tmp: ") +
             std::strerror(errno);
    return false;
  }
  std::string executable = FindExecutable("redis-server");
  if (executable.empty()) {
    error_ = kMissingServer;
    return false;
  }
  if (port_ == 0) {
    port_ = FreeLoopbackPort();
    if (port_ == 0) {
      error_ = std::string("cannot find a free loopback port: ") +
               std::strerror(errno);
      return false;
    }
  }
  if (!Spawn(executable)) {
    return false;
  }
  if (!WaitForPing(timeout)) {
    Stop();
    return false;
  }
  error_.clear();
  return true;
}

bool RedisServer::Spawn(const std::string& executable) {
  // Build every argument before fork: the child may only exec.
  const std::string port = std::to_string(port_);
  const std::string log = directory_ + "/redis.log";
  std::vector<std::string> args = {
      executable,     "--port",       port,      "--bind",
      "127.0.0.1",    "--save",       "",        "--appendonly",
      "no",           "--dir",        directory_, "--logfile",
      log,            "--daemonize",  "no"};
  std::vector<char*> argv;
  for (std::string& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    error_ = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // Stop the server if the test process dies without running ~RedisServer.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
      _exit(1);
    }
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDOUT_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  return true;
}

bool RedisServer::WaitForPing(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "redis-server exited at start (status " +
               std::to_string(status) + ") on port " +
               std::to_string(port_) + "; its log:\n" + LogTail();
      return false;
    }
    RedisReply pong = Command({"PING"});
    if (pong.ok && pong.text == "PONG") {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  error_ = "redis-server on port " + std::to_string(port_) +
           " did not answer PING within " + std::to_string(timeout.count()) +
           " ms; its log:\n" + LogTail();
  return false;
}

void RedisServer::Stop() {
  CloseClient();
  if (pid_ <= 0) {
    return;
  }
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
}

RedisReply RedisServer::Command(std::initializer_list<std::string> args) {
  return Command(std::vector<std::string>(args));
}

RedisReply RedisServer::Command(const std::vector<std::string>& args) {
  RedisReply failed;
  if (client_ == nullptr) {
    timeval timeout{1, 0};
    client_ = redisConnectWithTimeout("127.0.0.1", port_, timeout);
    if (client_ == nullptr || client_->err != 0) {
      failed.error = client_ != nullptr ? client_->errstr : "out of memory";
      CloseClient();
      return failed;
    }
    redisSetTimeout(client_, timeval{5, 0});
  }

  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(
      client_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    failed.error = client_->errstr;
    CloseClient();
    return failed;
  }
  RedisReply result = ToReply(*reply);
  freeReplyObject(reply);
  return result;
}

void RedisServer::CloseClient() {
  if (client_ != nullptr) {
    redisFree(client_);
    client_ = nullptr;
  }
}

std::string RedisServer::LogTail() const {
  std::ifstream log(directory_ + "/redis.log");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(log, line)) {
    lines.push_back(line);
  }
  std::string tail;
  for (std::size_t i = lines.size() > 10 ? lines.size() - 10 : 0;
       i < lines.size(); ++i) {
    tail += lines[i] + "\n";
  }
  return tail.empty() ? "(empty)\n" : tail;
}

}  // namespace labkit::testing
