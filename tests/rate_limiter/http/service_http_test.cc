// End-to-end tests of rl-service over real HTTP on 127.0.0.1.
//
// Each test starts the service's handler on labkit::http::Server with its
// own configuration, an in-memory store and a real clock. A Beast client
// then sends whole requests, raw bytes for malformed and slow clients, or
// requests from several threads for the concurrency cases.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "labkit/clock.h"
#include "labkit/config.h"
#include "labkit/http/load_client.h"
#include "labkit/http/server.h"
#include "rate_limiter/service/service.h"
#include "rate_limiter/service/service_config.h"
#include "rate_limiter/store.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Reply is one HTTP response as the client saw it.
struct Reply {
  int status = 0;
  bhttp::fields headers;
  std::string body;
  bool keep_alive = true;

  std::string Header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : std::string(it->value());
  }
  bool HasHeader(std::string_view name) const {
    return headers.find(name) != headers.end();
  }
};

// TestService runs the service handler on a real server on 127.0.0.1.
class TestService {
 public:
  explicit TestService(const std::string& config_text, int threads = 1,
                       bool reuse_port = true) {
    labkit::ConfigResult<labkit::ConfigFile> file =
        labkit::ConfigFile::Parse(config_text, "test.conf");
    if (!file.ok()) throw std::runtime_error(file.error().message);
    labkit::ConfigResult<rl::service::ServiceConfig> config =
        rl::service::ParseServiceConfig(file.value());
    if (!config.ok()) throw std::runtime_error(config.error().message);

    labkit::http::ServerOptions options = config.value().server;
    options.threads = threads;
    options.reuse_port = reuse_port;
    service_ = std::make_unique<rl::service::RateLimitService>(
        std::move(config).value(), store_, clock_);
    server_ = std::make_unique<labkit::http::Server>(
        options, [this](const labkit::http::Request& request) {
          return service_->Handle(request);
        });
    service_->SetServerStats([this] { return server_->stats(); });
    port_ = server_->Start();
  }

  std::uint16_t port() const { return port_; }
  labkit::http::Server& server() { return *server_; }
  rl::service::RateLimitService& service() { return *service_; }

 private:
  labkit::SteadyClock clock_;
  rl::MemoryStore store_;
  std::unique_ptr<rl::service::RateLimitService> service_;
  std::unique_ptr<labkit::http::Server> server_;
  std::uint16_t port_ = 0;
};

// Client is one keep-alive connection to 127.0.0.1:port.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(context_) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  // Get sends a GET for `target` with the given headers and reads the reply.
  Reply Get(const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers =
                {}) {
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [name, value] : headers) {
      request += name + ": " + value + "\r\n";
    }
    request += "\r\n";
    SendRaw(request);
    return Read();
  }

  void SendRaw(const std::string& bytes) {
    asio::write(socket_, asio::buffer(bytes));
  }

  Reply Read() {
    bhttp::response_parser<bhttp::string_body> parser;
    bhttp::read(socket_, buffer_, parser);
    Reply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.headers = parser.get().base();
    reply.body = parser.get().body();
    reply.keep_alive = parser.keep_alive();
    return reply;
  }

  // WaitForClose reads until the server closes the connection and
  // returns how long that took; nullopt if data arrived instead.
  std::optional<Clock::duration> WaitForClose() {
    const Clock::time_point start = Clock::now();
    std::array<char, 256> data;
    beast::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(data), ec);
    if (!ec && n > 0) return std::nullopt;
    return Clock::now() - start;
  }

 private:
  asio::io_context context_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// Metric returns the value of the Prometheus sample named `name` (with its
// labels, if any) in `text`, or -1 if there is none.
long long Metric(const std::string& text, const std::string& name) {
  const std::string prefix = name + " ";
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string line = text.substr(line_start, line_end - line_start);
    if (line.rfind(prefix, 0) == 0) return std::stoll(line.substr(prefix.size()));
    line_start = line_end + 1;
  }
  return -1;
}

const std::string kSmallLimit =
    "[tier default]\n"
    "rate = 1/h\n"
    "burst = 2\n"
    "algorithm = gcra\n";

