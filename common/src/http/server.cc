// The HTTP/1.1 server behind labkit/http/server.h, on Boost.Beast and Asio.
//
// The flow follows Beast's example/http/server/async: each connection is a
// Session whose asynchronous steps come in start/completion pairs
// (DoRead/OnRead, DoWrite/OnWrite, DoLinger/OnLinger). Callbacks rather than
// coroutines, because the handler does little work and the per-request cost
// of the server is what a benchmark of the service measures.
//
// Per-request allocations are avoided where the server controls them: a
// connection reuses its read buffer, its header arena, its body string and
// its output string, and the parser is constructed in place for each
// request. The Response the handler returns still owns its strings.
//
// Timeouts use one steady_timer per connection as a watchdog: the timer
// sleeps until the current deadline and, when it wakes early because the
// deadline moved later, sleeps again. Moving a deadline later (the common
// case: a new keep-alive request) is then a plain assignment.

#include "labkit/http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <spdlog/spdlog.h>

namespace labkit::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// A closed connection gets this long to finish sending before the server
// stops reading (and discarding) what the client still sends.
constexpr std::chrono::milliseconds kLingerTime{1000};

// Each read requests at most this many bytes from the socket.
constexpr std::size_t kReadSize = 65536;

// After a failed accept (out of file descriptors, say) the acceptor waits
// this long before accepting again, so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
constexpr std::chrono::seconds kAcceptLogInterval{1};

// LoopStats are the counters of one event loop. Each loop has its own cache
// line, so threads do not contend on the hot path; relaxed atomics because
// readers need only eventually consistent totals.
struct alignas(64) LoopStats {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> timeouts{0};
};

void Increment(std::atomic<std::uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

// Shared is what every connection reads: the options and the handler.
// Invariant: outlives every Session (Stop destroys the io_contexts, and with
// them every Session, before the Server releases this).
struct Shared {
  ServerOptions options;
  Handler handler;
  std::chrono::nanoseconds request_timeout;
  std::chrono::nanoseconds idle_timeout;
};

// ParsedRequest holds one request's bytes for the lifetime of a connection.
// `arena` contains the method, the target and every header name and value
// back to back; the offsets locate them. Clear keeps the capacity, so a
// connection stops allocating once its buffers fit its requests.
struct ParsedRequest {
  struct Span {
    std::size_t offset = 0;
    std::size_t size = 0;
  };

  std::string arena;
  Span method;
  Span target;
  int version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<std::pair<Span, Span>> fields;
  std::string body;

  void Clear() {
    arena.clear();
    fields.clear();
    body.clear();
  }

  Span Append(std::string_view text) {
    Span span{arena.size(), text.size()};
    arena.append(text);
    return span;
  }

  std::string_view View(Span span) const {
    return std::string_view(arena).substr(span.offset, span.size);
  }
};

// RequestParser is a Beast parser that copies what it parses into a
// ParsedRequest instead of allocating a message object per request.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(ParsedRequest& out) : out_(out) {}

 private:
  void on_request_impl(bhttp::verb, beast::string_view method,
                       beast::string_view target, int version,
                       beast::error_code&) override {
    out_.version = version;
    out_.method = out_.Append(method);
    out_.target = out_.Append(target);
  }

  // Never called: this parser reads requests only.
  void on_response_impl(int, beast::string_view, int,
                        beast::error_code& ec) override {
    ec = bhttp::error::bad_version;
  }

  void on_field_impl(bhttp::field, beast::string_view name,
                     beast::string_view value, beast::error_code&) override {
    ParsedRequest::Span name_span = out_.Append(name);
    ParsedRequest::Span value_span = out_.Append(value);
    out_.fields.emplace_back(name_span, value_span);
  }

  void on_header_impl(beast::error_code&) override {}

  // basic_parser has already compared content_length with body_limit.
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code&) override {
    if (content_length) out_.body.reserve(*content_length);
  }

  std::size_t on_body_impl(beast::string_view body,
                           beast::error_code&) override {
    out_.body.append(body);
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, beast::string_view,
                            beast::error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override {
    out_.body.append(body);
    return body.size();
  }

  void on_finish_impl(beast::error_code&) override {}

  ParsedRequest& out_;
};

// ValidHeaderText is false for text that would split the response: a
// response header name or value must not contain CR, LF or NUL.
bool ValidHeaderText(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) ==
         std::string_view::npos;
}

void AppendNumber(std::string& out, std::uint64_t value) {
  std::array<char, 24> digits;
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(),
                                 value);
  out.append(digits.data(), end);
}

