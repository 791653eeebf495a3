// A discrete-event simulation of one load balancer in front of many
// servers, to compare load-balancing policies at a scale no laptop can run
// for real (hundreds of servers, millions of requests).
//
// The model:
//   - Requests arrive as a Poisson process. The arrival rate is
//     utilisation * servers / mean service time, so `utilisation` is the
//     offered load as a fraction of the servers' total capacity.
//   - The balancer sends each request, at its arrival, to the server its
//     Policy chooses. The policy reads the exact number of requests at each
//     server, but not their service times.
//   - Each server serves one request at a time, first come first served.
//     Service times are independent draws from a ServiceDistribution.
//   - Latency is the time from arrival to the end of service.
//
// Every policy run with the same config and seed sees the same arrival
// times and the same sequence of service times (common random numbers), so
// differences between policies are the policies' own. A run is
// deterministic: the same config gives the same result on every machine.
//
//   scaling::SimulationConfig config;
//   config.servers = 200;
//   config.utilisation = 0.9;
//   auto result = scaling::Simulate(config, scaling::PolicyKind::kTwoChoices);
//   if (result.ok()) std::printf("p99 %.3f ms\n", result.value().p99 * 1e3);
//
// Simulate is a pure function of its arguments; any thread may call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "scaling/balancer.h"
#include "scaling/model_result.h"

namespace scaling {

// ServiceDistribution is the shape of the service times. Every shape is
// scaled to the configured mean.
enum class ServiceDistribution {
  kExponential,  // memoryless, coefficient of variation (CV) 1
  kBimodal,      // 90% short requests and 10% that take 10 times as long,
                 // CV about 1.42
  kLognormal,    // lognormal with shape 1: a long right tail, CV about 1.31
  kPareto,       // Pareto with shape 2.1: a heavy tail, CV about 2.18
};

// ServiceDistributionName returns "exponential", "bimodal", "lognormal" or
// "pareto".
std::string_view ServiceDistributionName(ServiceDistribution distribution);

// ParseServiceDistribution returns the distribution with the given name, or
// nullopt.
std::optional<ServiceDistribution> ParseServiceDistribution(
    std::string_view name);

// Limits that keep one run bounded in memory (16 bytes per request) and time.
inline constexpr int kMaxServers = 100000;
inline constexpr std::int64_t kMaxRequests = 20000000;

struct SimulationConfig {
  int servers = 100;                  // 1 to kMaxServers
  double utilisation = 0.8;           // offered load / capacity, in (0, 1)
  std::int64_t requests = 200000;     // arrivals to simulate, 1 to kMaxRequests
  double mean_service_seconds = 0.001;  // > 0
  ServiceDistribution distribution = ServiceDistribution::kLognormal;
  std::uint64_t seed = 1;

  // A run that takes longer than this in wall-clock time stops with an
  // error instead of a result.
  double max_wall_seconds = 60;
};

// ServerStats describes one server over a run.
struct ServerStats {
  std::int64_t served = 0;        // requests it served
  double mean_outstanding = 0;    // time-averaged outstanding requests
  int max_outstanding = 0;        // maximum outstanding requests at once
  double utilisation = 0;         // fraction of the run it was busy
};

// SimulationResult is one policy's run. Times are in seconds.
struct SimulationResult {
  std::string policy;             // Policy::Name()
  std::int64_t requests = 0;

  // Latency percentiles (nearest rank), mean and maximum.
  double p50 = 0;
  double p99 = 0;
  double p999 = 0;
  double mean_latency = 0;
  double max_latency = 0;

  // From the first arrival (time 0) to the last departure.
  double duration = 0;
  // Requests per second over `duration`.
  double arrival_rate = 0;
  // The time-averaged number of requests in the system, measured from the
  // servers' queue lengths. By Little's law it equals
  // arrival_rate * mean_latency.
  double mean_in_system = 0;

  std::vector<ServerStats> servers;
};

// Simulate runs `config.requests` requests through `policy`. It calls
// policy.Choose once per request, with a random source seeded from
// config.seed. Errors: a config value out of range (the message names the
// field and value), a policy that returns an index outside the servers, or
// a run longer than config.max_wall_seconds.
ModelResult<SimulationResult> Simulate(const SimulationConfig& config,
                                       Policy& policy);

// Simulate runs a new policy of the given kind.
ModelResult<SimulationResult> Simulate(const SimulationConfig& config,
                                       PolicyKind kind);

}  // namespace scaling
