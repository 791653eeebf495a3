// Server: the kit's one HTTP/1.1 server, built on Boost.Beast.
//
// Every lab's service runs on this server. It owns the sockets, the parser
// limits and the timeouts; the lab supplies one Handler that turns a Request
// into a Response. This header includes no Beast or Asio, so a service that
// uses the server compiles in seconds.
//
// Protection, applied before the handler runs:
//   - header block larger than header_limit bytes  -> 431
//   - body larger than body_limit bytes            -> 413
//   - a request that does not parse                -> 400, connection closed
//   - no complete request within request_timeout
//     (slow clients, "slowloris")                  -> connection closed
//   - an idle keep-alive connection for longer
//     than idle_timeout                            -> connection closed
//
// Threads: `threads` event loops. With reuse_port, each thread has its own
// io_context and listening socket (SO_REUSEPORT); otherwise all threads
// share one io_context. The handler is called concurrently from all of them
// and must be thread-safe.
//
// Example:
//   labkit::http::Server server({.port = 8080}, [](const Request& r) {
//     return Response{.status = 200, .body = "hello\n"};
//   });
//   server.Start();
//   server.Wait();
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "labkit/clock.h"

namespace labkit::http {

// Request is a view of one parsed request. Every string_view points into the
// server's buffers and is valid only during the handler call.
struct Request {
  std::string_view method;  // "GET"
  std::string_view target;  // "/api/items?page=2"
  std::string_view path;    // "/api/items"
  std::string_view body;
  // remote_address is the peer's IP address as text ("127.0.0.1").
  std::string_view remote_address;
  std::vector<std::pair<std::string_view, std::string_view>> headers;

  // Header returns the value of the first header named `name` (compared
  // case-insensitively), or an empty view if there is none.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  // port 0 picks a free port; Start returns it.
  std::uint16_t port = 0;
  int threads = 1;
  bool reuse_port = true;
  std::size_t header_limit = 8 * 1024;     // bytes
  std::size_t body_limit = 64 * 1024;      // bytes
  Nanos request_timeout = 10'000'000'000;  // 10 s to send a whole request
  Nanos idle_timeout = 60'000'000'000;     // 60 s between keep-alive requests
};

// ServerStats are counters since Start, safe to read at any time.
struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;  // answered 400, 413 or 431
  std::uint64_t timeouts = 0;      // connections closed by a timeout
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // Stops the server if it is running.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Start binds, listens and starts the threads. Returns the bound port.
  // Throws std::system_error with the address and port if binding fails.
  std::uint16_t Start();

  // Stop closes the listeners and all connections, then joins the threads.
  // Safe to call more than once and from any thread but a handler's.
  void Stop();

  // Wait blocks until Stop is called (from a signal handler thread, say).
  void Wait();

  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace labkit::http
