// Benchmarks of rl::RedisStore: decisions per second against a real
// redis-server on loopback, one call at a time (DecideAll, one round trip
// each) and pipelined (DecideMany with 64 calls in flight per round trip).
//
// The server: when LABKIT_REDIS_PORT is set, the benchmark uses the server
// already listening on 127.0.0.1 at that port (the peers script starts one
// and points the npm peer at the same one). Otherwise it starts its own
// redis-server, without persistence, on a free loopback port, and stops it
// at exit.
//
// Every key gets a quota no run reaches, so every decision is a full script
// call that allows the request. Keys cycle over 1000 client keys.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "rate_limiter/limiter.h"
#include "rate_limiter/quota.h"
#include "rate_limiter/redis_store.h"

extern char** environ;

namespace {

constexpr int kKeys = 1000;

// ConnectsOnLoopback returns true when something accepts a TCP connection
// on 127.0.0.1:port.
bool ConnectsOnLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

// FreeLoopbackPort returns a port on 127.0.0.1 that nothing listens on now.
int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("failed to find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// RedisServer is the benchmark's Redis: the one named by LABKIT_REDIS_PORT,
// or a private redis-server child process, stopped by the destructor.
class RedisServer {
 public:
  RedisServer() {
    if (const char* port = std::getenv("LABKIT_REDIS_PORT")) {
      port_ = std::atoi(port);
      if (port_ <= 0 || port_ > 65535 || !ConnectsOnLoopback(port_)) {
        throw std::runtime_error(std::string("LABKIT_REDIS_PORT='") + port +
                                 "' is invalid: nothing listens on "
                                 "127.0.0.1 at that port");
      }
      return;
    }
    Spawn();
  }

  ~RedisServer() {
    if (child_ > 0) {
      ::kill(child_, SIGTERM);
      ::waitpid(child_, nullptr, 0);
    }
  }

  int port() const { return port_; }

 private:
  void Spawn() {
    port_ = FreeLoopbackPort();
    const std::string port = std::to_string(port_);
    std::vector<std::string> args = {"redis-server", "--bind",   "127.0.0.1",
                                      "--port",       port,       "--save",
                                      "",             "--appendonly", "no",
                                      "--loglevel",   "warning"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    // The server's own output would mix with the benchmark's report.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                     O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                     O_WRONLY, 0);
    int spawned = ::posix_spawnp(&child_, "redis-server", &actions, nullptr,
                                 argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      throw std::runtime_error(
          "failed to start redis-server: install the Debian package "
          "redis-server, or set LABKIT_REDIS_PORT to a running server's port");
    }

    // Wait up to 5 s for it to listen.
    for (int i = 0; i < 500 && !ConnectsOnLoopback(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!ConnectsOnLoopback(port_)) {
      throw std::runtime_error("redis-server did not listen on 127.0.0.1:" +
                               port + " within 5 s");
    }
  }

  int port_ = 0;
  pid_t child_ = 0;
};

RedisServer& Server() {
  static RedisServer server;
  return server;
}

// kNeverReached allows 10^9 requests per second per key.
constexpr rl::Quota kNeverReached{1'000'000'000, rl::kNanosPerSecond,
                                  1'000'000'000};

rl::Algorithm AlgorithmArg(const benchmark::State& state) {
  return state.range(0) == 0 ? rl::Algorithm::kFixedWindow
                             : rl::Algorithm::kGcra;
}

// MakeStore returns a store on the benchmark's server, or nullptr after
// marking the benchmark as failed with the reason.
std::unique_ptr<rl::RedisStore> MakeStore(benchmark::State& state) {
  std::string error;
  std::unique_ptr<rl::RedisStore> store;
  try {
    store = rl::RedisStore::Create(
        {.url = "redis://127.0.0.1:" + std::to_string(Server().port()),
         .key_prefix = "rl_bench:",
         .command_timeout = std::chrono::milliseconds(2000)},
        &error);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (store == nullptr) state.SkipWithError(error.c_str());
  return store;
}

std::vector<std::string> Keys() {
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back("client-" + std::to_string(i));
  return keys;
}

// ReportCounters sets items_per_second and not_allowed, the number of
// decisions that were not an allowing script reply (an outage, a script
// error or a rejection). It must be 0, or the run timed something else.
void ReportCounters(benchmark::State& state, std::int64_t not_allowed) {
  state.SetItemsProcessed(state.iterations() * state.range(1));
  state.counters["not_allowed"] = static_cast<double>(not_allowed);
}

// BM_RedisStoreOneAtATime: one DecideAll per iteration, so one request in
// flight. range(0): 0 for the fixed window, 1 for GCRA. range(1) is 1.
void BM_RedisStoreOneAtATime(benchmark::State& state) {
  std::unique_ptr<rl::RedisStore> store = MakeStore(state);
  if (store == nullptr) return;
  const rl::Limit limit{"bench", AlgorithmArg(state), kNeverReached};
  const std::vector<std::string> keys = Keys();
  std::int64_t not_allowed = 0;
  int next = 0;

  for (auto _ : state) {
    const rl::LimitRequest request{.key = keys[next], .limit = &limit};
    rl::RedisDecision decision = store->DecideAllWithOutcome({&request, 1}, 0);
    not_allowed += decision.outcome != rl::RedisOutcome::kDecided ||
                   !decision.decision.allowed;
    benchmark::DoNotOptimize(decision);
    next = (next + 1) % kKeys;
  }
  ReportCounters(state, not_allowed);
}
BENCHMARK(BM_RedisStoreOneAtATime)
    ->ArgNames({"gcra", "in_flight"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->UseRealTime();

// BM_RedisStorePipelined: one DecideMany of range(1) requests per
// iteration, written in one pipeline, so range(1) requests are in flight.
void BM_RedisStorePipelined(benchmark::State& state) {
  std::unique_ptr<rl::RedisStore> store = MakeStore(state);
  if (store == nullptr) return;
  const rl::Limit limit{"bench", AlgorithmArg(state), kNeverReached};
  const std::vector<std::string> keys = Keys();
  const int in_flight = static_cast<int>(state.range(1));
  std::vector<rl::LimitRequest> batch(in_flight);
  std::int64_t not_allowed = 0;
  int next = 0;

  for (auto _ : state) {
    for (rl::LimitRequest& request : batch) {
      request = {.key = keys[next], .limit = &limit};
      next = (next + 1) % kKeys;
    }
    std::vector<rl::RedisDecision> decisions = store->DecideMany(batch, 0);
    for (const rl::RedisDecision& decision : decisions) {
      not_allowed += decision.outcome != rl::RedisOutcome::kDecided ||
                     !decision.decision.allowed;
    }
    benchmark::DoNotOptimize(decisions);
  }
  ReportCounters(state, not_allowed);
}
BENCHMARK(BM_RedisStorePipelined)
    ->ArgNames({"gcra", "in_flight"})
    ->Args({0, 64})
    ->Args({1, 64})
    ->UseRealTime();

}  // namespace
