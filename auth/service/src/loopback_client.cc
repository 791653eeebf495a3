#include "auth/service/loopback_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace auth::service {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Socket closes its file descriptor.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string Failure(std::string_view what, std::uint16_t port) {
  return std::string(what) + " 127.0.0.1:" + std::to_string(port) +
         " failed: " + std::strerror(errno);
}

std::string Serialize(const HttpCall& call) {
  std::string request = call.method + " " + call.target + " HTTP/1.1\r\n";
  request += "Host: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : call.headers) {
    request += name + ": " + value + "\r\n";
  }
  if (!call.body.empty()) {
    request += "Content-Type: " + call.content_type + "\r\n";
  }
  if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
    request += "Content-Length: " + std::to_string(call.body.size()) + "\r\n";
  }
  request += "\r\n";
  request += call.body;
  return request;
}

// Parse splits a whole response into status, headers and body.
void Parse(const std::string& raw, HttpReply& reply) {
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 9, "HTTP/1.1 ") != 0) {
    reply.error = "the response is not HTTP/1.1 (" +
                  std::to_string(raw.size()) + " bytes)";
    return;
  }
  reply.status = std::atoi(raw.c_str() + 9);

  std::size_t line_start = raw.find("\r\n") + 2;
  while (line_start < head_end) {
    std::size_t line_end = raw.find("\r\n", line_start);
    const std::string line = raw.substr(line_start, line_end - line_start);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::size_t value_start = colon + 1;
      while (value_start < line.size() && line[value_start] == ' ') {
        ++value_start;
      }
      reply.headers.emplace_back(line.substr(0, colon),
                                 line.substr(value_start));
    }
    line_start = line_end + 2;
  }
  reply.body = raw.substr(head_end + 4);
}

}  // namespace

std::string HttpReply::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoringCase(key, name)) return value;
  }
  return "";
}

int HttpReply::HeaderCount(std::string_view name) const {
  int count = 0;
  for (const auto& header : headers) {
    if (EqualsIgnoringCase(header.first, name)) ++count;
  }
  return count;
}

HttpReply SendHttp(std::uint16_t port, const HttpCall& call, int timeout_ms) {
  HttpReply reply;

  // Connect to 127.0.0.1 only, with read and write timeouts.
  Socket socket(::socket(AF_INET, SOCK_STREAM, 0));
  if (socket.fd() < 0) {
    reply.error = Failure("socket for", port);
    return reply;
  }
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address),
              sizeof address) != 0) {
    reply.error = Failure("connect to", port);
    return reply;
  }

  // Send the whole request.
  const std::string request = Serialize(call);
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(socket.fd(), request.data() + sent,
                           request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      reply.error = Failure("send to", port);
      return reply;
    }
    sent += static_cast<std::size_t>(n);
  }

  // Read until the server closes the connection.
  std::string raw;
  char buffer[16 * 1024];
  while (true) {
    const ssize_t n = recv(socket.fd(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) {
      reply.error = Failure("receive from", port);
      return reply;
    }
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  Parse(raw, reply);
  return reply;
}

}  // namespace auth::service
