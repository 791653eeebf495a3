// RateLimitService: the HTTP handler of rl-service.
//
// For each request it resolves the client, decides the client's tier limit
// and, when the path is under a route, the route's limit, all or nothing
// through a Store, and responds:
//
//   allowed   200 with a small JSON body
//   rejected  429 from rl::MakeRejection (Retry-After, problem+json)
//
// Both carry RateLimit-Policy and RateLimit fields listing every limit the
// request was decided under, tier first. GET /metrics is not rate limited
// and returns the counters in the Prometheus text format.
//
// The client key is the value of the API key header ("key:" + value), or
// the peer address ("ip:" + address) when the header is missing or empty.
// API keys are never logged; logs show KeyHash(key) instead.
//
// NOTE: API keys are not authenticated. A client can send any key and is
// then limited under the default tier as a new client; a real service
// checks keys before it rate-limits them.
//
// Thread-safety: Handle may be called from any number of threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "labkit/clock.h"
#include "labkit/http/server.h"
#include "rate_limiter/service/service_config.h"
#include "rate_limiter/store.h"

namespace rl::service {

// ServiceStats are the service's counters since construction.
struct ServiceStats {
  std::uint64_t requests = 0;  // rate-limited requests (not /metrics)
  std::uint64_t allowed = 0;
  std::uint64_t rejected = 0;
  // rejected_by_limit[name] counts rejections decided by that limit.
  std::vector<std::pair<std::string, std::uint64_t>> rejected_by_limit;
};

// KeyHash returns a short, stable, non-reversible id of an API key for
// logs: 8 hex digits of its FNV-1a hash.
std::string KeyHash(std::string_view api_key);

class RateLimitService {
 public:
  // REQUIRES: `store` and `clock` outlive the service.
  RateLimitService(ServiceConfig config, Store& store,
                   const labkit::Clock& clock);
  ~RateLimitService();
  RateLimitService(const RateLimitService&) = delete;
  RateLimitService& operator=(const RateLimitService&) = delete;

  // Handle returns the response to one request; pass it to
  // labkit::http::Server.
  labkit::http::Response Handle(const labkit::http::Request& request);

  // SetServerStats gives /metrics the server's counters. Call it before
  // the server starts.
  void SetServerStats(std::function<labkit::http::ServerStats()> source);

  // SetStoreErrors gives /metrics the number of decisions the store could
  // not make itself (Redis unreachable, a script error). Without it, the
  // metric reads 0. Call it before the server starts.
  void SetStoreErrors(std::function<std::uint64_t()> source);

  ServiceStats stats() const;
  const ServiceConfig& config() const { return config_; }

 private:
  struct alignas(64) Counter {
    std::atomic<std::uint64_t> value{0};
  };

  const Tier& TierFor(std::string_view api_key) const;
  const Route* RouteFor(std::string_view path) const;
  labkit::http::Response Metrics() const;

  const ServiceConfig config_;
  Store& store_;
  const labkit::Clock& clock_;
  std::unordered_map<std::string, const Tier*> tier_by_key_;

  Counter requests_;
  Counter allowed_;
  // rejected_ has one counter per tier, then one per route.
  std::unique_ptr<Counter[]> rejected_;

  std::function<labkit::http::ServerStats()> server_stats_;
  std::function<std::uint64_t()> store_errors_;
};

}  // namespace rl::service
