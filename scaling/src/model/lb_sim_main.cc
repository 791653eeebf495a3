// scaling-lb-sim: compare load-balancing policies over hundreds of servers
// with a discrete-event simulation (see scaling/simulator.h for the model).
//
//   scaling-lb-sim
//   scaling-lb-sim --servers 500 --utilisation 0.5,0.9 --distribution pareto
//   scaling-lb-sim --data lb.dat
//
// It prints one row per utilisation and policy: latency percentiles and
// queue statistics. With --data it also writes the rows for gnuplot, in the
// format kDataFormat below describes.
//
// Exit status: 0 after every run, 1 when a run fails (a timeout, an
// unwritable data file), 2 after a usage error.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

#include "labkit/flags.h"
#include "scaling/simulator.h"

namespace {

constexpr char kDataFormat[] =
    "The data file holds one gnuplot block per policy, in the order "
    "round_robin, random, least_connections, two_choices (index 0 to 3), "
    "blocks separated by two blank lines. Each row is one utilisation: "
    "utilisation p50_ms p99_ms p999_ms mean_ms max_queue. Lines starting "
    "with # are comments; the first comment line repeats the run's "
    "settings.";

struct Flags {
  int servers = 200;
  std::vector<double> utilisations = {0.5, 0.7, 0.8, 0.9, 0.95};
  std::int64_t requests = 500000;
  std::uint64_t seed = 1;
  std::string distribution = "lognormal";
  double mean_service_ms = 1.0;
  double max_seconds = 60;
  std::string data;
};

// Fraction returns a validator for a number strictly between 0 and 1.
CLI::Validator Fraction() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        const char* end = text.data() + text.size();
        auto [stop, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || stop != end) {
          return "'" + text + "' is not a number. Expected a fraction above "
                 "0 and below 1, such as 0.9.";
        }
        if (!(value > 0 && value < 1)) {
          return "'" + text + "' is out of range. Expected a fraction above "
                 "0 and below 1: at 1 or more the queues grow without bound.";
        }
        return "";
      },
      "");
}

// PositiveNumber returns a validator for a finite number above 0.
CLI::Validator PositiveNumber(std::string what) {
  return CLI::Validator(
      [what](std::string& text) -> std::string {
        double value = 0;
        const char* end = text.data() + text.size();
        auto [stop, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || stop != end || !(value > 0) ||
            value > 1e9) {
          return "'" + text + "' is invalid. Expected " + what + " above 0.";
        }
        return "";
      },
      "");
}

double Millis(double seconds) { return seconds * 1e3; }

int MaxQueue(const scaling::SimulationResult& result) {
  int most = 0;
  for (const scaling::ServerStats& server : result.servers) {
    most = std::max(most, server.max_outstanding);
  }
  return most;
}

double MeanQueue(const scaling::SimulationResult& result) {
  double sum = 0;
  for (const scaling::ServerStats& server : result.servers) {
    sum += server.mean_outstanding;
  }
  return sum / static_cast<double>(result.servers.size());
}

// Row is one run, kept for the data file.
struct Row {
  double utilisation = 0;
  scaling::SimulationResult result;
};