void AppendHeader(std::string& out, std::string_view name,
                  std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

// SerializeResponse writes `response` as HTTP/1.1 into `out`, replacing its
// contents. A handler header containing CR, LF or NUL is dropped and logged.
void SerializeResponse(const Response& response, bool keep_alive,
                       bool http10, bool head, std::string& out) {
  out.clear();
  out.append("HTTP/1.1 ");
  AppendNumber(out, static_cast<std::uint64_t>(response.status));
  out.push_back(' ');
  out.append(bhttp::obsolete_reason(bhttp::int_to_status(response.status)));
  out.append("\r\nServer: labkit\r\n");
  AppendHeader(out, "Content-Type", response.content_type);
  out.append("Content-Length: ");
  AppendNumber(out, response.body.size());
  out.append("\r\n");
  for (const auto& [name, value] : response.headers) {
    if (!ValidHeaderText(name) || !ValidHeaderText(value) || name.empty()) {
      spdlog::error("dropped response header '{}': it contains CR, LF or NUL",
                    name);
      continue;
    }
    AppendHeader(out, name, value);
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  if (!head) out.append(response.body);
}

// Session is one accepted connection: read a request, call the handler,
// write the response, repeat while the connection is kept alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Shared& shared, LoopStats& stats)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        shared_(shared),
        stats_(stats),
        buffer_(shared.options.header_limit + shared.options.body_limit +
                65536) {}

  // Run starts the session on the socket's executor.
  void Run() {
    asio::dispatch(socket_.get_executor(),
                   [self = shared_from_this()] { self->Start(); });
  }

 private:
  // Phase says which deadline applies and what a timeout means.
  enum class Phase {
    kIdle,     // waiting for the first byte of a request: idle_timeout
    kRequest,  // a request has started: request_timeout from its first byte
    kLinger,   // the connection is closing after an error response
  };

  void Start() {
    beast::error_code ec;
    tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (ec) {
      // The peer disconnected before the session started.
      return;
    }
    remote_address_ = peer.address().to_string();
    timer_.expires_at(SteadyTime::max());
    StartRequest();
  }

  // StartRequest prepares a fresh parser and reads the next request.
  void StartRequest() {
    parsed_.Clear();
    parser_.emplace(parsed_);
    parser_->eager(true);
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(
            shared_.options.header_limit, UINT32_MAX)));
    parser_->body_limit(shared_.options.body_limit);

    // Bytes already buffered (a pipelined request) start the request clock.
    if (buffer_.size() > 0) {
      phase_ = Phase::kRequest;
      SetDeadline(Now() + shared_.request_timeout);
      return ParseBuffered();
    }
    phase_ = Phase::kIdle;
    SetDeadline(Now() + shared_.idle_timeout);
    DoRead();
  }

  // DoRead reads whatever the socket has. The session parses by itself
  // (rather than with http::async_read_some, which completes only once the
  // whole header is in) so that it sees the first bytes of a request and
  // can switch to the request timeout.
  void DoRead() {
    const std::size_t size = beast::read_size(buffer_, kReadSize);
    if (size == 0) {
      // The buffer is full, which the parser limits should prevent.
      return parser_->is_header_done()
                 ? SendError(413, "request body too large")
                 : SendError(431, "request header fields too large");
    }
    socket_.async_read_some(
        buffer_.prepare(size),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->OnRead(ec, n);
        });
  }

  void OnRead(beast::error_code ec, std::size_t bytes) {
    if (closed_) return;

    // The client closed the connection: between requests that is the
    // normal end, within one the request is abandoned.
    if (ec == asio::error::eof) {
      if (!parser_->got_some() && buffer_.size() == 0) return Shutdown();
      return Close();
    }

    // Socket errors (a reset, say) end the connection quietly.
    if (ec) {
      if (ec != asio::error::operation_aborted) {
        spdlog::debug("read from {} failed: {}", remote_address_,
                      ec.message());
      }
      return Close();
    }

    buffer_.commit(bytes);
    ParseBuffered();
  }

  // ParseBuffered feeds the buffered bytes to the parser, then handles the
  // request if it is complete or reads more if not.
  void ParseBuffered() {
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return OnParseError(ec);
    }

    if (parser_->is_done()) return HandleRequest();

    // The request is incomplete: once its first bytes are in, the request
    // timeout applies instead of the idle timeout.
    if (phase_ == Phase::kIdle &&
        (parser_->got_some() || buffer_.size() > 0)) {
      phase_ = Phase::kRequest;
      SetDeadline(Now() + shared_.request_timeout);
    }
    DoRead();
  }

  // OnParseError sends the error response for a request the parser
  // rejected, then closes.
  void OnParseError(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "request header fields too large");
    }
    if (ec == bhttp::error::body_limit) {
      return SendError(413, "request body too large");
    }
    spdlog::debug("bad request from {}: {}", remote_address_, ec.message());
    SendError(400, "malformed request");
  }

  // HandleRequest calls the handler on the parsed request and writes its
  // response.
  void HandleRequest() {
    Increment(stats_.requests);

    // Build the request views only now: the arena no longer grows.
    request_.method = parsed_.View(parsed_.method);
    request_.target = parsed_.View(parsed_.target);
    request_.path = request_.target.substr(0, request_.target.find('?'));
    request_.body = parsed_.body;
    request_.remote_address = remote_address_;
    request_.headers.clear();
    for (const auto& [name, value] : parsed_.fields) {
      request_.headers.emplace_back(parsed_.View(name), parsed_.View(value));
    }

    Response response;
    try {
      response = shared_.handler(request_);
    } catch (const std::exception& e) {
      spdlog::error("handler failed on {} {} from {}: {}", request_.method,
                    request_.path, remote_address_, e.what());
      response = Response{};
      response.status = 500;
      response.body = "internal server error\n";
    }

    keep_alive_ = parser_->keep_alive();
    SerializeResponse(response, keep_alive_, parsed_.version == 10,
                      request_.method == "HEAD", out_);
    DoWrite();
  }

  void DoWrite() {
    asio::async_write(
        socket_, asio::buffer(out_),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->OnWrite(ec, n);
        });
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) {
      spdlog::debug("write to {} failed: {}", remote_address_, ec.message());
      return Close();
    }

    // The response said "Connection: close", or the request asked for it.
    if (!keep_alive_) return Shutdown();

    StartRequest();
  }

  // SendError sends the error response for a request the server rejects
  // before the handler, then closes the connection.
  void SendError(int status, std::string_view detail) {
    Increment(stats_.bad_requests);
    Response response;
    response.status = status;
    response.body = std::string(detail) + "\n";
    SerializeResponse(response, /*keep_alive=*/false, /*http10=*/false,
                      /*head=*/false, out_);
    asio::async_write(
        socket_, asio::buffer(out_),
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (self->closed_) return;
          if (ec) return self->Close();
          self->StartLinger();
        });
  }

  // StartLinger stops sending and discards what the client still sends
  // until it closes or kLingerTime passes. Closing with unread data would
  // make the kernel send a reset, which can destroy the error response
  // before the client reads it.
  void StartLinger() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    phase_ = Phase::kLinger;
    SetDeadline(Now() + std::min<std::chrono::nanoseconds>(
                            kLingerTime, shared_.request_timeout));
    DoLinger();
  }

  void DoLinger() {
    socket_.async_read_some(
        asio::buffer(discard_),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->OnLinger(ec, n);
        });
  }

  void OnLinger(beast::error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) return Close();
    DoLinger();
  }

  // SetDeadline moves the watchdog deadline. Moving it later is only an
  // assignment, and moving it earlier re-arms the timer.
  void SetDeadline(SteadyTime deadline) {
    deadline_ = deadline;
    if (deadline < timer_.expiry()) {
      timer_.expires_at(deadline);
      timer_.async_wait(
          [self = shared_from_this()](beast::error_code ec) {
            self->OnTimer(ec);
          });
    }
  }

  void OnTimer(beast::error_code ec) {
    // Aborted: the deadline moved earlier (a new wait is pending) or the
    // session closed.
    if (ec == asio::error::operation_aborted || closed_) return;

    // The deadline moved later while the timer slept: sleep again.
    if (Now() < deadline_) {
      timer_.expires_at(deadline_);
      timer_.async_wait(
          [self = shared_from_this()](beast::error_code ec) {
            self->OnTimer(ec);
          });
      return;
    }

    if (phase_ != Phase::kLinger) {
      Increment(stats_.timeouts);
      spdlog::debug("closed connection from {}: {} timeout", remote_address_,
                    phase_ == Phase::kIdle ? "idle" : "request");
    }
    Close();
  }

  // Shutdown closes the connection after sending everything written.
  void Shutdown() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    Close();
  }

  // Close cancels the timer and closes the socket; pending operations
  // complete with operation_aborted and release the session.
  void Close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    socket_.close(ec);
  }

  static SteadyTime Now() { return std::chrono::steady_clock::now(); }

  tcp::socket socket_;
  asio::steady_timer timer_;
  const Shared& shared_;
  LoopStats& stats_;

  beast::flat_buffer buffer_;
  ParsedRequest parsed_;
  std::optional<RequestParser> parser_;
  Request request_;
  std::string out_;
  std::array<char, 4096> discard_;
  std::string remote_address_;

  Phase phase_ = Phase::kIdle;
  SteadyTime deadline_{};
  bool keep_alive_ = true;
  bool closed_ = false;
};

