// RunLoad: an open-loop HTTP/1.1 load generator for loopback servers.
//
// Open loop means requests are sent on a fixed schedule (request k at
// start + k / rate) whether or not earlier responses have arrived, the way
// independent users arrive. Latency is measured from each request's
// scheduled send time, not from the moment a connection was free to send
// it, so a slow server cannot hide its queueing delay ("coordinated
// omission").
//
// Requests go over a fixed number of keep-alive connections, one request
// in flight per connection. A request that is due while every connection is
// busy waits in a queue, and its wait counts in its latency. A connection
// that fails or that the server closes is reconnected.
//
// Safety: the generator only sends to loopback addresses (127.0.0.0/8 and
// ::1), and it always stops: scheduling ends after `duration`, and requests
// still unanswered `drain_timeout` later are counted as unfinished.
//
// Threads: RunLoad runs on the calling thread and calls on_second from it.
//
// Example:
//   labkit::http::LoadOptions options;
//   options.ports = {port};
//   options.rate = 300;
//   options.requests = {{.target = "/api/items"}};
//   labkit::http::LoadReport report = labkit::http::RunLoad(
//       options, [](const labkit::http::LoadSecond& s) { ... });
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "labkit/clock.h"

namespace labkit::http {

// LoadRequest is one kind of request the generator sends.
struct LoadRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct LoadOptions {
  // address must be a loopback address.
  std::string address = "127.0.0.1";
  // ports are the servers to load. The connections are split into equal
  // blocks, one per port: with 8 connections and 2 ports, connections 0-3
  // go to ports[0] and 4-7 to ports[1]. Requests go to the connections in
  // turn, so each kind of request reaches every port.
  std::vector<std::uint16_t> ports;
  // rate is the total request rate, in requests per second.
  std::int64_t rate = 100;
  // connections is the number of keep-alive connections.
  int connections = 8;
  // duration is how long requests are scheduled, in nanoseconds.
  Nanos duration = 10'000'000'000;
  // drain_timeout is how long to wait for responses after `duration`.
  Nanos drain_timeout = 2'000'000'000;
  // requests are sent in turn: request k is requests[k % size].
  std::vector<LoadRequest> requests;
};

// LatencySummary gives latency percentiles in nanoseconds, by the
// nearest-rank method; all zero when nothing completed.
struct LatencySummary {
  Nanos p50 = 0;
  Nanos p90 = 0;
  Nanos p99 = 0;
  Nanos max = 0;
};

// LoadCounts counts responses by status class.
struct LoadCounts {
  std::uint64_t sent = 0;
  std::uint64_t ok = 0;        // 2xx
  std::uint64_t rejected = 0;  // 429 Too Many Requests
  std::uint64_t other = 0;     // any other status
  // errors counts requests that got no response (connection reset, closed
  // before the response, unparseable response) and failed connects.
  std::uint64_t errors = 0;
  LatencySummary latency;
};

// LoadSecond is what happened during one second of the run: requests sent
// and responses received in [second, second + 1) after the start.
struct LoadSecond {
  int second = 0;
  LoadCounts counts;
};

struct LoadReport {
  // total covers the whole run, the drain included.
  LoadCounts total;
  // by_request[i] counts the responses to requests[i] (sent, status
  // classes, errors; its latency summary is filled in too).
  std::vector<LoadCounts> by_request;
  // unfinished counts scheduled requests without a response when the
  // drain timed out.
  std::uint64_t unfinished = 0;
  // elapsed is the wall time from the first scheduled request to the end.
  Nanos elapsed = 0;
};

// ValidateLoadOptions returns a message naming the first invalid option
// (a non-loopback address, no ports, rate < 1, ...), or nullopt.
std::optional<std::string> ValidateLoadOptions(const LoadOptions& options);

// RunLoad runs the load described by `options` and returns what happened.
// on_second, if set, is called after each whole second of the schedule.
// Throws std::invalid_argument with ValidateLoadOptions's message when the
// options are invalid.
LoadReport RunLoad(const LoadOptions& options,
                   const std::function<void(const LoadSecond&)>& on_second =
                       nullptr);

}  // namespace labkit::http
