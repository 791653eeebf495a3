// The state step: one client's session through round robin, with the
// session kept in each instance's memory, with sticky sessions, and with
// the session in Redis shared by every instance.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "demo_steps.h"
#include "scaling/demo/haproxy.h"
#include "scaling/demo/process.h"
#include "scaling/demo/service_fleet.h"
#include "scaling/demo/wrk.h"

namespace scaling::demo {
namespace {

constexpr int kVisits = 9;

// Reply is the part of an HTTP response this step reads.
struct Reply {
  std::string error;
  std::string set_cookie;  // the SRV=... part of Set-Cookie, if any
  std::string body;
};

// Get sends one GET with "Connection: close" to 127.0.0.1:port and reads
// the response to its end. Every socket operation times out after 2 s.
Reply Get(std::uint16_t port, const std::string& target,
          const std::string& cookie) {
  Reply reply;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    reply.error = std::string("socket failed: ") + std::strerror(errno);
    return reply;
  }
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);

  std::string response;
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Cookie: " + cookie + "\r\nConnection: close\r\n\r\n";
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    reply.error = std::string("request to 127.0.0.1:") + std::to_string(port) +
                  " failed: " + std::strerror(errno);
  } else {
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) response.append(buffer, n);
  }
  close(fd);
  if (!reply.error.empty()) return reply;

  // Pick out the body and the sticky cookie.
  const std::size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) {
    reply.error = "no complete response from 127.0.0.1:" + std::to_string(port);
    return reply;
  }
  reply.body = response.substr(body + 4);
  while (!reply.body.empty() && reply.body.back() == '\n') reply.body.pop_back();
  for (const char* name : {"Set-Cookie: SRV=", "set-cookie: SRV="}) {
    const std::size_t at = response.find(name);
    if (at != std::string::npos && at < body) {
      const std::size_t start = at + std::strlen("Set-Cookie: ");
      reply.set_cookie = response.substr(start, response.find_first_of(";\r", start) - start);
    }
  }
  return reply;
}

// Walk sends kVisits requests of session "demo" through the balancer and
// prints each response's visit count and instance.
std::optional<std::string> Walk(const char* title, std::uint16_t port) {
  std::printf("  %-40s", title);
  std::string cookie = "sid=demo";
  for (int i = 0; i < kVisits; ++i) {
    Reply reply = Get(port, "/session", cookie);
    if (!reply.error.empty()) return reply.error;
    if (!reply.set_cookie.empty()) cookie = "sid=demo; " + reply.set_cookie;
    // The body is "visits=N instance=app-K": print "N@K".
    const std::size_t visits = reply.body.find("visits=");
    const std::size_t instance = reply.body.find("app-");
    if (visits == std::string::npos || instance == std::string::npos) {
      return "unexpected /session body '" + reply.body + "'";
    }
    std::printf(" %s@%s", reply.body.substr(visits + 7, reply.body.find(' ') - visits - 7).c_str(),
                reply.body.substr(instance + 4).c_str());
  }
  std::printf("\n");
  return std::nullopt;
}

// WalkBehind starts HAProxy in front of `fleet` and walks one session
// through it. With `load`, it then loads /session for config.seconds with
// many sessions and prints the rate, which shows what the store costs.
std::optional<std::string> WalkBehind(const DemoConfig& config,
                                      const ServiceFleet& fleet, bool sticky,
                                      const char* title, bool load = false) {
  HaproxyOptions options;
  options.port = FreePort();
  options.directory = config.run_dir;
  options.servers = fleet.servers();
  options.sticky = sticky;
  Haproxy haproxy;
  if (auto error = haproxy.Start(options)) return error;
  if (auto error = Walk(title, options.port)) return error;
  if (!load) return std::nullopt;

  WrkOptions wrk;
  wrk.port = options.port;
  wrk.path = "/session";
  wrk.connections = 32;
  wrk.seconds = config.seconds;
  wrk.script = config.wrk_script;
  wrk.headers = {{"Cookie", "sid=load"}};
  std::string error;
  std::optional<LoadRun> run = RunWrk(wrk, config.run_dir + "/wrk.log", &error);
  if (!run) return error;
  std::printf("  %-40s %s\n", "  under load, 32 connections:", DescribeRun(*run).c_str());
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RunSessions(const DemoConfig& config) {
  std::printf(
      "\n== Stateless instances against sticky sessions (step sessions) ==\n"
      "  One client visits /session %d times with cookie sid=demo through\n"
      "  HAProxy over 3 instances. Each entry is visits@instance.\n",
      kVisits);
  ServiceFleet fleet(config.service_binary, config.run_dir);
  if (auto error = fleet.Start(3, InstanceOptions{})) return error;
  if (auto error = WalkBehind(config, fleet, false,
                              "memory, round robin:", /*load=*/true)) {
    return error;
  }
  // Fresh instances, so the sticky walk starts from zero too.
  if (auto error = fleet.Start(3, InstanceOptions{})) return error;
  if (auto error = WalkBehind(config, fleet, true,
                              "memory, sticky cookie:")) {
    return error;
  }

  // Move the state to Redis and go back to plain round robin.
  std::optional<std::string> redis_path = FindProgram("redis-server");
  if (!redis_path) {
    return "redis-server not found: install the Debian package redis-server "
           "(scripts/setup.sh does)";
  }
  const std::uint16_t redis_port = FreePort();
  ChildProcess redis;
  if (auto error = redis.Start({*redis_path, "--bind", "127.0.0.1", "--port",
                                std::to_string(redis_port), "--save", "",
                                "--appendonly", "no", "--dir", config.run_dir},
                               config.run_dir + "/redis.log")) {
    return error;
  }
  if (!WaitForPort(redis_port, std::chrono::seconds(5))) {
    return "redis-server did not listen on 127.0.0.1:" +
           std::to_string(redis_port) + " within 5 s: see " + config.run_dir +
           "/redis.log";
  }
  InstanceOptions shared_state;
  shared_state.redis_port = redis_port;
  if (auto error = fleet.Start(3, shared_state)) {
    return error;
  }
  if (auto error = WalkBehind(config, fleet, false,
                              "Redis, round robin:", /*load=*/true)) {
    return error;
  }
  std::printf(
      "  Reading: with state in each instance, round robin splits one\n"
      "  session's visits over three counters. A sticky cookie keeps the\n"
      "  client on one instance, which then holds the state: a crash loses\n"
      "  it and the load follows the users. With the state in Redis every\n"
      "  instance is interchangeable, for the cost of one Redis round trip\n"
      "  per request (compare the two loads) and one more service to run.\n");
  return std::nullopt;
}

}  // namespace scaling::demo
