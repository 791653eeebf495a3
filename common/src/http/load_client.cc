// The open-loop load generator behind labkit/http/load_client.h, on
// Boost.Beast and Asio. One io_context on the calling thread runs a
// schedule timer, a per-second report timer and every connection.

#include "labkit/http/load_client.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <spdlog/spdlog.h>

namespace labkit::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr Nanos kSecond = 1'000'000'000;
// A connection that failed waits this long before connecting again.
constexpr std::chrono::milliseconds kReconnectDelay{20};
// Responses larger than this are counted as errors.
constexpr std::uint64_t kResponseBodyLimit = 1 << 20;

Nanos Elapsed(SteadyTime from, SteadyTime to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from)
      .count();
}

// Nearest-rank percentile of sorted latencies: the smallest value with at
// least `percent`% of the values at or below it.
Nanos Percentile(const std::vector<Nanos>& sorted, int percent) {
  if (sorted.empty()) return 0;
  std::size_t rank = (sorted.size() * percent + 99) / 100;
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

LatencySummary Summarize(std::vector<Nanos>& latencies) {
  std::sort(latencies.begin(), latencies.end());
  LatencySummary summary;
  summary.p50 = Percentile(latencies, 50);
  summary.p90 = Percentile(latencies, 90);
  summary.p99 = Percentile(latencies, 99);
  summary.max = latencies.empty() ? 0 : latencies.back();
  return summary;
}

// Tally collects counts and latencies for one bucket (a second, a request
// kind, or the whole run).
struct Tally {
  LoadCounts counts;
  std::vector<Nanos> latencies;

  void Record(int status, Nanos latency) {
    if (status >= 200 && status < 300) {
      ++counts.ok;
    } else if (status == 429) {
      ++counts.rejected;
    } else {
      ++counts.other;
    }
    latencies.push_back(latency);
  }

  LoadCounts Finish() {
    counts.latency = Summarize(latencies);
    return counts;
  }
};

// SerializeRequest writes one HTTP/1.1 keep-alive request.
std::string SerializeRequest(const LoadRequest& request,
                             const std::string& host) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  out += "Host: " + host + "\r\n";
  for (const auto& [name, value] : request.headers) {
    out += name + ": " + value + "\r\n";
  }
  if (!request.body.empty() || request.method == "POST" ||
      request.method == "PUT") {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

class Generator;

// Connection is one keep-alive connection with at most one request in
// flight.
class Connection {
 public:
  Connection(Generator& generator, tcp::endpoint endpoint)
      : generator_(generator),
        endpoint_(endpoint),
        socket_(Context()),
        retry_timer_(Context()) {}

  void DoConnect();
  bool idle() const { return state_ == State::kIdle; }
  bool busy() const { return state_ == State::kBusy; }
  // Send writes request `index`, scheduled at `scheduled`. REQUIRES: idle().
  void Send(std::uint64_t index, SteadyTime scheduled);
  void Close();

 private:
  enum class State { kConnecting, kIdle, kBusy, kClosed };

  asio::io_context& Context();
  void OnConnect(beast::error_code ec);
  void OnWrite(beast::error_code ec);
  void DoRead();
  void OnRead(beast::error_code ec);
  void Fail(beast::error_code ec, const char* step);

  Generator& generator_;
  tcp::endpoint endpoint_;
  tcp::socket socket_;
  asio::steady_timer retry_timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  State state_ = State::kConnecting;
  std::uint64_t index_ = 0;
  SteadyTime scheduled_{};
};

// Generator owns the schedule, the connections and the tallies.
class Generator {
 public:
  Generator(const LoadOptions& options,
            const std::function<void(const LoadSecond&)>& on_second)
      : options_(options),
        on_second_(on_second),
        schedule_timer_(context_),
        second_timer_(context_),
        end_timer_(context_),
        by_request_(options.requests.size()) {
    const std::string host = options.address;
    for (const LoadRequest& request : options.requests) {
      wire_requests_.push_back(SerializeRequest(request, host));
    }
    total_requests_ = static_cast<std::uint64_t>(
        static_cast<__int128>(options.rate) * options.duration / kSecond);
  }

  LoadReport Run();

  asio::io_context& context() { return context_; }
  const std::string& WireRequest(std::uint64_t index) const {
    return wire_requests_[index % wire_requests_.size()];
  }

  // The connections report here.
  void OnSent(std::uint64_t index);
  void OnResponse(std::uint64_t index, SteadyTime scheduled, int status);
  void OnError(std::uint64_t index, bool had_request);
  void OnIdle() { Dispatch(); }

 private:
  struct Pending {
    std::uint64_t index;
    SteadyTime scheduled;
  };

  SteadyTime ScheduledTime(std::uint64_t index) const {
    Nanos offset = static_cast<Nanos>(static_cast<__int128>(index) * kSecond /
                                      options_.rate);
    return start_ + std::chrono::nanoseconds(offset);
  }
  void OnSchedule();
  void Dispatch();
  void OnSecond();
  void MaybeFinish();
  void Finish();

  const LoadOptions& options_;
  const std::function<void(const LoadSecond&)>& on_second_;
  asio::io_context context_{1};
  asio::steady_timer schedule_timer_;
  asio::steady_timer second_timer_;
  asio::steady_timer end_timer_;
  std::vector<std::string> wire_requests_;
  std::vector<std::unique_ptr<Connection>> connections_;

  SteadyTime start_{};
  std::uint64_t total_requests_ = 0;
  std::uint64_t next_index_ = 0;  // the next request to schedule
  std::deque<Pending> queue_;     // scheduled but not sent
  std::uint64_t in_flight_ = 0;
  std::size_t next_connection_ = 0;  // where Dispatch starts looking
  bool schedule_done_ = false;
  bool finished_ = false;

  int second_ = 0;  // the second being tallied
  Tally second_tally_;
  Tally total_;
  std::vector<Tally> by_request_;
  std::uint64_t unfinished_ = 0;
  SteadyTime end_{};
};

asio::io_context& Connection::Context() { return generator_.context(); }

void Connection::DoConnect() {
  state_ = State::kConnecting;
  socket_.async_connect(endpoint_,
                        [this](beast::error_code ec) { OnConnect(ec); });
}

void Connection::OnConnect(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) return Fail(ec, "connect");
  beast::error_code option_ec;
  socket_.set_option(tcp::no_delay(true), option_ec);
  state_ = State::kIdle;
  generator_.OnIdle();
}

void Connection::Send(std::uint64_t index, SteadyTime scheduled) {
  state_ = State::kBusy;
  index_ = index;
  scheduled_ = scheduled;
  generator_.OnSent(index);
  asio::async_write(socket_, asio::buffer(generator_.WireRequest(index)),
                    [this](beast::error_code ec, std::size_t) { OnWrite(ec); });
}

void Connection::OnWrite(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) return Fail(ec, "write");
  DoRead();
}