// Loop is one event loop: an io_context and, with reuse_port, its own
// listening socket. Start gives it one thread, or with a shared context
// several.
struct Loop {
  explicit Loop(int concurrency_hint) : context(concurrency_hint) {}

  asio::io_context context;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> backoff;
  LoopStats* stats = nullptr;  // owned by Server::Impl, outlives the loop
  // Accept errors are logged at most once per kAcceptLogInterval; the
  // next log line gives the count of those left out.
  SteadyTime accept_error_logged{};
  std::uint64_t accept_errors_unlogged = 0;
};

// ProbePortFree throws std::system_error naming the address and port when
// a plain (non-SO_REUSEPORT) bind to them fails.
void ProbePortFree(const asio::ip::address& address,
                   const std::string& address_text, std::uint16_t port) {
  asio::io_context context;
  tcp::acceptor probe(context);
  beast::error_code ec;
  probe.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) probe.bind(tcp::endpoint(address, port), ec);
  if (ec) {
    throw std::system_error(std::error_code(ec.value(), std::system_category()),
                            "cannot listen on " + address_text + ":" +
                                std::to_string(port));
  }
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

struct Server::Impl {
  Shared shared;
  // Invariant: loops are destroyed (in Stop) before `shared`.
  std::vector<std::unique_ptr<Loop>> loops;
  // The counters outlive the loops, so stats() works after Stop. Guarded by
  // mu while Start fills it; fixed afterwards.
  std::vector<std::unique_ptr<LoopStats>> loop_stats;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;

