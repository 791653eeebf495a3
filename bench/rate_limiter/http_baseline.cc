// http_baseline: the kit's HTTP server responding to every request the way
// rl-service responds to an allowed one, with no rate limiter behind it.
//
// http_rps loads this and rl-service in turn: the difference is what the
// limiter adds per request (resolving the client and its limits,
// KeyedStore::DecideAll, formatting the RateLimit fields). The response has
// the same status, content type, body and header count as rl-service's
// allowed response, with fixed RateLimit values of a typical length.
//
//   http_baseline --port P [--threads N] [--max-seconds S]
//
// Listens on 127.0.0.1 only. Stops on SIGINT or SIGTERM, or by itself after
// --max-seconds (default 600), so a forgotten instance never lingers.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <string>

#include "labkit/http/server.h"
#include "labkit/log.h"

namespace {

constexpr char kUsage[] =
    "usage: http_baseline --port P [--threads N] [--max-seconds S]\n";

// ParsePositive returns the value of option `name`, or exits with a message
// that names the invalid value.
long ParsePositive(const char* name, const char* text, long max) {
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value <= 0 || value > max) {
    std::fprintf(stderr, "http_baseline: invalid %s '%s': expected 1 to %ld\n",
                 name, text, max);
    std::exit(2);
  }
  return value;
}

// WaitForStop blocks until SIGINT or SIGTERM arrives or `seconds` pass.
void WaitForStop(long seconds) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  timespec timeout{.tv_sec = seconds, .tv_nsec = 0};
  sigtimedwait(&stop_signals, nullptr, &timeout);
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0;
  long threads = 1;
  long max_seconds = 600;
  for (int i = 1; i < argc; i += 2) {
    const std::string option = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "http_baseline: missing value of %s\n%s",
                   option.c_str(), kUsage);
      return 2;
    }
    if (option == "--port") {
      port = ParsePositive("--port", argv[i + 1], 65535);
    } else if (option == "--threads") {
      threads = ParsePositive("--threads", argv[i + 1], 256);
    } else if (option == "--max-seconds") {
      max_seconds = ParsePositive("--max-seconds", argv[i + 1], 86400);
    } else {
      std::fprintf(stderr, "http_baseline: unknown option %s\n%s",
                   option.c_str(), kUsage);
      return 2;
    }
  }
  if (port == 0) {
    std::fprintf(stderr, "http_baseline: missing --port\n%s", kUsage);
    return 2;
  }
  labkit::InitLogging("http_baseline");

  // Block the stop signals before the server starts its threads, so only
  // WaitForStop receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  labkit::http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(port);
  options.threads = static_cast<int>(threads);
  labkit::http::Server server(options, [](const labkit::http::Request&) {
    labkit::http::Response response;
    response.content_type = "application/json";
    response.headers = {{"RateLimit-Policy", "\"default\";q=1000000;w=1"},
                        {"RateLimit", "\"default\";r=999999;t=1"}};
    response.body = "{\"status\":\"ok\",\"message\":\"request allowed\"}\n";
    return response;
  });
  try {
    server.Start();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "http_baseline: %s\n", error.what());
    return 1;
  }

  WaitForStop(max_seconds);
  server.Stop();
  return 0;
}
