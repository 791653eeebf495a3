#include "scaling/demo/service_fleet.h"

#include <signal.h>

#include <chrono>
#include <utility>

namespace scaling::demo {

ServiceFleet::ServiceFleet(std::string service_binary, std::string log_dir)
    : service_binary_(std::move(service_binary)), log_dir_(std::move(log_dir)) {}

std::optional<std::string> ServiceFleet::Start(int count,
                                               const InstanceOptions& options) {
  Stop();
  for (int i = 1; i <= count; ++i) {
    HaproxyServer server{.name = "app-" + std::to_string(i), .port = FreePort()};
    if (server.port == 0) return "no free port on 127.0.0.1 for " + server.name;

    std::vector<std::string> argv = {
        service_binary_, "--port", std::to_string(server.port),
        "--instance-name", server.name,
        "--handler", options.handler,
        "--threads", std::to_string(options.threads),
        "--io-delay-us", std::to_string(options.io_delay_us),
        "--cpu-rounds", std::to_string(options.cpu_rounds),
        "--redis-port", std::to_string(options.redis_port),
        "--log-level", "warn"};
    if (options.shared_context) argv.push_back("--shared-context");

    const std::string log_path = log_dir_ + "/" + server.name + ".log";
    ChildProcess process;
    if (auto error = process.Start(argv, log_path)) return error;
    if (!WaitForPort(server.port, std::chrono::seconds(5))) {
      return server.name + " (" + Join(argv) +
             ") did not listen within 5 s: see " + log_path;
    }
    processes_.push_back(std::move(process));
    servers_.push_back(std::move(server));
  }
  return std::nullopt;
}

void ServiceFleet::Kill(std::size_t index) {
  if (index < processes_.size()) processes_[index].Kill(SIGKILL);
}

void ServiceFleet::Stop() {
  for (ChildProcess& process : processes_) process.Stop();
  processes_.clear();
  servers_.clear();
}

}  // namespace scaling::demo