void Connection::DoRead() {
  parser_.emplace();
  parser_->body_limit(kResponseBodyLimit);
  bhttp::async_read(socket_, buffer_, *parser_,
                    [this](beast::error_code ec, std::size_t) { OnRead(ec); });
}

void Connection::OnRead(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) return Fail(ec, "read");

  const int status = static_cast<int>(parser_->get().result_int());
  const bool keep_alive = parser_->keep_alive();

  // The server closed the connection after this response: open a new one.
  if (!keep_alive) {
    beast::error_code close_ec;
    socket_.close(close_ec);
    socket_ = tcp::socket(Context());
    buffer_.clear();
    state_ = State::kConnecting;
  } else {
    state_ = State::kIdle;
  }

  // The response may end the run, which closes this connection.
  generator_.OnResponse(index_, scheduled_, status);
  if (state_ == State::kClosed) return;
  if (!keep_alive) return DoConnect();
  generator_.OnIdle();
}

// Fail counts the error, then reconnects after a short pause.
void Connection::Fail(beast::error_code ec, const char* step) {
  spdlog::debug("load connection {} failed: {}", step, ec.message());
  const bool had_request = state_ == State::kBusy;
  beast::error_code close_ec;
  socket_.close(close_ec);
  socket_ = tcp::socket(Context());
  buffer_.clear();
  state_ = State::kConnecting;
  generator_.OnError(index_, had_request);
  retry_timer_.expires_after(kReconnectDelay);
  retry_timer_.async_wait([this](beast::error_code timer_ec) {
    if (!timer_ec && state_ != State::kClosed) DoConnect();
  });
}