TEST(HttpService, AllowedThenRejected) {
  TestService service(kSmallLimit);
  Client client(service.port());

  for (int i = 1; i <= 2; ++i) {
    Reply allowed = client.Get("/api/items");
    EXPECT_EQ(allowed.status, 200) << "request " << i << " of the burst of 2";
    EXPECT_EQ(allowed.Header("Content-Type"), "application/json");
    EXPECT_EQ(allowed.Header("RateLimit-Policy"), "\"default\";q=2;w=7200")
        << "allowed responses carry the policy too: a burst of 2 at 1/h "
           "takes 2 h to earn, so the window is 7200 s, not 3600";
    EXPECT_EQ(allowed.Header("RateLimit"),
              "\"default\";r=" + std::to_string(2 - i) + ";t=" +
                  std::to_string(i * 3600))
        << "remaining after request " << i;
    EXPECT_FALSE(allowed.HasHeader("Retry-After"));
    EXPECT_TRUE(allowed.keep_alive);
  }

  Reply rejected = client.Get("/api/items");
  EXPECT_EQ(rejected.status, 429) << "the third request exceeds the burst";
  EXPECT_EQ(rejected.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(rejected.Header("Retry-After"), "3600")
      << "at 1/h the next token is just under an hour away, rounded up";
  EXPECT_EQ(rejected.Header("RateLimit-Policy"), "\"default\";q=2;w=7200");
  EXPECT_EQ(rejected.Header("RateLimit").rfind("\"default\";r=0;t=", 0), 0u)
      << "RateLimit after a rejection: " << rejected.Header("RateLimit");
  EXPECT_NE(rejected.body.find("\"status\":429"), std::string::npos)
      << rejected.body;
  EXPECT_NE(rejected.body.find("\"instance\":\"/api/items\""),
            std::string::npos)
      << rejected.body;
  EXPECT_NE(rejected.body.find("\"policy\":\"default\""), std::string::npos)
      << rejected.body;
  EXPECT_TRUE(rejected.keep_alive) << "a 429 keeps the connection open";
}

TEST(HttpService, ApiKeysAreSeparateClients) {
  TestService service(kSmallLimit);
  Client client(service.port());
  const std::vector<std::pair<std::string, std::string>> key_a = {
      {"X-API-Key", "key-a"}};
  const std::vector<std::pair<std::string, std::string>> key_b = {
      {"x-api-key", "key-b"}};

  EXPECT_EQ(client.Get("/api/items", key_a).status, 200);
  EXPECT_EQ(client.Get("/api/items", key_a).status, 200);
  EXPECT_EQ(client.Get("/api/items", key_a).status, 429)
      << "key-a has used its burst of 2";

  EXPECT_EQ(client.Get("/api/items", key_b).status, 200)
      << "key-b is another client (header names are case-insensitive)";
  EXPECT_EQ(client.Get("/api/items").status, 200)
      << "a request without a key is limited by its address, not by key-a";
}

TEST(HttpService, PremiumTierHasItsOwnLimit) {
  TestService service(kSmallLimit +
                      "[tier premium]\nrate = 1/h\nburst = 5\n"
                      "api_keys = gold-1, gold-2\n");
  Client client(service.port());

  for (int i = 1; i <= 5; ++i) {
    Reply reply = client.Get("/api/items", {{"X-API-Key", "gold-1"}});
    EXPECT_EQ(reply.status, 200) << "premium request " << i << " of 5";
    EXPECT_EQ(reply.Header("RateLimit-Policy"), "\"premium\";q=5;w=18000")
        << "a burst of 5 at 1/h takes 5 h to earn";
  }
  EXPECT_EQ(client.Get("/api/items", {{"X-API-Key", "gold-1"}}).status, 429);
  EXPECT_EQ(client.Get("/api/items", {{"X-API-Key", "gold-2"}}).status, 200)
      << "each key of a tier has its own bucket";
}

const std::string kRouteConfig =
    "[tier default]\n"
    "rate = 10/min\n"
    "algorithm = gcra\n"
    "[route search]\n"
    "path = /api/search\n"
    "rate = 3/min\n"
    "algorithm = sliding_log\n";

TEST(HttpService, RouteLimitApplies) {
  TestService service(kRouteConfig);
  Client client(service.port());

  Reply first = client.Get("/api/search?q=a");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("RateLimit-Policy"),
            "\"default\";q=10;w=60, \"search\";q=3;w=60")
      << "both limits are listed, tier first";
  EXPECT_EQ(client.Get("/api/search/deep").status, 200)
      << "/api/search/deep is under the route";
  EXPECT_EQ(client.Get("/api/search").status, 200);

  Reply rejected = client.Get("/api/search");
  EXPECT_EQ(rejected.status, 429) << "the route allows 3 per minute";
  EXPECT_NE(rejected.body.find("\"policy\":\"search\""), std::string::npos)
      << "the route's limit decided: " << rejected.body;

  Reply other = client.Get("/api/searchable");
  EXPECT_EQ(other.status, 200)
      << "/api/searchable is not under /api/search (no '/' boundary)";
  EXPECT_EQ(other.Header("RateLimit-Policy"), "\"default\";q=10;w=60");
}

