// rl-demo: what `./labkit demo rate_limiter` runs.
//
// Starts rl-service in this process on a free 127.0.0.1 port, or two
// instances sharing one Redis-backed limit with --store redis://HOST:PORT.
// Several clients then send about three times the configured limit for a
// bounded time. The demo prints one line per second and finally checks the
// allowed total against what the limit permits.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "labkit/clock.h"
#include "labkit/config.h"
#include "labkit/http/load_client.h"
#include "labkit/http/server.h"
#include "labkit/log.h"
#include "rate_limiter/service/service.h"
#include "rate_limiter/service/service_config.h"
#include "rate_limiter/service/store_factory.h"
#include "flags.h"

namespace {

constexpr labkit::Nanos kSecond = 1'000'000'000;

// The demo's limit: every client gets 25 requests per second, with bursts
// of up to 25, decided by GCRA.
constexpr std::int64_t kRatePerClient = 25;
constexpr std::int64_t kBurst = 25;
constexpr int kClients = 4;
constexpr int kLoadFactor = 3;
constexpr char kDemoConfig[] =
    "[tier default]\n"
    "rate = 25/s\n"
    "burst = 25\n"
    "algorithm = gcra\n";

struct Flags {
  int duration = 10;
  std::string store = "memory";
};

// Instance is one running rl-service: its store, handler and server.
struct Instance {
  rl::service::StoreSetup store;
  std::unique_ptr<rl::service::RateLimitService> service;
  std::unique_ptr<labkit::http::Server> server;
  std::uint16_t port = 0;
};

double Millis(labkit::Nanos nanos) { return static_cast<double>(nanos) / 1e6; }

// StartInstance starts one service on a free loopback port, or returns
// nullptr after printing why it could not.
std::unique_ptr<Instance> StartInstance(
    const rl::service::ServiceConfig& config, const std::string& store_spec,
    const labkit::Clock& clock) {
  auto instance = std::make_unique<Instance>();
  std::string error;
  instance->store = rl::service::MakeStore(store_spec, /*fail_open=*/false,
                                           &error);
  if (instance->store.store == nullptr) {
    std::fprintf(stderr, "rl-demo: %s\n", error.c_str());
    return nullptr;
  }

  // A probe decision shows whether the store can decide at all (Redis up).
  const rl::Limit probe{"demo-probe", rl::Algorithm::kGcra,
                        rl::Quota::PerSecond(1000)};
  const rl::LimitRequest request{.key = "probe", .limit = &probe};
  instance->store.store->DecideAll({&request, 1}, clock.Now());
  if (instance->store.errors() != 0) {
    std::fprintf(stderr,
                 "rl-demo: cannot reach Redis at %s. Start one on this "
                 "machine with\n"
                 "  redis-server --port PORT --bind 127.0.0.1 --save '' "
                 "--appendonly no --daemonize yes\n"
                 "then pass --store redis://127.0.0.1:PORT, and stop it "
                 "afterwards with\n"
                 "  redis-cli -p PORT shutdown nosave\n",
                 store_spec.c_str());
    return nullptr;
  }

  instance->service = std::make_unique<rl::service::RateLimitService>(
      config, *instance->store.store, clock);
  labkit::http::ServerOptions options = config.server;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  rl::service::RateLimitService* service = instance->service.get();
  instance->server = std::make_unique<labkit::http::Server>(
      options, [service](const labkit::http::Request& r) {
        return service->Handle(r);
      });
  try {
    instance->port = instance->server->Start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rl-demo: %s\n", e.what());
    return nullptr;
  }
  return instance;
}

void PrintHeader(const Flags& flags, const std::vector<std::uint16_t>& ports,
                 const std::vector<std::string>& keys) {
  const bool redis = ports.size() > 1;
  std::printf("labkit demo: a rate-limited HTTP service under load\n\n");
  std::printf("What is running\n");
  if (redis) {
    std::printf(
        "  two rl-service instances in this process, on 127.0.0.1:%u and "
        "127.0.0.1:%u,\n  sharing one limit in Redis (%s)\n",
        ports[0], ports[1], flags.store.c_str());
  } else {
    std::printf(
        "  rl-service in this process on 127.0.0.1:%u, limits counted in "
        "memory\n",
        ports[0]);
  }
  std::printf(
      "  limit: %lld requests/s per client, bursts of up to %lld (GCRA), "
      "from this configuration:\n",
      static_cast<long long>(kRatePerClient), static_cast<long long>(kBurst));
  std::printf("      [tier default]\n      rate = 25/s\n      burst = 25\n"
              "      algorithm = gcra\n");
  std::printf(
      "  load: %d clients (X-API-Key %s ... %s), each sending %lld "
      "requests/s\n  (%dx its limit) for %d s, open loop over keep-alive "
      "connections%s\n\n",
      kClients, keys.front().c_str(), keys.back().c_str(),
      static_cast<long long>(kRatePerClient * kLoadFactor), kLoadFactor,
      flags.duration, redis ? ", split between the two instances" : "");
  std::printf("What to watch\n");
  std::printf(
      "  - allowed stays near %lld per second (%d clients x %lld/s); the "
      "rest get 429\n    Too Many Requests with a Retry-After header.\n",
      static_cast<long long>(kClients * kRatePerClient), kClients,
      static_cast<long long>(kRatePerClient));
  std::printf(
      "  - second 0 allows more: each client starts with a full burst of "
      "%lld.\n",
      static_cast<long long>(kBurst));
  if (redis) {
    std::printf(
        "  - the two instances together allow one limit, not two: the "
        "state lives in Redis.\n");
  }
  std::printf("  - latency is measured from each request's scheduled send "
              "time.\n\n");
  std::printf("%6s %7s %8s %9s %7s %8s %8s %8s\n", "second", "sent",
              "allowed", "rejected", "other", "limit/s", "p50 ms", "p99 ms");
}

void PrintSecond(const labkit::http::LoadSecond& second) {
  const labkit::http::LoadCounts& c = second.counts;
  std::printf("%6d %7llu %8llu %9llu %7llu %8lld %8.2f %8.2f\n", second.second,
              static_cast<unsigned long long>(c.sent),
              static_cast<unsigned long long>(c.ok),
              static_cast<unsigned long long>(c.rejected),
              static_cast<unsigned long long>(c.other + c.errors),
              static_cast<long long>(kClients * kRatePerClient),
              Millis(c.latency.p50), Millis(c.latency.p99));
  std::fflush(stdout);
}

// PrintSummary compares the allowed total with what the limit permits and
// returns whether the limit held.
bool PrintSummary(const labkit::http::LoadReport& report,
                  const std::vector<std::string>& keys, bool redis) {
  const labkit::http::LoadCounts& total = report.total;
  const double elapsed = static_cast<double>(report.elapsed) / kSecond;

  // Each client may use its burst plus the rate over the whole run.
  const std::int64_t per_client =
      kBurst + static_cast<std::int64_t>(
                   static_cast<__int128>(kRatePerClient) * report.elapsed /
                   kSecond);
  const std::int64_t permitted = per_client * kClients;
  const auto allowed = static_cast<std::int64_t>(total.ok);

  std::printf("\nSummary\n");
  std::printf(
      "  sent %llu, allowed %llu, rejected %llu (429), other answers %llu, "
      "socket errors %llu, unanswered %llu\n",
      static_cast<unsigned long long>(total.sent),
      static_cast<unsigned long long>(total.ok),
      static_cast<unsigned long long>(total.rejected),
      static_cast<unsigned long long>(total.other),
      static_cast<unsigned long long>(total.errors),
      static_cast<unsigned long long>(report.unfinished));
  std::printf("  latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              Millis(total.latency.p50), Millis(total.latency.p90),
              Millis(total.latency.p99), Millis(total.latency.max));
  for (std::size_t i = 0; i < keys.size() && i < report.by_request.size();
       ++i) {
    std::printf("  client %s: allowed %llu of %llu sent (at most %lld)\n",
                keys[i].c_str(),
                static_cast<unsigned long long>(report.by_request[i].ok),
                static_cast<unsigned long long>(report.by_request[i].sent),
                static_cast<long long>(per_client));
  }
  std::printf(
      "  in %.1f s the limit permits at most %lld: %d clients x (burst %lld "
      "+ %lld/s x %.1f s)\n",
      elapsed, static_cast<long long>(permitted), kClients,
      static_cast<long long>(kBurst), static_cast<long long>(kRatePerClient),
      elapsed);

  if (allowed > permitted) {
    std::printf(
        "  RESULT: %lld allowed is MORE than the limit permits: the limit "
        "did not hold.\n",
        static_cast<long long>(allowed));
    return false;
  }
  const double share = permitted > 0 ? 100.0 * allowed / permitted : 0;
  std::printf(
      "  RESULT: %lld allowed is within the limit (%.1f%% of what it "
      "permits)%s.\n",
      static_cast<long long>(allowed), share,
      redis ? ", across both instances together" : "");
  if (share < 90.0) {
    std::printf(
        "  NOTE: clients sending 3x the limit normally get above 90%% of it; "
        "a busy machine or socket errors lower the share.\n");
  }
  return true;
}

void PrintNextSteps(bool redis) {
  std::printf("\nTry next\n");
  std::printf("  ./labkit list                       the lab's exercises and "
              "your progress\n");
  if (!redis) {
    std::printf(
        "  ./labkit demo rate_limiter --store redis://127.0.0.1:6379\n"
        "                                      two instances sharing one "
        "limit in Redis.\n"
        "                                      It needs a Redis on that "
        "port, for example\n"
        "      redis-server --port 6379 --bind 127.0.0.1 --save '' "
        "--appendonly no --daemonize yes\n"
        "      (stop it afterwards with redis-cli -p 6379 shutdown nosave)\n");
  }
  std::printf("  labs/rate_limiter/README.md         how the limiter works, "
              "step by step\n");
  std::printf("  rate_limiter/service/ratelimit.conf tiers, per-route limits "
              "and algorithms\n");
}

int Run(const Flags& flags) {
  // Read the demo configuration.
  labkit::ConfigResult<labkit::ConfigFile> file =
      labkit::ConfigFile::Parse(kDemoConfig, "demo.conf");
  labkit::ConfigResult<rl::service::ServiceConfig> config =
      file.ok() ? rl::service::ParseServiceConfig(file.value())
                : labkit::ConfigResult<rl::service::ServiceConfig>(file.error());
  if (!config.ok()) {
    std::fprintf(stderr, "rl-demo: %s\n", config.error().message.c_str());
    return 1;
  }

  // Start one instance, or two sharing Redis.
  const bool redis = flags.store != "memory";
  labkit::SteadyClock clock;
  std::vector<std::unique_ptr<Instance>> instances;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < (redis ? 2 : 1); ++i) {
    std::unique_ptr<Instance> instance =
        StartInstance(config.value(), flags.store, clock);
    if (instance == nullptr) return 1;
    ports.push_back(instance->port);
    instances.push_back(std::move(instance));
  }

