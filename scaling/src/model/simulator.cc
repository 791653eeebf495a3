// The discrete-event load-balancing simulation: see simulator.h for the
// model.
//
// Each server serves first come first served, one request at a time, so a
// request's departure time is known the moment it arrives:
//   departure = max(arrival, the server's previous departure) + service.
// The only events to order are therefore the arrivals, which come in time
// order, and the departures, kept in a min-heap. Before each arrival every
// departure up to that time is applied, so the policy sees the exact
// number of requests each server holds.

#include "scaling/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <queue>
#include <string>
#include <utility>

namespace scaling {
namespace {

// Shapes of the service-time distributions, each scaled to mean 1.
constexpr double kBimodalLongFraction = 0.1;
constexpr double kBimodalLongFactor = 10.0;
constexpr double kLognormalShape = 1.0;
constexpr double kParetoShape = 2.1;

// The interval, in requests, between checks of the wall-clock limit.
constexpr std::int64_t kClockCheckInterval = 1 << 14;

// A seed for the policy's random source, apart from the workload's, so the
// workload is the same whatever the policy draws.
constexpr std::uint64_t kPolicySeedSalt = 0x5DEECE66DULL;

// SampleService returns one service time with mean 1.
double SampleService(ServiceDistribution distribution, SeededRandom& random) {
  constexpr double kPi = 3.14159265358979323846;
  switch (distribution) {
    case ServiceDistribution::kExponential:
      return -std::log(random.Uniform());

    case ServiceDistribution::kBimodal: {
      // Mean of the mixture: (1 - p) s + p f s = 1.
      const double short_time =
          1.0 / (1.0 - kBimodalLongFraction +
                 kBimodalLongFraction * kBimodalLongFactor);
      const bool is_long = random.Uniform() < kBimodalLongFraction;
      return is_long ? short_time * kBimodalLongFactor : short_time;
    }

    case ServiceDistribution::kLognormal: {
      // exp(mu + shape Z) with Z standard normal (Box-Muller), and
      // mu = -shape^2 / 2 for mean 1.
      const double z = std::sqrt(-2.0 * std::log(random.Uniform())) *
                       std::cos(2.0 * kPi * random.Uniform());
      const double mu = -0.5 * kLognormalShape * kLognormalShape;
      return std::exp(mu + kLognormalShape * z);
    }

    case ServiceDistribution::kPareto: {
      // Inverse transform, with the scale that gives mean 1.
      const double scale = (kParetoShape - 1.0) / kParetoShape;
      return scale / std::pow(random.Uniform(), 1.0 / kParetoShape);
    }
  }
  return 1.0;
}

// CheckConfig returns the first invalid field of `config`, or "".
std::string CheckConfig(const SimulationConfig& config) {
  if (config.servers < 1 || config.servers > kMaxServers) {
    return "invalid servers " + std::to_string(config.servers) +
           ": expected 1 to " + std::to_string(kMaxServers);
  }
  if (!(config.utilisation > 0 && config.utilisation < 1)) {
    return "invalid utilisation " + std::to_string(config.utilisation) +
           ": expected a fraction above 0 and below 1 (at 1 or more the "
           "queues grow without bound)";
  }
  if (config.requests < 1 || config.requests > kMaxRequests) {
    return "invalid requests " + std::to_string(config.requests) +
           ": expected 1 to " + std::to_string(kMaxRequests);
  }
  if (!(config.mean_service_seconds > 0) ||
      !std::isfinite(config.mean_service_seconds)) {
    return "invalid mean service time " +
           std::to_string(config.mean_service_seconds) +
           " s: expected a finite number of seconds above 0";
  }
  if (!(config.max_wall_seconds > 0)) {
    return "invalid wall-clock limit " +
           std::to_string(config.max_wall_seconds) +
           " s: expected a number of seconds above 0";
  }
  return "";
}

// Percentile returns the nearest-rank percentile of sorted `values`.
double Percentile(const std::vector<double>& sorted, double fraction) {
  const double rank = std::ceil(fraction * static_cast<double>(sorted.size()));
  const std::size_t index =
      std::clamp<std::size_t>(static_cast<std::size_t>(rank), 1,
                              sorted.size()) - 1;
  return sorted[index];
}

// Servers tracks what each server holds, and integrates it over time.
class Servers {
 public:
  explicit Servers(int count)
      : outstanding_(count, 0), free_at_(count, 0.0), stats_(count),
        area_(count, 0.0), last_change_(count, 0.0), busy_(count, 0.0) {}

  std::span<const int> outstanding() const { return outstanding_; }

  // Admit queues a request that arrives at `now` on `server` and returns
  // its departure time.
  double Admit(std::size_t server, double now, double service) {
    Change(server, now, +1);
    const double departure = std::max(now, free_at_[server]) + service;
    free_at_[server] = departure;
    busy_[server] += service;
    stats_[server].served += 1;
    return departure;
  }

  void Depart(std::size_t server, double now) { Change(server, now, -1); }