TEST(HttpService, RejectedRequestConsumesNoQuota) {
  // Group limit 10/min and route limit 3/min: five calls to the route give
  // 3 allowed and 2 rejected, and the group limit must then have 7 left.
  TestService service(kRouteConfig);
  Client client(service.port());

  int allowed = 0;
  for (int i = 0; i < 5; ++i) {
    allowed += client.Get("/api/search").status == 200 ? 1 : 0;
  }
  EXPECT_EQ(allowed, 3);

  Reply next = client.Get("/api/items");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.Header("RateLimit").rfind("\"default\";r=6;", 0), 0u)
      << "7 left before this request, 6 after; the 2 rejected route calls "
         "must not have consumed group quota. RateLimit: "
      << next.Header("RateLimit");
}

TEST(HttpService, ClientThatWaitsRetryAfterIsAllowed) {
  // 50 per minute with no burst: one request every 1.2 s, so the advertised
  // Retry-After must round 1.2 s up to 2.
  TestService service("[tier default]\nrate = 50/min\nburst = 1\n");
  Client client(service.port());

  ASSERT_EQ(client.Get("/api/items").status, 200);
  Reply rejected = client.Get("/api/items");
  ASSERT_EQ(rejected.status, 429);
  ASSERT_EQ(rejected.Header("Retry-After"), "2")
      << "a wait of just under 1.2 s is rounded up to 2";

  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(client.Get("/api/items").status, 200)
      << "a client that waited the advertised Retry-After must be allowed";
}

TEST(HttpServer, MalformedRequestGets400AndClose) {
  TestService service(kSmallLimit);
  Client client(service.port());

  client.SendRaw("GET /api/items HTTP/1.1\r\nHost test\r\n\r\n");
  Reply reply = client.Read();
  EXPECT_EQ(reply.status, 400);
  EXPECT_FALSE(reply.keep_alive) << "the server closes after a 400";
  EXPECT_TRUE(client.WaitForClose().has_value());
  EXPECT_EQ(service.server().stats().bad_requests, 1u);
}

TEST(HttpServer, OversizedHeaderGets431) {
  TestService service(kSmallLimit + "[server]\nheader_limit = 1024\n");
  Client client(service.port());

  client.SendRaw("GET /api/items HTTP/1.1\r\nHost: test\r\nX-Big: " +
                 std::string(2000, 'a') + "\r\n\r\n");
  Reply reply = client.Read();
  EXPECT_EQ(reply.status, 431) << "a 2000-byte header over a 1024-byte limit";
  EXPECT_FALSE(reply.keep_alive);
  EXPECT_EQ(service.service().stats().requests, 0u)
      << "the handler never sees a rejected request";
}

TEST(HttpServer, OversizedBodyGets413) {
  TestService service(kSmallLimit + "[server]\nbody_limit = 1024\n");
  Client client(service.port());

  client.SendRaw(
      "POST /api/items HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n");
  Reply reply = client.Read();
  EXPECT_EQ(reply.status, 413) << "a 5000-byte body over a 1024-byte limit";
  EXPECT_FALSE(reply.keep_alive);
}

