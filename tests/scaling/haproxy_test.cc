// Tests of the demo's HAProxy configuration and wrk parsing, and an
// integration test on loopback: three scaling-service processes behind a
// real HAProxy, loaded by wrk, with one instance killed mid-run.
//
// Every process here is a ChildProcess, stopped by its destructor when a
// test ends or fails, and killed by the kernel if this process dies. Every
// wrk run is bounded (a few seconds, killed 30 s past its length).

#include "scaling/demo/haproxy.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "scaling/demo/process.h"
#include "scaling/demo/service_fleet.h"
#include "scaling/demo/wrk.h"

namespace scaling::demo {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

HaproxyOptions TwoServers() {
  HaproxyOptions options;
  options.port = 8000;
  options.directory = "/tmp/x";
  options.servers = {{"app-1", 9001}, {"app-2", 9002}};
  return options;
}

TEST(HaproxyConfigTest, RoundRobinWithHealthChecks) {
  const std::string config = HaproxyConfig(TwoServers());
  EXPECT_TRUE(Contains(config, "  bind 127.0.0.1:8000\n")) << "bind loopback only:\n" << config;
  EXPECT_TRUE(Contains(config, "  balance roundrobin\n")) << config;
  EXPECT_TRUE(Contains(config, "  option httpchk GET /health\n")) << config;
  EXPECT_TRUE(Contains(config, "  default-server inter 200ms fall 2 rise 2\n")) << config;
  EXPECT_TRUE(Contains(config, "  server app-1 127.0.0.1:9001 check\n")) << config;
  EXPECT_TRUE(Contains(config, "  server app-2 127.0.0.1:9002 check\n")) << config;
  EXPECT_TRUE(Contains(config, "  pidfile /tmp/x/haproxy.pid\n")) << config;
  EXPECT_FALSE(Contains(config, "http-server-close"))
      << "keep-alive to the servers is the default:\n" << config;
  EXPECT_FALSE(Contains(config, "cookie")) << config;
  EXPECT_FALSE(Contains(config, "redispatch")) << config;
}

TEST(HaproxyConfigTest, EachBalanceAlgorithm) {
  HaproxyOptions options = TwoServers();
  options.balance = Balance::kLeastConn;
  EXPECT_TRUE(Contains(HaproxyConfig(options), "  balance leastconn\n"));
  options.balance = Balance::kConsistentHash;
  const std::string config = HaproxyConfig(options);
  EXPECT_TRUE(Contains(config, "  balance uri whole\n"))
      << "hash the query string too, so /?key=K spreads by key:\n" << config;
  EXPECT_TRUE(Contains(config, "  hash-type consistent\n")) << config;
}

TEST(HaproxyConfigTest, StickyKeepAliveAndRetries) {
  HaproxyOptions options = TwoServers();
  options.sticky = true;
  options.server_keep_alive = false;
  options.redispatch = true;
  options.retries = 2;
  options.connect_timeout = milliseconds(100);
  const std::string config = HaproxyConfig(options);
  EXPECT_TRUE(Contains(config, "  cookie SRV insert indirect nocache\n")) << config;
  EXPECT_TRUE(Contains(config, "  server app-1 127.0.0.1:9001 check cookie app-1\n")) << config;
  EXPECT_TRUE(Contains(config, "  option http-server-close\n")) << config;
  EXPECT_TRUE(Contains(config, "  option redispatch\n")) << config;
  EXPECT_TRUE(Contains(config, "  retries 2\n")) << config;
  EXPECT_TRUE(Contains(config, "  timeout connect 100ms\n")) << config;
}

TEST(HaproxyConfigTest, InvalidOptionsNameTheValue) {
  HaproxyOptions options = TwoServers();
  EXPECT_EQ(ValidateHaproxyOptions(options), std::nullopt);

  options.servers[1].name = "app 2";
  std::optional<std::string> problem = ValidateHaproxyOptions(options);
  ASSERT_TRUE(problem.has_value()) << "a server name with a space must be rejected";
  EXPECT_TRUE(Contains(*problem, "'app 2'")) << *problem;

  options = TwoServers();
  options.servers.clear();
  EXPECT_TRUE(ValidateHaproxyOptions(options).has_value()) << "no servers is invalid";

  options = TwoServers();
  options.port = 0;
  EXPECT_TRUE(ValidateHaproxyOptions(options).has_value()) << "port 0 is invalid";

  options = TwoServers();
  options.check_interval = milliseconds(5);
  problem = ValidateHaproxyOptions(options);
  ASSERT_TRUE(problem.has_value());
  EXPECT_TRUE(Contains(*problem, "5 ms")) << *problem;

  options = TwoServers();
  options.retries = 11;
  problem = ValidateHaproxyOptions(options);
  ASSERT_TRUE(problem.has_value());
  EXPECT_TRUE(Contains(*problem, "11")) << *problem;
}

TEST(WrkOutputTest, ParsesCounts) {
  std::string error;
  std::optional<LoadRun> run = ParseWrkOutput(
      "Running 2s test\n"
      "labkit-wrk requests 3000\nlabkit-wrk duration_us 2000000\n"
      "labkit-wrk p50_us 900\nlabkit-wrk p99_us 2500\nlabkit-wrk max_us 9000\n"
      "labkit-wrk connect_errors 0\nlabkit-wrk read_errors 2\n"
      "labkit-wrk write_errors 0\nlabkit-wrk timeouts 1\nlabkit-wrk non_2xx 4\n"
      "labkit-wrk instance app-1 1000\nlabkit-wrk instance app-2 2000\n",
      &error);
  ASSERT_TRUE(run.has_value()) << error;
  EXPECT_EQ(run->requests, 3000u);
  EXPECT_DOUBLE_EQ(run->requests_per_second, 1500);
  EXPECT_DOUBLE_EQ(run->p99_ms, 2.5);
  EXPECT_EQ(run->socket_errors(), 3u) << "read errors and timeouts are socket errors";
  EXPECT_FALSE(run->valid()) << "a run with socket errors is invalid";
  EXPECT_EQ(run->non_2xx, 4u);
  EXPECT_NEAR(run->Share("app-2"), 2.0 / 3, 1e-9);
  EXPECT_EQ(run->Share("app-9"), 0);
}

TEST(WrkOutputTest, MissingCountIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseWrkOutput("labkit-wrk requests 5\n", &error).has_value());
  EXPECT_TRUE(Contains(error, "duration_us")) << error;
  EXPECT_FALSE(ParseWrkOutput("labkit-wrk requests five\n", &error).has_value());
  EXPECT_TRUE(Contains(error, "five")) << error;
}

