// Load runs with wrk (Debian's wrk 4.1) and the counting script
// scaling/src/demo/count.lua.
//
// wrk keeps every connection alive and reads every response, so a run
// measures the server's steady state rather than connection setup. The
// script counts responses by their X-Instance header (each instance's
// share behind a load balancer) and responses whose status is not 2xx.
//
// A run with any socket error (connect, read, write or timeout) is invalid,
// because its requests per second do not describe a server that responded
// to every request.
//
// Thread-safety: RunWrk may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scaling::demo {

struct WrkOptions {
  std::uint16_t port = 0;  // on 127.0.0.1
  std::string path = "/";
  int threads = 1;
  int connections = 16;
  int seconds = 2;  // wrk takes whole seconds
  // script is the path of count.lua.
  std::string script;
  // cpu_list, if set, pins wrk with `taskset -c` ("1", "0-1").
  std::string cpu_list;
  std::vector<std::pair<std::string, std::string>> headers;
  // keys > 0 sends "/?key=K", K uniform in 1..keys, instead of `path`.
  int keys = 0;
};

struct LoadRun {
  std::uint64_t requests = 0;
  double seconds = 0;
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::uint64_t connect_errors = 0;
  std::uint64_t read_errors = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t non_2xx = 0;
  // by_instance counts responses by X-Instance ("none" when absent).
  std::map<std::string, std::uint64_t> by_instance;

  std::uint64_t socket_errors() const {
    return connect_errors + read_errors + write_errors + timeouts;
  }
  bool valid() const { return socket_errors() == 0; }
  // Share returns the fraction of responses from `instance`, 0 to 1.
  double Share(const std::string& instance) const;
};

// ParseWrkOutput reads the "labkit-wrk" lines of count.lua from wrk's
// output. Returns nullopt with `error` set when a number is missing or
// malformed.
std::optional<LoadRun> ParseWrkOutput(std::string_view output,
                                      std::string* error);

// RunWrk runs wrk against 127.0.0.1 with `options` and returns its counts.
// wrk's stderr is appended to `log_path`. The run is killed if it takes
// 30 s longer than `options.seconds`. Returns nullopt with `error` set when
// wrk is missing, fails or prints no counts.
std::optional<LoadRun> RunWrk(const WrkOptions& options,
                              const std::string& log_path, std::string* error);

// DescribeRun returns "12,345 req/s, p99 1.23 ms, 0 socket errors, 0
// non-2xx" with "INVALID" appended when there were socket errors.
std::string DescribeRun(const LoadRun& run);

// WithThousands returns `value` in decimal with a comma every three digits,
// as in "1,000,000", the demo's format for every count and rate.
std::string WithThousands(std::uint64_t value);

}  // namespace scaling::demo