TEST(HttpServer, BodyWithinLimitIsAccepted) {
  TestService service(kSmallLimit + "[server]\nbody_limit = 1024\n");
  Client client(service.port());

  client.SendRaw("POST /api/items HTTP/1.1\r\nHost: test\r\nContent-Length: "
                 "1024\r\n\r\n" +
                 std::string(1024, 'b'));
  EXPECT_EQ(client.Read().status, 200) << "exactly body_limit bytes is fine";
}

TEST(HttpServer, SlowClientIsDisconnected) {
  TestService service(kSmallLimit +
                      "[server]\nrequest_timeout = 300ms\nidle_timeout = 60s\n");
  Client client(service.port());

  // Half a request, then silence (the "slowloris" pattern).
  client.SendRaw("GET /api/items HTTP/1.1\r\nHost: test\r\n");
  std::optional<Clock::duration> closed_after = client.WaitForClose();

  ASSERT_TRUE(closed_after.has_value()) << "no response to half a request";
  EXPECT_GE(*closed_after, std::chrono::milliseconds(250));
  EXPECT_LT(*closed_after, std::chrono::seconds(5))
      << "the request timeout (300 ms) closes the connection, not the idle "
         "timeout (60 s)";
  EXPECT_EQ(service.server().stats().timeouts, 1u);
}