TEST(RunCommandTest, KillsCommandAtTimeout) {
  const steady_clock::time_point start = steady_clock::now();
  CommandResult result = RunCommand({"sleep", "30"}, "/dev/null", milliseconds(200));
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5))
      << "RunCommand must kill a command that outlives its timeout";
  EXPECT_NE(result.error.find("timed out"), std::string::npos) << result.error;
}

TEST(RunCommandTest, ReturnsOutputAndExitCode) {
  CommandResult result = RunCommand({"sh", "-c", "echo hello; exit 3"}, "/dev/null",
                                    std::chrono::seconds(10));
  EXPECT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(result.output, "hello\n");
  EXPECT_EQ(result.exit_code, 3);
}

TEST(ChildProcessTest, DestructorStopsProcess) {
  pid_t pid = -1;
  {
    ChildProcess child;
    ASSERT_EQ(child.Start({"sleep", "30"}, "/dev/null"), std::nullopt);
    pid = child.pid();
    ASSERT_TRUE(child.Running());
  }
  EXPECT_NE(kill(pid, 0), 0) << "the child must be gone once its ChildProcess is destroyed";
}

// HaproxyIntegrationTest runs real processes in a fresh temporary folder.
class HaproxyIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scaling-haproxy-test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    for (const char* program : {"haproxy", "wrk"}) {
      ASSERT_TRUE(FindProgram(program).has_value())
          << program << " not found: install it with scripts/setup.sh";
    }
  }

  void TearDown() override {
    // Keep the folder (logs, configuration) of a failed test.
    if (!HasFailure()) std::filesystem::remove_all(directory_);
  }

  HaproxyOptions Options(const ServiceFleet& fleet) const {
    HaproxyOptions options;
    options.port = FreePort();
    options.directory = directory_;
    options.servers = fleet.servers();
    return options;
  }

  WrkOptions Load(std::uint16_t port, int seconds) const {
    WrkOptions load;
    load.port = port;
    load.connections = 24;
    load.seconds = seconds;
    load.script = SCALING_WRK_SCRIPT;
    return load;
  }

  std::string directory_;
};