void Connection::Close() {
  state_ = State::kClosed;
  beast::error_code ec;
  socket_.close(ec);
  retry_timer_.cancel();
}

LoadReport Generator::Run() {
  // Open the connections, spread over the ports.
  asio::ip::address address = asio::ip::make_address(options_.address);
  for (int i = 0; i < options_.connections; ++i) {
    // Consecutive connections share a port (blocks, not alternation), so
    // request kinds sent in turn still reach every port.
    const std::size_t block =
        static_cast<std::size_t>(i) * options_.ports.size() /
        static_cast<std::size_t>(options_.connections);
    std::uint16_t port = options_.ports[block];
    connections_.push_back(
        std::make_unique<Connection>(*this, tcp::endpoint(address, port)));
  }
  start_ = std::chrono::steady_clock::now();
  for (auto& connection : connections_) connection->DoConnect();

  // Start the schedule, the per-second report and the hard end.
  OnSchedule();
  second_timer_.expires_at(start_ + std::chrono::seconds(1));
  second_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) OnSecond();
  });
  end_timer_.expires_at(start_ +
                        std::chrono::nanoseconds(options_.duration +
                                                 options_.drain_timeout));
  end_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) Finish();
  });

  context_.run();

  LoadReport report;
  report.total = total_.Finish();
  for (Tally& tally : by_request_) report.by_request.push_back(tally.Finish());
  report.unfinished = unfinished_;
  report.elapsed = Elapsed(start_, end_);
  return report;
}

// OnSchedule queues every request that is due, hands them to idle
// connections, and sleeps until the next one is due.
void Generator::OnSchedule() {
  const SteadyTime now = std::chrono::steady_clock::now();
  while (next_index_ < total_requests_ && ScheduledTime(next_index_) <= now) {
    queue_.push_back({next_index_, ScheduledTime(next_index_)});
    ++next_index_;
  }
  Dispatch();

  if (next_index_ >= total_requests_) {
    schedule_done_ = true;
    MaybeFinish();
    return;
  }
  schedule_timer_.expires_at(ScheduledTime(next_index_));
  schedule_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) OnSchedule();
  });
}

// Dispatch hands queued requests to idle connections, starting after the
// connection used last, so the load spreads over every connection (and
// every port) even when one connection alone could carry it.
void Generator::Dispatch() {
  const std::size_t count = connections_.size();
  for (std::size_t tried = 0; tried < count && !queue_.empty(); ++tried) {
    Connection& connection = *connections_[next_connection_];
    next_connection_ = (next_connection_ + 1) % count;
    if (!connection.idle()) continue;
    Pending next = queue_.front();
    queue_.pop_front();
    connection.Send(next.index, next.scheduled);
  }
}

void Generator::OnSent(std::uint64_t index) {
  ++in_flight_;
  ++second_tally_.counts.sent;
  ++total_.counts.sent;
  ++by_request_[index % by_request_.size()].counts.sent;
}

void Generator::OnResponse(std::uint64_t index, SteadyTime scheduled,
                           int status) {
  --in_flight_;
  const Nanos latency = Elapsed(scheduled, std::chrono::steady_clock::now());
  second_tally_.Record(status, latency);
  total_.Record(status, latency);
  by_request_[index % by_request_.size()].Record(status, latency);
  MaybeFinish();
}