  // Finish closes the run at `end` and returns each server's statistics.
  std::vector<ServerStats> Finish(double end) {
    for (std::size_t i = 0; i < stats_.size(); ++i) {
      Change(i, end, 0);
      stats_[i].mean_outstanding = end > 0 ? area_[i] / end : 0;
      stats_[i].utilisation = end > 0 ? busy_[i] / end : 0;
    }
    return std::move(stats_);
  }

 private:
  void Change(std::size_t server, double now, int delta) {
    area_[server] += outstanding_[server] * (now - last_change_[server]);
    last_change_[server] = now;
    outstanding_[server] += delta;
    stats_[server].max_outstanding =
        std::max(stats_[server].max_outstanding, outstanding_[server]);
  }

  std::vector<int> outstanding_;
  std::vector<double> free_at_;  // when each server finishes its queue
  std::vector<ServerStats> stats_;
  std::vector<double> area_;     // integral of outstanding over time
  std::vector<double> last_change_;
  std::vector<double> busy_;     // total service time given
};

using Departure = std::pair<double, std::size_t>;  // (time, server)
using DepartureHeap =
    std::priority_queue<Departure, std::vector<Departure>, std::greater<>>;

void ApplyDepartures(double until, DepartureHeap& departures,
                     Servers& servers) {
  while (!departures.empty() && departures.top().first <= until) {
    servers.Depart(departures.top().second, departures.top().first);
    departures.pop();
  }
}

// Summarize fills the latency and Little's-law fields from the run.
void Summarize(std::vector<double>& latencies, double end,
               SimulationResult* result) {
  result->duration = end;
  result->arrival_rate = static_cast<double>(latencies.size()) / end;

  double sum = 0;
  for (double latency : latencies) sum += latency;
  result->mean_latency = sum / static_cast<double>(latencies.size());

  double in_system = 0;
  for (const ServerStats& server : result->servers) {
    in_system += server.mean_outstanding;
  }
  result->mean_in_system = in_system;

  std::sort(latencies.begin(), latencies.end());
  result->p50 = Percentile(latencies, 0.50);
  result->p99 = Percentile(latencies, 0.99);
  result->p999 = Percentile(latencies, 0.999);
  result->max_latency = latencies.back();
}

}  // namespace

ModelResult<SimulationResult> Simulate(const SimulationConfig& config,
                                       Policy& policy) {
  if (std::string problem = CheckConfig(config); !problem.empty()) {
    return ModelError{"simulation config: " + problem};
  }
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(config.max_wall_seconds));

  SeededRandom workload(config.seed);
  SeededRandom policy_random(config.seed ^ kPolicySeedSalt);
  const double mean = config.mean_service_seconds;
  const double arrival_rate = config.utilisation * config.servers / mean;

  Servers servers(config.servers);
  DepartureHeap departures;
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(config.requests));

  // Each arrival: apply earlier departures, let the policy choose, queue.
  double now = 0;
  for (std::int64_t i = 0; i < config.requests; ++i) {
    if (i % kClockCheckInterval == 0 && i > 0 &&
        std::chrono::steady_clock::now() > deadline) {
      return ModelError{"simulation timed out after " +
                        std::to_string(config.max_wall_seconds) +
                        " s at request " + std::to_string(i) + " of " +
                        std::to_string(config.requests) +
                        "; simulate fewer requests or servers"};
    }
    ApplyDepartures(now, departures, servers);

    const std::size_t server = policy.Choose(servers.outstanding(),
                                             policy_random);
    if (server >= static_cast<std::size_t>(config.servers)) {
      return ModelError{"policy " + std::string(policy.Name()) +
                        " chose server " + std::to_string(server) +
                        ", but the servers are 0 to " +
                        std::to_string(config.servers - 1)};
    }
    const double service =
        mean * SampleService(config.distribution, workload);
    const double departure = servers.Admit(server, now, service);
    departures.emplace(departure, server);
    latencies.push_back(departure - now);

    now += -std::log(workload.Uniform()) / arrival_rate;
  }

  // Drain: the run ends when the last request departs.
  double end = 0;
  while (!departures.empty()) {
    end = departures.top().first;
    ApplyDepartures(end, departures, servers);
  }

  SimulationResult result;
  result.policy = policy.Name();
  result.requests = config.requests;
  result.servers = servers.Finish(end);
  Summarize(latencies, end, &result);
  return result;
}

ModelResult<SimulationResult> Simulate(const SimulationConfig& config,
                                       PolicyKind kind) {
  std::unique_ptr<Policy> policy = MakePolicy(kind);
  return Simulate(config, *policy);
}

std::string_view ServiceDistributionName(ServiceDistribution distribution) {
  switch (distribution) {
    case ServiceDistribution::kExponential: return "exponential";
    case ServiceDistribution::kBimodal: return "bimodal";
    case ServiceDistribution::kLognormal: return "lognormal";
    case ServiceDistribution::kPareto: return "pareto";
  }
  return "unknown";
}

std::optional<ServiceDistribution> ParseServiceDistribution(
    std::string_view name) {
  for (ServiceDistribution distribution :
       {ServiceDistribution::kExponential, ServiceDistribution::kBimodal,
        ServiceDistribution::kLognormal, ServiceDistribution::kPareto}) {
    if (ServiceDistributionName(distribution) == name) return distribution;
  }
  return std::nullopt;
}

}  // namespace scaling