TEST(HttpServer, IdleConnectionIsClosed) {
  TestService service(kSmallLimit +
                      "[server]\nrequest_timeout = 10s\nidle_timeout = 300ms\n");
  Client client(service.port());

  EXPECT_EQ(client.Get("/api/items").status, 200);
  std::optional<Clock::duration> closed_after = client.WaitForClose();

  ASSERT_TRUE(closed_after.has_value());
  EXPECT_GE(*closed_after, std::chrono::milliseconds(250));
  EXPECT_LT(*closed_after, std::chrono::seconds(5));
  EXPECT_EQ(service.server().stats().timeouts, 1u);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  TestService service(kSmallLimit);
  Client client(service.port());

  client.SendRaw(
      "GET /api/a HTTP/1.1\r\nHost: test\r\n\r\n"
      "GET /api/b HTTP/1.1\r\nHost: test\r\n\r\n"
      "GET /api/c HTTP/1.1\r\nHost: test\r\n\r\n");
  EXPECT_EQ(client.Read().status, 200);
  EXPECT_EQ(client.Read().status, 200);
  Reply third = client.Read();
  EXPECT_EQ(third.status, 429);
  EXPECT_NE(third.body.find("\"instance\":\"/api/c\""), std::string::npos)
      << third.body;
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  TestService service(kSmallLimit);
  Client client(service.port());

  Reply reply = client.Get("/api/items", {{"Connection", "close"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_FALSE(reply.keep_alive);
  EXPECT_EQ(reply.Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose().has_value());
}

TEST(HttpService, MetricsCountersMove) {
  TestService service(kSmallLimit);
  Client client(service.port());
  client.Get("/api/items");
  client.Get("/api/items");
  client.Get("/api/items");  // rejected

  Reply metrics = client.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.Header("Content-Type").rfind("text/plain; version=0.0.4", 0),
            0u);
  EXPECT_EQ(Metric(metrics.body, "rl_requests_total"), 3) << metrics.body;
  EXPECT_EQ(Metric(metrics.body, "rl_allowed_total"), 2) << metrics.body;
  EXPECT_EQ(Metric(metrics.body, "rl_rejected_total{limit=\"default\"}"), 1)
      << metrics.body;
  EXPECT_EQ(Metric(metrics.body, "rl_store_errors_total"), 0) << metrics.body;
  EXPECT_EQ(Metric(metrics.body, "http_requests_total"), 4)
      << "three API requests and this /metrics request: " << metrics.body;
  EXPECT_EQ(Metric(metrics.body, "http_connections_accepted_total"), 1)
      << metrics.body;
  EXPECT_EQ(Metric(metrics.body, "http_bad_requests_total"), 0);

  Reply again = client.Get("/metrics");
  EXPECT_EQ(Metric(again.body, "rl_requests_total"), 3)
      << "/metrics itself is not rate limited or counted as an API request";
  EXPECT_EQ(Metric(again.body, "http_requests_total"), 5);
}

// WriteTempFile writes `text` to a new file and returns its path.
std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ServiceConfig, ErrorsNameFileLineAndValue) {
  struct Case {
    std::string text;
    std::string message;  // after "PATH:"
  };
  const std::vector<Case> cases = {
      {"[tier default]\nrate = 10/fortnight\n",
       "2: invalid rate '10/fortnight': expected N/s, N/min or N/h, where N "
       "is a whole number of 1 or more"},
      {"[tier default]\nrate = 0/s\n",
       "2: invalid rate '0/s': expected N/s, N/min or N/h, where N is a "
       "whole number of 1 or more"},
      {"[tier default]\nrate = 1.5/s\n",
       "2: invalid rate '1.5/s': expected N/s, N/min or N/h, where N is a "
       "whole number of 1 or more"},
      {"[tier default]\nrate = 10/s\nalgorithm = leaky\n",
       "3: invalid algorithm 'leaky': expected fixed_window, sliding_log, "
       "sliding_counter, token_bucket or gcra"},
      {"[tier default]\nrate = 10/s\nrat = 5/s\n",
       "3: unknown key 'rat' in [tier default]: expected one of rate, burst, "
       "algorithm, api_keys"},
      {"[tier default]\nrate = 10/s\nalgorithm = fixed_window\nburst = 5\n",
       "4: burst is set but fixed_window has no burst: remove it, or use "
       "token_bucket or gcra"},
      {"[tier default]\nrate = 10/s\nburst = 0\n",
       "3: invalid burst '0': expected a whole number of 1 or more"},
      {"[tier default]\nrate = 10/s\n[route s]\npath = search\nrate = 1/s\n",
       "4: invalid path 'search': expected a path starting with '/', without "
       "a query"},
      {"[tier default]\nrate = 10/s\n[server]\nrequest_timeout = 10\n",
       "4: invalid request_timeout '10': expected a duration such as 250ms, "
       "2s, 5min or 1h"},
      {"[tier default]\nrate = 1/s\n[tier a]\nrate = 1/s\napi_keys = k\n"
       "[tier b]\nrate = 1/s\napi_keys = k\n",
       "8: an API key on this line is also listed on line 5: each key "
       "belongs to one tier"},
      {"[tier default]\nrate = 1/s\n[route default]\npath = /x\nrate = 1/s\n",
       "3: duplicate limit name 'default' (first on line 1)"},
      {"[tier default]\nrate = 1/s\n[limits]\n",
       "3: unknown section [limits]: expected [service], [server], [tier "
       "NAME] or [route NAME]"},
      {"[tier default]\n", "1: missing key 'rate' in [tier default]"},
  };
  for (const Case& c : cases) {
    const std::string path = WriteTempFile("rl_service_test.conf", c.text);
    labkit::ConfigResult<rl::service::ServiceConfig> config =
        rl::service::LoadServiceConfig(path);
    ASSERT_FALSE(config.ok()) << "expected an error for:\n" << c.text;
    EXPECT_EQ(config.error().message, path + ":" + c.message);
    std::remove(path.c_str());
  }
}

TEST(ServiceConfig, MissingDefaultTier) {
  const std::string path = WriteTempFile(
      "rl_service_nodefault.conf", "[tier a]\nrate = 1/s\napi_keys = k\n");
  labkit::ConfigResult<rl::service::ServiceConfig> config =
      rl::service::LoadServiceConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            path + ": missing [tier default]: every client not listed in "
                   "another tier needs a limit");
  std::remove(path.c_str());
}

TEST(ServiceConfig, SampleConfigLoads) {
  labkit::ConfigResult<rl::service::ServiceConfig> config =
      rl::service::LoadServiceConfig(RL_SAMPLE_CONFIG);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config.value().tiers.size(), 2u);
  EXPECT_EQ(config.value().routes.size(), 2u);
  EXPECT_EQ(config.value().tiers[0].limit.name, "default");
}

