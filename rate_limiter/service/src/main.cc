// rl-service: the rate-limited HTTP service on 127.0.0.1.
//
//   rl-service --config rate_limiter/service/ratelimit.conf --port 8080
//   curl -i http://127.0.0.1:8080/api/items -H 'X-API-Key: demo-premium-1'
//   curl http://127.0.0.1:8080/metrics
//
// SIGINT or SIGTERM stops it cleanly.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "labkit/clock.h"
#include "labkit/http/server.h"
#include "labkit/log.h"
#include "rate_limiter/service/service.h"
#include "rate_limiter/service/service_config.h"
#include "rate_limiter/service/store_factory.h"
#include "flags.h"

namespace {

struct Flags {
  std::string config;
  int port = 8080;
  int threads = 1;
  std::string store = "memory";
  std::string failure_policy = "open";
  std::string log_level = "info";
};

// WaitForStopSignal blocks until SIGINT or SIGTERM arrives and returns its
// name. REQUIRES: both are blocked in every thread (see main).
const char* WaitForStopSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

int Run(const Flags& flags) {
  // Read the configuration and open the store.
  labkit::ConfigResult<rl::service::ServiceConfig> config =
      rl::service::LoadServiceConfig(flags.config);
  if (!config.ok()) {
    spdlog::error("{}", config.error().message);
    return 2;
  }
  if (auto problem = rl::service::CheckConfigForStore(config.value(),
                                                      flags.store)) {
    spdlog::error("{}: {}", flags.config, *problem);
    return 2;
  }
  std::string error;
  rl::service::StoreSetup store = rl::service::MakeStore(
      flags.store, flags.failure_policy == "open", &error);
  if (store.store == nullptr) {
    spdlog::error("{}", error);
    return 2;
  }

  // Block the stop signals before any thread starts, so only sigwait sees
  // them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Start the server with the service as its handler.
  labkit::SteadyClock clock;
  labkit::http::ServerOptions options = config.value().server;
  options.address = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(flags.port);
  options.threads = flags.threads;
  rl::service::RateLimitService service(std::move(config).value(),
                                        *store.store, clock);
  labkit::http::Server server(options,
                              [&service](const labkit::http::Request& request) {
                                return service.Handle(request);
                              });
  service.SetServerStats([&server] { return server.stats(); });
  service.SetStoreErrors(store.errors);
  std::uint16_t port = 0;
  try {
    port = server.Start();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  spdlog::info(
      "rl-service started on 127.0.0.1:{} with {} thread(s), store {}, "
      "failure policy {}, {} tier(s) and {} route(s) from {}",
      port, flags.threads, store.store->Name(), flags.failure_policy,
      service.config().tiers.size(), service.config().routes.size(),
      flags.config);

  // Serve until a stop signal.
  const char* signal = WaitForStopSignal(signals);
  spdlog::info("rl-service stopping on {}", signal);
  server.Stop();
  const rl::service::ServiceStats stats = service.stats();
  spdlog::info("rl-service stopped: {} requests, {} allowed, {} rejected",
               stats.requests, stats.allowed, stats.rejected);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rl-service: a rate-limited HTTP service on 127.0.0.1"};
  Flags flags;
  app.add_option("--config", flags.config,
                 "configuration file (see rate_limiter/service/ratelimit.conf)")
      ->required()
      ->check(rl::service::ExistingFile());
  app.add_option("--port", flags.port, "TCP port on 127.0.0.1, 0 to 65535 (0 picks a free one)")
      ->check(rl::service::WholeNumber(0, 65535, "a port number"));
  app.add_option("--threads", flags.threads, "server threads (event loops), 1 to 256")
      ->check(rl::service::WholeNumber(1, 256, "a number of threads"));
  app.add_option("--store", flags.store,
                 "where limits are counted: memory or redis://HOST:PORT")
      ->check(rl::service::StoreSpec());
  app.add_option("--failure-policy", flags.failure_policy,
                 "with Redis unreachable: open (allow) or closed (reject)")
      ->check(rl::service::OneOf({"open", "closed"}));
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error or off")
      ->check(rl::service::OneOf(
          {"trace", "debug", "info", "warn", "error", "off"}));
  if (std::optional<int> status = rl::service::ParseFlags(app, argc, argv)) {
    return *status;
  }

  labkit::InitLogging("rl-service", flags.log_level);
  return Run(flags);
}
