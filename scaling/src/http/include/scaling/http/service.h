// ScalingService: the HTTP handlers the scaling demo measures, on the kit's
// shared server (labkit/http/server.h).
//
// One service responds to GET / with the kind of work chosen at start:
//
//   fixed  a constant 3-byte body and nothing else: the server's own cost
//          per request, to compare with nginx serving the same bytes.
//   io     waits io_delay (a downstream call of fixed latency), using no
//          CPU while it waits.
//   cpu    hashes in a loop for cpu_rounds rounds (the default took 155 us
//          of CPU time per request on a 2-core AMD EPYC virtual machine).
//
// NOTE: the server's Handler is synchronous, so the io handler's wait blocks
// the event-loop thread that called it, the way a blocking database driver
// does. One thread then serves at most 1 / io_delay requests per second,
// and throughput grows with threads even beyond the number of cores until
// the cores run out. An asynchronous handler would serve many waits per
// thread, and the demo's output states that it measures the blocking model.
//
// Every response carries `X-Instance: <instance name>`, so a load generator
// behind a load balancer can count each instance's share. GET /health
// returns 200 for the load balancer's health checks.
//
// GET /session counts visits per session: the client's `sid` cookie names
// the session. The count lives in this process when redis_port is 0, or
// in Redis (INCR of key "session:<sid>"), shared by every instance. The body is "visits=N instance=NAME\n". With a memory store
// behind round robin, each instance keeps its own count, so the client sees
// the count jump around. Sticky sessions or the Redis store fix that.
//
// Thread-safety: Handle may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "labkit/http/server.h"

namespace scaling::http {

enum class HandlerKind { kFixed, kIo, kCpu };

// ParseHandlerKind returns the kind named "fixed", "io" or "cpu".
std::optional<HandlerKind> ParseHandlerKind(std::string_view name);
const char* HandlerKindName(HandlerKind kind);

struct ServiceOptions {
  HandlerKind handler = HandlerKind::kFixed;
  // instance_name is sent in the X-Instance header of every response.
  std::string instance_name = "instance";
  // io_delay is how long the io handler waits per request.
  std::chrono::microseconds io_delay{1000};
  // cpu_rounds is how many hashing rounds the cpu handler runs per request.
  std::int64_t cpu_rounds = 50'000;
  // redis_port selects the session store: 0 keeps sessions in this
  // process, any other value uses the Redis server on 127.0.0.1 at that
  // port.
  int redis_port = 0;
  // redis_timeout bounds each Redis connect and command.
  std::chrono::milliseconds redis_timeout{500};
};

// ServiceStats are counters since construction, safe to read at any time.
struct ServiceStats {
  std::uint64_t requests = 0;
  std::uint64_t session_errors = 0;  // 503 responses to /session (Redis failed)
};

class ScalingService {
 public:
  explicit ScalingService(ServiceOptions options);
  ~ScalingService();
  ScalingService(const ScalingService&) = delete;
  ScalingService& operator=(const ScalingService&) = delete;

  // Handle returns the response to one request: /, /health, /session, or
  // 404 for any other path.
  labkit::http::Response Handle(const labkit::http::Request& request);

  ServiceStats stats() const;
  const ServiceOptions& options() const { return options_; }

 private:
  struct State;

  labkit::http::Response HandleWork();
  labkit::http::Response HandleSession(const labkit::http::Request& request);
  labkit::http::Response Respond(int status, std::string body) const;

  ServiceOptions options_;
  std::unique_ptr<State> state_;
};

// CpuWork runs `rounds` rounds of a 64-bit mixing function from `seed` and
// returns the result, which callers print so the work cannot be optimized
// away.
std::uint64_t CpuWork(std::uint64_t seed, std::int64_t rounds);

// SessionId returns the value of the `sid` cookie in a Cookie header value
// ("a=1; sid=abc; b=2" gives "abc"), or an empty view when there is none.
std::string_view SessionId(std::string_view cookie_header);

}  // namespace scaling::http
