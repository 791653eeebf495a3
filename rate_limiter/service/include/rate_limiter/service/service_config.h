// ServiceConfig: what rl-service limits, read from a configuration file
// such as rate_limiter/service/ratelimit.conf.
//
// The file (see labkit/config.h for the syntax) has these sections:
//
//   [service]          api_key_header (default X-API-Key)
//   [server]           request_timeout, idle_timeout (durations),
//                      header_limit, body_limit (bytes); all optional
//   [tier NAME]        rate (N/s, N/min or N/h), burst, algorithm, api_keys
//   [route NAME]       path, rate, burst, algorithm
//
// Every client is in one tier: the tier whose api_keys lists its API key,
// else the tier named "default" (required, and it lists no keys). A request
// whose path starts with a route's path (on a '/' boundary) is also under
// that route's limit; the longest matching path wins. Both limits count per
// client. burst defaults to the rate's N and applies only to token_bucket
// and gcra; algorithm defaults to gcra.
//
// Every error names the file, the line and the value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "labkit/config.h"
#include "labkit/http/server.h"
#include "rate_limiter/limiter.h"

namespace rl::service {

// Tier is a class of clients and the limit each of them gets.
struct Tier {
  Limit limit;  // limit.name is the tier name
  std::vector<std::string> api_keys;
};

// Route is a path prefix with its own per-client limit.
struct Route {
  Limit limit;  // limit.name is the route name
  std::string path;
};

struct ServiceConfig {
  std::string api_key_header = "X-API-Key";
  // tiers[0] is the tier named "default".
  std::vector<Tier> tiers;
  std::vector<Route> routes;
  // server carries the [server] settings; address, port and threads are
  // left at their defaults for the command line to set.
  labkit::http::ServerOptions server;
};

// ParseServiceConfig reads a parsed configuration file.
labkit::ConfigResult<ServiceConfig> ParseServiceConfig(
    const labkit::ConfigFile& file);

// LoadServiceConfig loads and reads the file at `path`.
labkit::ConfigResult<ServiceConfig> LoadServiceConfig(const std::string& path);

}  // namespace rl::service
