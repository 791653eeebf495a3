// ServiceFleet: N scaling-service processes on free loopback ports, named
// app-1 ... app-N, for the demo's and tests' load-balancer runs.
//
// Each instance is a ChildProcess, so the fleet's destructor stops every
// one, also when a test fails early. Instances are separate processes
// (not threads of one), so a SIGKILL of one is a real crash that the load
// balancer's health checks have to notice.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scaling/demo/haproxy.h"
#include "scaling/demo/process.h"

namespace scaling::demo {

struct InstanceOptions {
  std::string handler = "fixed";  // fixed, io or cpu
  int threads = 1;
  bool shared_context = false;
  int io_delay_us = 1000;
  std::int64_t cpu_rounds = 50'000;
  int redis_port = 0;  // 0 keeps sessions in each instance's memory
};

class ServiceFleet {
 public:
  // service_binary is the path of scaling-service; logs go to
  // <log_dir>/app-N.log.
  ServiceFleet(std::string service_binary, std::string log_dir);

  // Start stops any running instances, then starts `count` new ones and
  // waits up to 5 s for each port. Returns an error message, or nullopt.
  std::optional<std::string> Start(int count, const InstanceOptions& options);

  // Kill sends SIGKILL to instance `index` (0-based), as a crash would.
  void Kill(std::size_t index);
  void Stop();

  // servers returns each instance's name and port, for HaproxyOptions.
  const std::vector<HaproxyServer>& servers() const { return servers_; }

 private:
  std::string service_binary_;
  std::string log_dir_;
  std::vector<HaproxyServer> servers_;
  std::vector<ChildProcess> processes_;
};

}  // namespace scaling::demo