InstanceOptions IoInstances() {
  InstanceOptions options;
  options.handler = "io";
  return options;
}

TEST_F(HaproxyIntegrationTest, RoundRobinSharesEvenly) {
  ServiceFleet fleet(SCALING_SERVICE_BINARY, directory_);
  std::optional<std::string> error = fleet.Start(3, IoInstances());
  ASSERT_FALSE(error.has_value()) << *error;
  Haproxy haproxy;
  error = haproxy.Start(Options(fleet));
  ASSERT_FALSE(error.has_value()) << *error;

  std::string load_error;
  std::optional<LoadRun> run =
      RunWrk(Load(haproxy.options().port, 2), directory_ + "/wrk.log", &load_error);
  ASSERT_TRUE(run.has_value()) << load_error;
  EXPECT_TRUE(run->valid()) << "socket errors: " << DescribeRun(*run);
  EXPECT_EQ(run->non_2xx, 0u) << DescribeRun(*run);
  EXPECT_GT(run->requests, 1000u) << "3 io instances serve about 3,000 req/s: " << DescribeRun(*run);
  for (const char* name : {"app-1", "app-2", "app-3"}) {
    EXPECT_NEAR(run->Share(name), 1.0 / 3, 0.05)
        << "round robin must give " << name << " a third of the responses";
  }
}

TEST_F(HaproxyIntegrationTest, KilledInstanceIsTakenOut) {
  ServiceFleet fleet(SCALING_SERVICE_BINARY, directory_);
  std::optional<std::string> error = fleet.Start(3, IoInstances());
  ASSERT_FALSE(error.has_value()) << *error;
  HaproxyOptions options = Options(fleet);
  options.connect_timeout = milliseconds(100);
  options.retries = 2;
  options.redispatch = true;
  Haproxy haproxy;
  error = haproxy.Start(options);
  ASSERT_FALSE(error.has_value()) << *error;

  // Every server is UP before the crash.
  const steady_clock::time_point up_deadline = steady_clock::now() + std::chrono::seconds(5);
  while (haproxy.ServerStates()["app-3"] != "UP" && steady_clock::now() < up_deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(haproxy.ServerStates()["app-3"], "UP") << "app-3 never passed its health checks";

  // Load for 3 s; kill app-3 after 1 s and time the health checks.
  std::string load_error;
  std::optional<LoadRun> run;
  std::thread load([&] {
    run = RunWrk(Load(options.port, 3), directory_ + "/wrk.log", &load_error);
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  fleet.Kill(2);
  const steady_clock::time_point killed = steady_clock::now();
  bool down = false;
  while (!down && steady_clock::now() - killed < std::chrono::seconds(2)) {
    down = haproxy.ServerStates()["app-3"].rfind("DOWN", 0) == 0;
    std::this_thread::sleep_for(milliseconds(10));
  }
  const auto detection = steady_clock::now() - killed;
  load.join();

  EXPECT_TRUE(down) << "HAProxy must mark app-3 DOWN within 2 s (checks every 200 ms, fall 2)";
  EXPECT_LT(detection, milliseconds(1500)) << "2 failed checks 200 ms apart take about 400 ms";
  ASSERT_TRUE(run.has_value()) << load_error;
  EXPECT_GT(run->socket_errors() + run->non_2xx, 0u)
      << "the requests in flight on the killed instance must be counted as errors: "
      << DescribeRun(*run);
  EXPECT_FALSE(run->valid() && run->non_2xx == 0) << "a run with a crash is not clean";
  EXPECT_LT(run->Share("app-3"), 0.34)
      << "app-3 served only the first second, so less than a third";
  EXPECT_GT(run->Share("app-1"), 0.35) << "the survivors take over app-3's share";
  EXPECT_GT(run->Share("app-2"), 0.35) << "the survivors take over app-3's share";
}

}  // namespace
}  // namespace scaling::demo