  // The clients: one API key each. The process id keeps keys fresh across
  // runs, so state a previous run left in Redis does not count.
  std::vector<std::string> keys;
  labkit::http::LoadOptions load;
  for (int i = 1; i <= kClients; ++i) {
    keys.push_back("demo-" + std::to_string(getpid()) + "-client-" +
                   std::to_string(i));
    labkit::http::LoadRequest request;
    request.target = "/api/items";
    request.headers = {{"X-API-Key", keys.back()}};
    load.requests.push_back(std::move(request));
  }
  load.ports = ports;
  load.rate = kClients * kRatePerClient * kLoadFactor;
  load.connections = 8;
  load.duration = flags.duration * kSecond;
  load.drain_timeout = 2 * kSecond;

  // Run the load, one line per second.
  PrintHeader(flags, ports, keys);
  labkit::http::LoadReport report = labkit::http::RunLoad(load, PrintSecond);

  for (auto& instance : instances) instance->server->Stop();
  const bool limit_held = PrintSummary(report, keys, redis);
  if (redis) {
    // The split shows that neither instance enforced the limit alone.
    for (const auto& instance : instances) {
      const rl::service::ServiceStats stats = instance->service->stats();
      std::printf("  instance on port %u: allowed %llu, rejected %llu\n",
                  instance->port,
                  static_cast<unsigned long long>(stats.allowed),
                  static_cast<unsigned long long>(stats.rejected));
    }
  }
  PrintNextSteps(redis);
  return limit_held && report.total.ok > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "rl-demo: a rate-limited HTTP service on 127.0.0.1 under 3x its limit"};
  Flags flags;
  app.add_option("--duration", flags.duration, "seconds of load (1 to 120)")
      ->check(rl::service::WholeNumber(1, 120, "a whole number of seconds"));
  app.add_option("--store", flags.store,
                 "memory, or redis://HOST:PORT for two instances sharing "
                 "one limit (that Redis must be running)")
      ->check(rl::service::StoreSpec());
  if (std::optional<int> status = rl::service::ParseFlags(app, argc, argv)) {
    return *status;
  }

  // Only warnings and errors: the demo's own output explains the run.
  labkit::InitLogging("rl-demo", "warn");
  return Run(flags);
}
