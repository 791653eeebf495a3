// scaling-service: the HTTP service the scaling demo sweeps, on 127.0.0.1.
//
//   scaling-service --handler cpu --threads 2 --port 8080
//   curl -i http://127.0.0.1:8080/
//
// SIGINT or SIGTERM stops it cleanly. The handlers are described in
// scaling/src/http/include/scaling/http/service.h.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "labkit/flags.h"
#include "labkit/http/server.h"
#include "labkit/log.h"
#include "scaling/http/service.h"

namespace {

struct Flags {
  int port = 8080;
  int threads = 1;
  bool shared_context = false;
  std::string handler = "fixed";
  std::string instance_name = "instance";
  int io_delay_us = 1000;
  std::int64_t cpu_rounds = 50'000;
  int redis_port = 0;
  std::string log_level = "info";
};

// WaitForStopSignal blocks until SIGINT or SIGTERM arrives and returns its
// name. REQUIRES: both are blocked in every thread (see Run).
const char* WaitForStopSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

int Run(const Flags& flags) {
  // Block the stop signals before any thread starts, so only sigwait
  // receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Build the service and start the server with it as the handler.
  scaling::http::ServiceOptions service_options;
  service_options.handler = *scaling::http::ParseHandlerKind(flags.handler);
  service_options.instance_name = flags.instance_name;
  service_options.io_delay = std::chrono::microseconds(flags.io_delay_us);
  service_options.cpu_rounds = flags.cpu_rounds;
  service_options.redis_port = flags.redis_port;
  scaling::http::ScalingService service(service_options);

  labkit::http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(flags.port);
  options.threads = flags.threads;
  options.reuse_port = !flags.shared_context;
  labkit::http::Server server(options,
                              [&service](const labkit::http::Request& request) {
                                return service.Handle(request);
                              });
  std::uint16_t port = 0;
  try {
    port = server.Start();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  spdlog::info(
      "scaling-service {} started on 127.0.0.1:{}: handler {}, {} thread(s) "
      "with {}, sessions in {}",
      flags.instance_name, port, flags.handler, flags.threads,
      flags.shared_context ? "one shared io_context"
                           : "an io_context each (SO_REUSEPORT)",
      flags.redis_port == 0
          ? std::string("memory")
          : "Redis at 127.0.0.1:" + std::to_string(flags.redis_port));

  // Serve until a stop signal.
  const char* signal = WaitForStopSignal(signals);
  spdlog::info("scaling-service {} stopping on {}", flags.instance_name,
               signal);
  server.Stop();
  const scaling::http::ServiceStats stats = service.stats();
  spdlog::info("scaling-service {} stopped: {} requests, {} session errors",
               flags.instance_name, stats.requests, stats.session_errors);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"scaling-service: the HTTP service of the scaling lab, on "
               "127.0.0.1"};
  Flags flags;
  app.add_option("--port", flags.port,
                 "TCP port on 127.0.0.1, 0 to 65535 (0 picks a free one)")
      ->check(labkit::WholeNumber(0, 65535, "a port number"));
  app.add_option("--threads", flags.threads,
                 "server threads (event loops), 1 to 256")
      ->check(labkit::WholeNumber(1, 256, "a number of threads"));
  auto* shared = app.add_flag(
      "--shared-context", flags.shared_context,
      "all threads run one shared io_context and one listening socket");
  app.add_flag("!--reuse-port", flags.shared_context,
               "each thread runs its own io_context and listening socket "
               "(SO_REUSEPORT); the default")
      ->excludes(shared);
  app.add_option("--handler", flags.handler,
                 "the work per request: fixed (none), io (a blocking wait) "
                 "or cpu (a hashing loop)")
      ->check(labkit::OneOf({"fixed", "io", "cpu"}));
  app.add_option("--instance-name", flags.instance_name,
                 "the X-Instance header value of every response");
  app.add_option("--io-delay-us", flags.io_delay_us,
                 "the io handler's wait per request, in microseconds")
      ->check(labkit::WholeNumber(1, 10'000'000, "a number of microseconds"));
  app.add_option("--cpu-rounds", flags.cpu_rounds,
                 "the cpu handler's hashing rounds per request")
      ->check(labkit::WholeNumber(1, 1'000'000'000, "a number of rounds"));
  app.add_option("--redis-port", flags.redis_port,
                 "keep /session counts in the Redis server on 127.0.0.1 at "
                 "this port (0, the default, keeps them in this process)")
      ->check(labkit::WholeNumber(0, 65535, "a port number"));
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error or off")
      ->check(labkit::OneOf({"trace", "debug", "info", "warn", "error", "off"}));
  if (std::optional<int> status = labkit::ParseFlags(app, argc, argv)) {
    return *status;
  }

  labkit::InitLogging("scaling-service", flags.log_level);
  return Run(flags);
}