bool WriteData(const Flags& flags, const std::string& settings,
               const std::vector<Row>& rows) {
  std::FILE* file = std::fopen(flags.data.c_str(), "w");
  if (file == nullptr) return false;

  std::fprintf(file, "# scaling-lb-sim: %s\n# %s\n", settings.c_str(),
               kDataFormat);
  bool first_block = true;
  for (scaling::PolicyKind kind : scaling::kAllPolicies) {
    const std::string_view name = scaling::PolicyName(kind);
    std::fprintf(file, "%s# policy %.*s\n", first_block ? "" : "\n\n",
                 static_cast<int>(name.size()), name.data());
    first_block = false;
    for (const Row& row : rows) {
      if (row.result.policy != name) continue;
      const scaling::SimulationResult& r = row.result;
      std::fprintf(file, "%.4g %.6g %.6g %.6g %.6g %d\n", row.utilisation,
                   Millis(r.p50), Millis(r.p99), Millis(r.p999),
                   Millis(r.mean_latency), MaxQueue(r));
    }
  }
  return std::fclose(file) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{
      "Simulate one load balancer in front of many servers and compare "
      "round robin, random, least connections and the power of two choices "
      "by latency percentiles. Requests arrive as a Poisson process; each "
      "server serves one request at a time, first come first served."};
  app.add_option("--servers", flags.servers, "number of servers")
      ->check(labkit::WholeNumber(1, scaling::kMaxServers, "a server count"))
      ->capture_default_str();
  app.add_option("--utilisation", flags.utilisations,
                 "offered load as a fraction of the servers' capacity; a "
                 "comma-separated list runs each")
      ->delimiter(',')
      ->check(Fraction())
      ->capture_default_str();
  app.add_option("--requests", flags.requests,
                 "requests to simulate in each run")
      ->check(labkit::WholeNumber(1, scaling::kMaxRequests,
                                  "a number of requests"))
      ->capture_default_str();
  app.add_option("--seed", flags.seed,
                 "random seed; the same seed gives the same result")
      ->capture_default_str();
  app.add_option("--distribution", flags.distribution,
                 "service times: exponential, bimodal (90% short, 10% ten "
                 "times longer), lognormal (shape 1) or pareto (shape 2.1)")
      ->check(labkit::OneOf({"exponential", "bimodal", "lognormal", "pareto"}))
      ->capture_default_str();
  app.add_option("--mean-service-ms", flags.mean_service_ms,
                 "mean service time, in milliseconds")
      ->check(PositiveNumber("a number of milliseconds"))
      ->capture_default_str();
  app.add_option("--max-seconds", flags.max_seconds,
                 "wall-clock limit of each run, in seconds")
      ->check(PositiveNumber("a number of seconds"))
      ->capture_default_str();
  app.add_option("--data", flags.data,
                 std::string("also write the results for gnuplot to this "
                             "file. ") + kDataFormat);
  if (std::optional<int> status = labkit::ParseFlags(app, argc, argv)) {
    return *status;
  }

  scaling::SimulationConfig config;
  config.servers = flags.servers;
  config.requests = flags.requests;
  config.seed = flags.seed;
  config.distribution = *scaling::ParseServiceDistribution(flags.distribution);
  config.mean_service_seconds = flags.mean_service_ms / 1e3;
  config.max_wall_seconds = flags.max_seconds;

  char settings[256];
  std::snprintf(settings, sizeof settings,
                "%d servers, %s service times with mean %g ms, %lld requests "
                "per run, seed %llu",
                flags.servers, flags.distribution.c_str(),
                flags.mean_service_ms, static_cast<long long>(flags.requests),
                static_cast<unsigned long long>(flags.seed));
  std::printf("scaling-lb-sim: %s\n\n", settings);
  std::printf("%-11s  %-17s  %9s  %9s  %9s  %9s  %10s  %9s\n", "utilisation",
              "policy", "p50 ms", "p99 ms", "p99.9 ms", "mean ms",
              "mean queue", "max queue");

  std::vector<Row> rows;
  for (double utilisation : flags.utilisations) {
    config.utilisation = utilisation;
    for (scaling::PolicyKind kind : scaling::kAllPolicies) {
      scaling::ModelResult<scaling::SimulationResult> result =
          scaling::Simulate(config, kind);
      if (!result.ok()) {
        std::fprintf(stderr, "scaling-lb-sim: %s\n", result.error().c_str());
        return 1;
      }
      const scaling::SimulationResult& r = result.value();
      std::printf("%-11.2f  %-17s  %9.3f  %9.3f  %9.3f  %9.3f  %10.2f  %9d\n",
                  utilisation, r.policy.c_str(), Millis(r.p50), Millis(r.p99),
                  Millis(r.p999), Millis(r.mean_latency), MeanQueue(r),
                  MaxQueue(r));
      rows.push_back({utilisation, r});
    }
  }

  if (!flags.data.empty()) {
    if (!WriteData(flags, settings, rows)) {
      std::fprintf(stderr, "scaling-lb-sim: failed to write '%s'\n",
                   flags.data.c_str());
      return 1;
    }
    std::printf("\ndata written to %s\n", flags.data.c_str());
  }
  return 0;
}