void Generator::OnError(std::uint64_t index, bool had_request) {
  ++second_tally_.counts.errors;
  ++total_.counts.errors;
  if (had_request) {
    --in_flight_;
    ++by_request_[index % by_request_.size()].counts.errors;
  }
  MaybeFinish();
}

// OnSecond reports the second that just ended.
void Generator::OnSecond() {
  LoadSecond report{second_, second_tally_.Finish()};
  second_tally_ = Tally{};
  ++second_;
  if (on_second_) on_second_(report);

  // Report whole seconds of the schedule only; the drain goes to the total.
  if (static_cast<Nanos>(second_ + 1) * kSecond <= options_.duration) {
    second_timer_.expires_at(start_ + std::chrono::seconds(second_ + 1));
    second_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) OnSecond();
    });
  }
}

// MaybeFinish ends the run once every scheduled request has a response.
void Generator::MaybeFinish() {
  if (schedule_done_ && queue_.empty() && in_flight_ == 0) {
    // Let the last whole second report before stopping.
    const SteadyTime schedule_end =
        start_ + std::chrono::nanoseconds(options_.duration);
    if (std::chrono::steady_clock::now() < schedule_end) {
      end_timer_.expires_at(schedule_end);
      end_timer_.async_wait([this](beast::error_code ec) {
        if (!ec) Finish();
      });
      return;
    }
    Finish();
  }
}

void Generator::Finish() {
  if (finished_) return;
  finished_ = true;
  end_ = std::chrono::steady_clock::now();
  unfinished_ = queue_.size() + in_flight_ +
                (total_requests_ - next_index_);
  if (second_ * kSecond < options_.duration &&
      Elapsed(start_, end_) >= static_cast<Nanos>(second_ + 1) * kSecond) {
    OnSecond();
  }
  schedule_timer_.cancel();
  second_timer_.cancel();
  end_timer_.cancel();
  for (auto& connection : connections_) connection->Close();
}

bool IsLoopback(const std::string& text) {
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(text, ec);
  return !ec && address.is_loopback();
}

}  // namespace

std::optional<std::string> ValidateLoadOptions(const LoadOptions& options) {
  if (!IsLoopback(options.address)) {
    return "invalid load address '" + options.address +
           "': the load generator sends only to loopback (127.0.0.1 or ::1)";
  }
  if (options.ports.empty()) return "no ports to load: set LoadOptions::ports";
  for (std::uint16_t port : options.ports) {
    if (port == 0) return "invalid load port 0: expected 1 to 65535";
  }
  if (options.rate < 1 || options.rate > 10'000'000) {
    return "invalid load rate " + std::to_string(options.rate) +
           ": expected 1 to 10000000 requests per second";
  }
  if (options.connections < 1 || options.connections > 10'000) {
    return "invalid load connections " + std::to_string(options.connections) +
           ": expected 1 to 10000";
  }
  if (options.duration < kSecond / 1000 || options.duration > 3600 * kSecond) {
    return "invalid load duration " + std::to_string(options.duration) +
           " ns: expected 1 ms to 1 h";
  }
  if (options.drain_timeout < 0 || options.drain_timeout > 60 * kSecond) {
    return "invalid drain timeout " + std::to_string(options.drain_timeout) +
           " ns: expected 0 to 60 s";
  }
  if (options.requests.empty()) {
    return "no requests to send: set LoadOptions::requests";
  }
  return std::nullopt;
}

LoadReport RunLoad(const LoadOptions& options,
                   const std::function<void(const LoadSecond&)>& on_second) {
  if (std::optional<std::string> error = ValidateLoadOptions(options)) {
    throw std::invalid_argument(*error);
  }
  Generator generator(options, on_second);
  return generator.Run();
}

}  // namespace labkit::http
