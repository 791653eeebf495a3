// LoopbackClient: a small blocking HTTP/1.1 client for servers on
// 127.0.0.1, used by the auth demo and the end-to-end tests.
//
// Each call opens a connection, sends one request with "Connection: close",
// and reads the response until the server closes. It connects only to
// 127.0.0.1, and every socket operation times out, so a call always
// returns.
//
// Example:
//   auth::service::HttpReply reply = auth::service::SendHttp(
//       port, {.method = "POST", .target = "/login", .body = R"({...})"});
//   if (!reply.error.empty()) { print(reply.error); }
//
// Thread-safety: SendHttp is safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auth::service {

// HttpCall is one request to send.
struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // content_type is sent when the body is not empty.
  std::string content_type = "application/json";
};

// HttpReply is the response, or the error that prevented one.
struct HttpReply {
  // error is empty on success, else what failed ("connect to 127.0.0.1:
  // 8080 failed: Connection refused").
  std::string error;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Header returns the first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // HeaderCount returns how many headers are named `name`.
  int HeaderCount(std::string_view name) const;
};

// SendHttp sends `call` to 127.0.0.1:port and returns the reply. Each
// socket read or write times out after `timeout_ms` milliseconds.
HttpReply SendHttp(std::uint16_t port, const HttpCall& call,
                   int timeout_ms = 15000);

}  // namespace auth::service