TEST(RlServiceBinary, BadConfigExitsWithFileAndLine) {
  const std::string path =
      WriteTempFile("rl_service_bad.conf", "[tier default]\nrate = 10/fortnight\n");
  const std::string output = ::testing::TempDir() + "rl_service_bad.out";
  const std::string command = std::string(RL_SERVICE_BINARY) + " --config " +
                              path + " --port 0 > " + output + " 2>&1";
  const int status = std::system(command.c_str());

  std::ifstream in(output);
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  ASSERT_TRUE(WIFEXITED(status)) << "rl-service must exit, not crash";
  EXPECT_EQ(WEXITSTATUS(status), 2)
      << "rl-service exits with status 2 on a bad configuration";
  EXPECT_NE(text.find(path + ":2: invalid rate '10/fortnight': expected N/s, "
                             "N/min or N/h, where N is a whole number of 1 "
                             "or more"),
            std::string::npos)
      << text;
  std::remove(path.c_str());
  std::remove(output.c_str());
}

// CommandResult is a program's exit status and everything it printed.
struct CommandResult {
  int status = -1;
  std::string output;
};

// RunCommand runs `command` through the shell and captures stdout and
// stderr together. status is -1 when the program did not exit normally.
CommandResult RunCommand(const std::string& command) {
  const std::string output_path = ::testing::TempDir() + "rl_command.out";
  const int status =
      std::system((command + " > " + output_path + " 2>&1").c_str());
  std::ifstream in(output_path);
  CommandResult result;
  result.output.assign(std::istreambuf_iterator<char>(in),
                       std::istreambuf_iterator<char>());
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::remove(output_path.c_str());
  return result;
}

TEST(RlServiceBinary, BadFlagNamesTheValue) {
  struct Case {
    std::string flags;
    std::string message;
  };
  const std::string config = std::string(" --config ") + RL_SAMPLE_CONFIG;
  const std::vector<Case> cases = {
      {config + " --port abc",
       "rl-service: --port: 'abc' is not a whole number. Expected a port "
       "number from 0 to 65535."},
      {config + " --port 70000",
       "rl-service: --port: '70000' is out of range. Expected a port number "
       "from 0 to 65535."},
      {config + " --threads 0",
       "rl-service: --threads: '0' is out of range. Expected a number of "
       "threads from 1 to 256."},
      {config + " --store redis",
       "rl-service: --store: invalid store 'redis': expected memory or "
       "redis://HOST:PORT, for example redis://127.0.0.1:6379"},
      {config + " --failure-policy maybe",
       "rl-service: --failure-policy: invalid value 'maybe'. Expected open "
       "or closed."},
      {" --config /nonexistent/labkit.conf",
       "rl-service: --config: file '/nonexistent/labkit.conf' not found."},
  };
  for (const Case& c : cases) {
    const CommandResult result =
        RunCommand(std::string(RL_SERVICE_BINARY) + c.flags);
    EXPECT_EQ(result.status, 2)
        << "every usage error exits with status 2, for:" << c.flags;
    EXPECT_NE(result.output.find(c.message), std::string::npos)
        << "for" << c.flags << " expected the message\n  " << c.message
        << "\nbut rl-service printed\n" << result.output;
  }
}

TEST(RlDemoBinary, BadFlagNamesTheValue) {
  struct Case {
    std::string flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {" --duration abc",
       "rl-demo: --duration: 'abc' is not a whole number. Expected a whole "
       "number of seconds from 1 to 120."},
      {" --duration 1.5",
       "rl-demo: --duration: '1.5' is not a whole number."},
      {" --duration 121",
       "rl-demo: --duration: '121' is out of range. Expected a whole number "
       "of seconds from 1 to 120."},
      {" --store bogus://x",
       "rl-demo: --store: invalid store 'bogus://x': expected memory or "
       "redis://HOST:PORT"},
  };
  for (const Case& c : cases) {
    const CommandResult result =
        RunCommand(std::string(RL_DEMO_BINARY) + c.flags);
    EXPECT_EQ(result.status, 2)
        << "every usage error exits with status 2, for:" << c.flags;
    EXPECT_NE(result.output.find(c.message), std::string::npos)
        << "for" << c.flags << " expected the message\n  " << c.message
        << "\nbut rl-demo printed\n" << result.output;
    EXPECT_EQ(result.output.find("labkit demo:"), std::string::npos)
        << "rl-demo must check its flags before it starts anything, for:"
        << c.flags;
  }
}