  std::mutex mu;
  std::condition_variable stopped_cv;
  bool started = false;
  bool stopped = false;

  // Accept serves one acceptor: every accepted socket becomes a Session on
  // session_loop's context (through a strand when threads share it).
  void Accept(Loop& acceptor_loop, Loop& session_loop, bool strand);
  void Listen(Loop& loop, const tcp::endpoint& endpoint);
};

void Server::Impl::Listen(Loop& loop, const tcp::endpoint& endpoint) {
  loop.acceptor.emplace(loop.context);
  tcp::acceptor& acceptor = *loop.acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  if (shared.options.reuse_port) acceptor.set_option(ReusePort(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  loop.backoff.emplace(loop.context);
}

void Server::Impl::Accept(Loop& acceptor_loop, Loop& session_loop,
                          bool strand) {
  auto on_accept = [this, &acceptor_loop, &session_loop, strand](
                       beast::error_code ec, tcp::socket socket) {
    // The acceptor was closed by Stop.
    if (ec == asio::error::operation_aborted) return;

    // A failed accept (too many open files, say) is logged, then retried
    // after a short pause.
    if (ec) {
      const SteadyTime now = std::chrono::steady_clock::now();
      if (now - acceptor_loop.accept_error_logged >= kAcceptLogInterval) {
        spdlog::error(
            "accept on port {} failed: {}; retrying every {} ms ({} more "
            "failures since the last message)",
            port, ec.message(), kAcceptBackoff.count(),
            acceptor_loop.accept_errors_unlogged);
        acceptor_loop.accept_error_logged = now;
        acceptor_loop.accept_errors_unlogged = 0;
      } else {
        ++acceptor_loop.accept_errors_unlogged;
      }
      acceptor_loop.backoff->expires_after(kAcceptBackoff);
      acceptor_loop.backoff->async_wait(
          [this, &acceptor_loop, &session_loop, strand](beast::error_code e) {
            if (!e) Accept(acceptor_loop, session_loop, strand);
          });
      return;
    }

    Increment(session_loop.stats->connections_accepted);
    beast::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    std::make_shared<Session>(std::move(socket), shared, *session_loop.stats)
        ->Run();
    Accept(acceptor_loop, session_loop, strand);
  };

  if (strand) {
    acceptor_loop.acceptor->async_accept(
        asio::make_strand(session_loop.context), std::move(on_accept));
  } else {
    acceptor_loop.acceptor->async_accept(session_loop.context,
                                         std::move(on_accept));
  }
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.handler = std::move(handler);
  impl_->shared.request_timeout =
      std::chrono::nanoseconds(impl_->shared.options.request_timeout);
  impl_->shared.idle_timeout =
      std::chrono::nanoseconds(impl_->shared.options.idle_timeout);
}

Server::~Server() { Stop(); }

std::uint16_t Server::Start() {
  const ServerOptions& options = impl_->shared.options;
  if (options.threads < 1) {
    throw std::invalid_argument("invalid server threads " +
                                std::to_string(options.threads) +
                                ": expected 1 or more");
  }
  if (options.request_timeout <= 0 || options.idle_timeout <= 0) {
    throw std::invalid_argument(
        "invalid server timeouts: request_timeout and idle_timeout must be "
        "positive");
  }
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->started) throw std::logic_error("Server::Start called twice");
    impl_->started = true;
  }

  // Resolve the address; a bad one is reported with the value.
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) {
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "invalid listen address '" + options.address +
                                "'");
  }

  // One loop per thread with reuse_port, else one loop shared by all.
  const int loop_count = options.reuse_port ? options.threads : 1;
  for (int i = 0; i < loop_count; ++i) {
    // A loop that only its own thread runs needs no locking around socket
    // operations (posting and stopping from other threads stay locked).
    const bool single_thread = options.reuse_port || options.threads == 1;
    impl_->loops.push_back(std::make_unique<Loop>(
        single_thread ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO
                      : options.threads));
    std::lock_guard lock(impl_->mu);
    impl_->loop_stats.push_back(std::make_unique<LoopStats>());
    impl_->loops.back()->stats = impl_->loop_stats.back().get();
  }

  // With SO_REUSEPORT a second server on the same fixed port would share
  // it silently; a plain bind first makes that a clear "in use" error.
  if (options.reuse_port && options.port != 0) {
    ProbePortFree(address, options.address, options.port);
  }

  // Bind every listener. With port 0 the first bind picks the port and the
  // others (SO_REUSEPORT) join it.
  std::uint16_t port = options.port;
  for (auto& loop : impl_->loops) {
    try {
      impl_->Listen(*loop, tcp::endpoint(address, port));
    } catch (const boost::system::system_error& e) {
      impl_->loops.clear();
      throw std::system_error(
          std::error_code(e.code().value(), std::system_category()),
          "cannot listen on " + options.address + ":" + std::to_string(port));
    }
    port = loop->acceptor->local_endpoint().port();
  }
  impl_->port = port;

  // Start accepting, then run the threads.
  const bool strand = !options.reuse_port && options.threads > 1;
  for (auto& loop : impl_->loops) impl_->Accept(*loop, *loop, strand);
  for (int i = 0; i < options.threads; ++i) {
    Loop& loop = *impl_->loops[options.reuse_port ? i : 0];
    impl_->threads.emplace_back([&loop] {
      // Handlers catch their own exceptions, so run() returns only on stop.
      loop.context.run();
    });
  }

  spdlog::info("HTTP server listening on {}:{} with {} thread(s){}",
               options.address, port, options.threads,
               options.reuse_port ? " (SO_REUSEPORT)" : "");
  return port;
}

