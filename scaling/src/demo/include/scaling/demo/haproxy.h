// HAProxy in front of the scaling service's instances: a generated
// configuration (HAProxy 2.6, Debian 12's package) and the process that
// runs it on 127.0.0.1.
//
// The configuration has one frontend on 127.0.0.1:port and one backend with
// the chosen balance algorithm. The backend checks GET /health on every
// server each check_interval (`option httpchk`): `fall` failures in a row
// mark a server DOWN and `rise` successes bring it back. An optional cookie
// makes sessions sticky, and an admin socket in `directory` lets
// ServerStates read each server's state.
//
// Keep-alive to the instances: HAProxy reuses server connections by default
// in http mode. server_keep_alive = false adds `option http-server-close`,
// so HAProxy opens a new connection to an instance for every request while
// the client's connection stays open.
//
// Thread-safety: none.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scaling/demo/process.h"

namespace scaling::demo {

enum class Balance {
  kRoundRobin,      // balance roundrobin
  kLeastConn,       // balance leastconn
  kConsistentHash,  // balance uri whole + hash-type consistent
};

const char* BalanceName(Balance balance);

struct HaproxyServer {
  std::string name;  // HAProxy server name and sticky cookie value
  std::uint16_t port = 0;
};

struct HaproxyOptions {
  std::uint16_t port = 0;
  // directory contains the pid file and the admin socket. It must exist.
  std::string directory;
  Balance balance = Balance::kRoundRobin;
  std::vector<HaproxyServer> servers;
  // sticky inserts a cookie SRV=<server name> and routes by it.
  bool sticky = false;
  bool server_keep_alive = true;
  std::chrono::milliseconds check_interval{200};
  int fall = 2;
  int rise = 2;
  int threads = 1;
  // A failed connect to a server is retried `retries` times, each after
  // up to connect_timeout; with redispatch the last retry goes to another
  // server. Without it, requests assigned to a dead server wait out every
  // retry before a 503.
  std::chrono::milliseconds connect_timeout{1000};
  int retries = 3;
  bool redispatch = false;
};

// ValidateHaproxyOptions returns a message naming the first invalid option
// (no servers, a port of 0, a server name HAProxy rejects, ...), or nullopt.
std::optional<std::string> ValidateHaproxyOptions(const HaproxyOptions& options);

// HaproxyConfig returns the configuration text for `options`.
// REQUIRES: ValidateHaproxyOptions(options) is nullopt.
std::string HaproxyConfig(const HaproxyOptions& options);

// Haproxy runs `haproxy -db -f <directory>/haproxy.cfg` and stops it when
// destroyed.
class Haproxy {
 public:
  // Start validates the options, writes the configuration, checks it with
  // `haproxy -c`, starts HAProxy and waits up to 5 s for its port. Returns
  // an error message, or nullopt.
  std::optional<std::string> Start(const HaproxyOptions& options);
  void Stop();

  // ServerStates returns each server's check status from the admin socket
  // ("UP", "DOWN", "UP 1/2", ...), or an empty map if the socket does not
  // respond.
  std::map<std::string, std::string> ServerStates() const;

  const HaproxyOptions& options() const { return options_; }

 private:
  HaproxyOptions options_;
  ChildProcess process_;
};

}  // namespace scaling::demo
