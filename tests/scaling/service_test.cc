// Tests of scaling-service's handlers, called directly (no sockets), and of
// its Redis session store against a private redis-server.

#include "scaling/http/service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "labkit/testing/redis_server.h"

namespace scaling::http {
namespace {

using std::chrono::microseconds;
using std::chrono::steady_clock;

labkit::http::Request Get(std::string_view path, std::string_view cookie = {}) {
  labkit::http::Request request;
  request.method = "GET";
  request.target = path;
  request.path = path;
  if (!cookie.empty()) request.headers.emplace_back("Cookie", cookie);
  return request;
}

std::string HeaderOf(const labkit::http::Response& response,
                     const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

ScalingService MakeService(HandlerKind handler, int redis_port = 0) {
  ServiceOptions options;
  options.handler = handler;
  options.instance_name = "app-7";
  options.io_delay = microseconds(20'000);
  options.cpu_rounds = 1000;
  options.redis_port = redis_port;
  return ScalingService(options);
}

TEST(ScalingServiceTest, FixedHandlerReturnsShortBody) {
  ScalingService service = MakeService(HandlerKind::kFixed);
  labkit::http::Response response = service.Handle(Get("/"));
  EXPECT_EQ(response.status, 200) << "GET / must succeed";
  EXPECT_EQ(response.body, "ok\n") << "the fixed body is the 3 bytes nginx serves in the benchmark";
  EXPECT_EQ(HeaderOf(response, "X-Instance"), "app-7")
      << "every response names its instance, so a load test can count shares";
}

TEST(ScalingServiceTest, IoHandlerWaitsItsDelay) {
  ScalingService service = MakeService(HandlerKind::kIo);
  const steady_clock::time_point start = steady_clock::now();
  labkit::http::Response response = service.Handle(Get("/"));
  const auto waited = steady_clock::now() - start;
  EXPECT_EQ(response.status, 200);
  EXPECT_GE(waited, std::chrono::milliseconds(20))
      << "the io handler must wait its whole io_delay of 20 ms";
  EXPECT_LT(waited, std::chrono::milliseconds(500))
      << "the io handler waited far longer than its 20 ms delay";
}

TEST(ScalingServiceTest, IoHandlerWaitsOverlapAcrossThreads) {
  // Four waits of 20 ms on four threads take about 20 ms, not 80 ms: the
  // wait uses no CPU, so threads add capacity beyond the cores.
  ScalingService service = MakeService(HandlerKind::kIo);
  const steady_clock::time_point start = steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&service] { service.Handle(Get("/")); });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LT(steady_clock::now() - start, std::chrono::milliseconds(70))
      << "four concurrent 20 ms waits must overlap";
  EXPECT_EQ(service.stats().requests, 4u);
}

TEST(ScalingServiceTest, CpuWorkIsDeterministic) {
  EXPECT_EQ(CpuWork(1, 0), 1u) << "zero rounds return the seed";
  EXPECT_EQ(CpuWork(7, 1000), CpuWork(7, 1000)) << "the same rounds give the same result";
  EXPECT_NE(CpuWork(7, 1000), CpuWork(7, 1001)) << "every round changes the result";
  EXPECT_NE(CpuWork(7, 1000), CpuWork(8, 1000)) << "the seed changes the result";
}

TEST(ScalingServiceTest, CpuHandlerReturnsThreeBytes) {
  ScalingService service = MakeService(HandlerKind::kCpu);
  labkit::http::Response response = service.Handle(Get("/"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), 3u) << "the cpu handler's body has the fixed body's size";
}

TEST(ScalingServiceTest, HealthAndUnknownPaths) {
  ScalingService service = MakeService(HandlerKind::kIo);
  EXPECT_EQ(service.Handle(Get("/health")).status, 200) << "health checks need 200";
  EXPECT_EQ(service.Handle(Get("/nope")).status, 404);
  EXPECT_EQ(HeaderOf(service.Handle(Get("/nope")), "X-Instance"), "app-7")
      << "errors name their instance too";
}

TEST(SessionIdTest, FindsSidCookie) {
  EXPECT_EQ(SessionId("sid=abc"), "abc");
  EXPECT_EQ(SessionId("a=1; sid=abc; b=2"), "abc");
  EXPECT_EQ(SessionId("SRV=app-1;sid=xyz"), "xyz");
  EXPECT_EQ(SessionId("xsid=abc"), "") << "only a cookie named exactly sid counts";
  EXPECT_EQ(SessionId(""), "");
}

TEST(ScalingServiceTest, MemorySessionsCountPerProcess) {
  ScalingService first = MakeService(HandlerKind::kFixed);
  ScalingService second = MakeService(HandlerKind::kFixed);
  EXPECT_EQ(first.Handle(Get("/session", "sid=s1")).body, "visits=1 instance=app-7\n");
  EXPECT_EQ(first.Handle(Get("/session", "sid=s1")).body, "visits=2 instance=app-7\n");
  EXPECT_EQ(first.Handle(Get("/session", "sid=s2")).body, "visits=1 instance=app-7\n")
      << "each session counts separately";
  EXPECT_EQ(second.Handle(Get("/session", "sid=s1")).body, "visits=1 instance=app-7\n")
      << "a memory store is private to its instance";
  EXPECT_EQ(first.Handle(Get("/session")).status, 400) << "a request without sid is invalid";
}

TEST(ScalingServiceTest, RedisSessionsAreShared) {
  labkit::testing::RedisServer redis;
  ASSERT_TRUE(redis.Start()) << redis.error();
  ScalingService first = MakeService(HandlerKind::kFixed, redis.port());
  ScalingService second = MakeService(HandlerKind::kFixed, redis.port());

  EXPECT_EQ(first.Handle(Get("/session", "sid=s1")).body, "visits=1 instance=app-7\n");
  EXPECT_EQ(second.Handle(Get("/session", "sid=s1")).body, "visits=2 instance=app-7\n")
      << "instances sharing Redis must share the session's count";
  EXPECT_EQ(redis.Command({"GET", "session:s1"}).text, "2")
      << "the count lives in Redis under session:<sid>";

  // Stop Redis: the session store fails with 503 and counts the error.
  redis.Stop();
  labkit::http::Response response = first.Handle(Get("/session", "sid=s1"));
  EXPECT_EQ(response.status, 503) << "with Redis down the session store is unavailable";
  EXPECT_EQ(first.stats().session_errors, 1u);

  // Bring it back (empty): the service reconnects.
  ASSERT_TRUE(redis.Start()) << redis.error();
  EXPECT_EQ(first.Handle(Get("/session", "sid=s1")).body, "visits=1 instance=app-7\n")
      << "after Redis restarts the service must reconnect";
}

TEST(ParseHandlerKindTest, NamesRoundTrip) {
  for (HandlerKind kind : {HandlerKind::kFixed, HandlerKind::kIo, HandlerKind::kCpu}) {
    EXPECT_EQ(ParseHandlerKind(HandlerKindName(kind)), kind);
  }
  EXPECT_EQ(ParseHandlerKind("disk"), std::nullopt);
}

}  // namespace
}  // namespace scaling::http