void Server::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->started || impl_->stopped) {
      impl_->stopped = true;
      impl_->stopped_cv.notify_all();
      return;
    }
    impl_->stopped = true;
  }

  // Stop the loops and join their threads; no handler runs after this.
  for (auto& loop : impl_->loops) loop->context.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();

  // Close the listeners, then destroy the contexts, which destroys every
  // pending operation and with it every Session and its socket.
  ServerStats final_stats = stats();
  for (auto& loop : impl_->loops) {
    beast::error_code ec;
    if (loop->acceptor) loop->acceptor->close(ec);
  }
  impl_->loops.clear();

  spdlog::info(
      "HTTP server on port {} stopped: {} connections, {} requests, {} bad "
      "requests, {} timeouts",
      impl_->port, final_stats.connections_accepted, final_stats.requests,
      final_stats.bad_requests, final_stats.timeouts);
  std::lock_guard lock(impl_->mu);
  impl_->stopped_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped; });
}

ServerStats Server::stats() const {
  ServerStats total;
  std::lock_guard lock(impl_->mu);
  for (const auto& stats : impl_->loop_stats) {
    const LoopStats& s = *stats;
    total.connections_accepted +=
        s.connections_accepted.load(std::memory_order_relaxed);
    total.requests += s.requests.load(std::memory_order_relaxed);
    total.bad_requests += s.bad_requests.load(std::memory_order_relaxed);
    total.timeouts += s.timeouts.load(std::memory_order_relaxed);
  }
  return total;
}

}  // namespace labkit::http