TEST(LoadClient, CountsEveryResponseByStatus) {
  // Two clients at 100 requests per second each for 1 s, against a burst
  // of 2 that refills once an hour: exactly 2 allowed per client.
  TestService service(kSmallLimit);
  labkit::http::LoadOptions options;
  options.ports = {service.port()};
  options.rate = 200;
  options.connections = 4;
  options.duration = 1'000'000'000;
  for (const char* key : {"load-a", "load-b"}) {
    labkit::http::LoadRequest request;
    request.target = "/api/items";
    request.headers = {{"X-API-Key", key}};
    options.requests.push_back(request);
  }

  std::vector<labkit::http::LoadSecond> seconds;
  labkit::http::LoadReport report = labkit::http::RunLoad(
      options,
      [&](const labkit::http::LoadSecond& s) { seconds.push_back(s); });

  EXPECT_EQ(report.total.sent, 200u) << "200/s for 1 s";
  EXPECT_EQ(report.total.ok, 4u) << "a burst of 2 for each of 2 clients";
  EXPECT_EQ(report.total.rejected, 196u);
  EXPECT_EQ(report.total.other, 0u);
  EXPECT_EQ(report.total.errors, 0u);
  EXPECT_EQ(report.unfinished, 0u);
  ASSERT_EQ(report.by_request.size(), 2u);
  EXPECT_EQ(report.by_request[0].ok, 2u);
  EXPECT_EQ(report.by_request[1].ok, 2u);
  EXPECT_GT(report.total.latency.max, 0);
  EXPECT_LE(report.total.latency.p50, report.total.latency.p99);
  ASSERT_EQ(seconds.size(), 1u) << "one per-second report for a 1 s run";
  EXPECT_EQ(seconds[0].second, 0);
  EXPECT_EQ(seconds[0].counts.sent, 200u);
  EXPECT_EQ(service.service().stats().requests, 200u)
      << "the server saw exactly what the client sent";
}

TEST(LoadClient, RejectsNonLoopbackAddress) {
  labkit::http::LoadOptions options;
  options.address = "192.0.2.1";
  options.ports = {80};
  options.requests = {labkit::http::LoadRequest{}};
  std::optional<std::string> error = labkit::http::ValidateLoadOptions(options);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "invalid load address '192.0.2.1': the load generator sends only "
            "to loopback (127.0.0.1 or ::1)");
  EXPECT_THROW(labkit::http::RunLoad(options), std::invalid_argument);
}

// Concurrency: many client threads, one exact total.
void RunConcurrentClients(TestService& service, int threads,
                          int requests_per_thread, std::atomic<int>& allowed,
                          std::atomic<int>& rejected) {
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      Client client(service.port());
      for (int i = 0; i < requests_per_thread; ++i) {
        const int status =
            client.Get("/api/items", {{"X-API-Key", "shared"}}).status;
        if (status == 200) ++allowed;
        if (status == 429) ++rejected;
      }
    });
  }
  for (std::thread& client : clients) client.join();
}

const std::string kExactHundred =
    "[tier default]\nrate = 1/h\nburst = 100\nalgorithm = gcra\n";

TEST(HttpConcurrency, ExactTotalWithReusePort) {
  TestService service(kExactHundred, /*threads=*/4, /*reuse_port=*/true);
  std::atomic<int> allowed{0};
  std::atomic<int> rejected{0};
  RunConcurrentClients(service, 8, 50, allowed, rejected);

  EXPECT_EQ(allowed.load(), 100)
      << "8 threads x 50 requests for one key with a burst of 100 (1/h "
         "refill): exactly 100 allowed";
  EXPECT_EQ(rejected.load(), 300);
  EXPECT_EQ(service.service().stats().allowed, 100u);
}

TEST(HttpConcurrency, ExactTotalWithSharedContext) {
  TestService service(kExactHundred, /*threads=*/4, /*reuse_port=*/false);
  std::atomic<int> allowed{0};
  std::atomic<int> rejected{0};
  RunConcurrentClients(service, 8, 50, allowed, rejected);

  EXPECT_EQ(allowed.load(), 100);
  EXPECT_EQ(rejected.load(), 300);
  EXPECT_EQ(service.server().stats().requests, 400u);
}

}  // namespace
