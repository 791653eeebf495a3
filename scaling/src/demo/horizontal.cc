// The horizontal steps: instances behind HAProxy, how the balance
// algorithm shares the load, a crash taken out by health checks, and
// keep-alive to the instances.

#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "demo_steps.h"
#include "scaling/demo/haproxy.h"
#include "scaling/demo/service_fleet.h"
#include "scaling/demo/wrk.h"

namespace scaling::demo {
namespace {

using SteadyClock = std::chrono::steady_clock;

// StartBalancer starts HAProxy in front of `fleet` on a free port.
std::optional<std::string> StartBalancer(const DemoConfig& config,
                                         const ServiceFleet& fleet,
                                         Balance balance, Haproxy& haproxy,
                                         bool server_keep_alive = true) {
  HaproxyOptions options;
  options.port = FreePort();
  options.directory = config.run_dir;
  options.balance = balance;
  options.servers = fleet.servers();
  options.server_keep_alive = server_keep_alive;
  return haproxy.Start(options);
}

std::optional<LoadRun> Load(const DemoConfig& config, std::uint16_t port,
                            int connections, int seconds, int keys,
                            std::string* error) {
  WrkOptions load;
  load.port = port;
  load.connections = connections;
  load.seconds = seconds;
  load.script = config.wrk_script;
  load.keys = keys;
  return RunWrk(load, config.run_dir + "/wrk.log", error);
}

std::string Shares(const LoadRun& run, const ServiceFleet& fleet) {
  std::string text;
  for (const HaproxyServer& server : fleet.servers()) {
    char share[64];
    std::snprintf(share, sizeof share, "%s %4.1f%%  ", server.name.c_str(),
                  100 * run.Share(server.name));
    text += share;
  }
  return text;
}

InstanceOptions Handler(const std::string& handler) {
  InstanceOptions options;
  options.handler = handler;
  return options;
}

// ConfigName returns the balance line's words, short enough for a chart.
const char* ConfigName(Balance balance) {
  switch (balance) {
    case Balance::kRoundRobin: return "roundrobin";
    case Balance::kLeastConn: return "leastconn";
    case Balance::kConsistentHash: return "uri, consistent";
  }
  return "unknown";
}

int MaxInstances(const DemoConfig& config) { return config.quick ? 3 : 4; }

// MeasureInstances loads 1..MaxInstances instances of `handler` through
// round robin and returns requests per second for each count (NaN when
// invalid).
std::optional<std::string> MeasureInstances(const DemoConfig& config,
                                            const std::string& handler,
                                            std::vector<double>* rates) {
  ServiceFleet fleet(config.service_binary, config.run_dir);
  for (int n = 1; n <= MaxInstances(config); ++n) {
    if (Interrupted()) return "interrupted";
    if (auto error = fleet.Start(n, Handler(handler))) return error;
    Haproxy haproxy;
    if (auto error = StartBalancer(config, fleet, Balance::kRoundRobin, haproxy)) {
      return error;
    }
    std::string error;
    std::optional<LoadRun> run = Load(config, haproxy.options().port,
                                      16 * n, config.seconds, 0, &error);
    if (!run) return error;
    std::printf("  %-3s %d instance(s), 1 thread each: %s\n", handler.c_str(),
                n, DescribeRun(*run).c_str());
    std::fflush(stdout);
    rates->push_back(run->valid() ? run->requests_per_second : NAN);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RunHorizontal(const DemoConfig& config) {
  std::printf(
      "\n== Horizontal scaling: more instances behind HAProxy (step horizontal) ==\n"
      "  1 to %d scaling-service processes (1 thread each) behind HAProxy\n"
      "  (round robin, health checks every 200 ms), all on this machine.\n",
      MaxInstances(config));

  // Throughput against instances, for both handlers.
  std::vector<double> io_rates, cpu_rates;
  if (auto error = MeasureInstances(config, "io", &io_rates)) return error;
  if (auto error = MeasureInstances(config, "cpu", &cpu_rates)) return error;

  // Each policy's shares over 3 instances, with 10,000 distinct keys.
  std::printf("  Shares of 3 io instances, requests for 10,000 keys (/?key=K):\n");
  ServiceFleet fleet(config.service_binary, config.run_dir);
  if (auto error = fleet.Start(3, Handler("io"))) return error;
  const std::string shares_path = config.output_dir + "/shares.dat";
  std::ofstream shares(shares_path);
  shares << "# policy app-1 app-2 app-3 (percent of responses)\n";
  for (Balance balance : {Balance::kRoundRobin, Balance::kLeastConn,
                          Balance::kConsistentHash}) {
    Haproxy haproxy;
    if (auto error = StartBalancer(config, fleet, balance, haproxy)) return error;
    std::string error;
    std::optional<LoadRun> run =
        Load(config, haproxy.options().port, 48, config.seconds, 10'000, &error);
    if (!run) return error;
    std::printf("    %-26s %s| %s\n", BalanceName(balance),
                Shares(*run, fleet).c_str(), DescribeRun(*run).c_str());
    shares << '"' << ConfigName(balance) << '"';
    for (const HaproxyServer& server : fleet.servers()) {
      shares << ' ' << 100 * run->Share(server.name);
    }
    shares << '\n';
  }
  shares.close();

  // Write the data and draw.
  const std::string data = config.output_dir + "/horizontal.dat";
  std::ofstream out(data);
  out << "# instances io_rps cpu_rps\n";
  for (std::size_t i = 0; i < io_rates.size(); ++i) {
    out << i + 1 << ' ' << io_rates[i] << ' ' << cpu_rates[i] << '\n';
  }
  out.close();
  std::printf(
      "  Reading: io instances add capacity because each one waits in\n"
      "  parallel; cpu instances share this machine's %d cores with HAProxy\n"
      "  and wrk, so past the cores more instances cannot add throughput.\n"
      "  On separate machines each instance would bring its own cores.\n"
      "  Round robin and least connections split the load evenly;\n"
      "  consistent hashing sends each key to one instance, so shares\n"
      "  follow how the keys hash rather than being exactly equal.\n",
      config.cores);
  return DrawChart(config, "horizontal.gp", "horizontal.png",
                   {"data='" + data + "'", "shares='" + shares_path + "'"});
}

namespace {

// FailoverRun is one crash experiment's outcome.
struct FailoverRun {
  LoadRun load;
  long down_after_ms = -1;  // -1: never marked DOWN during the run
};

// Crash loads three io instances behind `options` for `seconds`, kills
// app-3 after a third of them, and measures when HAProxy marks it DOWN.
std::optional<std::string> Crash(const DemoConfig& config,
                                 HaproxyOptions options, int seconds,
                                 FailoverRun* result) {
  ServiceFleet fleet(config.service_binary, config.run_dir);
  if (auto error = fleet.Start(3, Handler("io"))) return error;
  options.port = FreePort();
  options.directory = config.run_dir;
  options.servers = fleet.servers();
  Haproxy haproxy;
  if (auto error = haproxy.Start(options)) return error;

  // Load in the background while this thread kills app-3 and watches the
  // health checks through the admin socket.
  std::string load_error;
  std::optional<LoadRun> run;
  std::thread load([&] {
    run = Load(config, options.port, 48, seconds, 0, &load_error);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(seconds * 1000 / 3));
  fleet.Kill(2);
  const SteadyClock::time_point killed = SteadyClock::now();
  while (SteadyClock::now() - killed < std::chrono::seconds(seconds)) {
    auto states = haproxy.ServerStates();
    if (states.count("app-3") && states["app-3"].rfind("DOWN", 0) == 0) {
      result->down_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  SteadyClock::now() - killed)
                                  .count();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  load.join();
  if (!run) return load_error;
  result->load = *run;
  if (result->down_after_ms >= 0) {
    std::printf("    app-3 marked DOWN %ld ms after the kill; %s\n",
                result->down_after_ms, DescribeRun(*run).c_str());
  } else {
    std::printf("    app-3 not marked DOWN within %d s of the kill; %s\n", seconds,
                DescribeRun(*run).c_str());
  }
  std::printf("    shares: %s\n", Shares(*run, fleet).c_str());
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RunFailover(const DemoConfig& config) {
  const int seconds = config.quick ? 3 : 4;
  std::printf(
      "\n== An instance crashes mid-run (step failover) ==\n"
      "  3 io instances behind round robin, %d s of load; app-3 gets SIGKILL\n"
      "  after a third of it. HAProxy checks GET /health every 200 ms and\n"
      "  marks a server DOWN after 2 failed checks.\n",
      seconds);

  // First with HAProxy's default retries and slow connects, then with fast
  // retries that move to another server.
  HaproxyOptions defaults;
  std::printf("  retries 3 (HAProxy's default), timeout connect 1s, no redispatch:\n");
  FailoverRun slow;
  if (auto error = Crash(config, defaults, seconds, &slow)) return error;
  if (Interrupted()) return "interrupted";

  HaproxyOptions redispatch;
  redispatch.connect_timeout = std::chrono::milliseconds(100);
  redispatch.retries = 2;
  redispatch.redispatch = true;
  std::printf("  retries 2, timeout connect 100ms, option redispatch:\n");
  FailoverRun fast;
  if (auto error = Crash(config, redispatch, seconds, &fast)) return error;

  std::printf(
      "  Reading: the requests in flight on app-3 die with it; HAProxy closes\n"
      "  those client connections (wrk's read errors, so the run is marked\n"
      "  invalid) or answers 502/503 (non-2xx). With slow retries, requests\n"
      "  that round robin gave app-3 before the checks noticed wait out 3\n"
      "  connect retries of up to 1 s each, and every client connection soon\n"
      "  holds one: throughput collapses although two instances are healthy.\n"
      "  Short connect timeouts and `option redispatch` send the retry to a\n"
      "  healthy instance, so the crash costs only the requests in flight.\n");
  return std::nullopt;
}

std::optional<std::string> RunKeepAlive(const DemoConfig& config) {
  std::printf(
      "\n== Keep-alive from HAProxy to the instances (step keepalive) ==\n"
      "  2 fixed-response instances; the client always keeps its connection.\n");
  ServiceFleet fleet(config.service_binary, config.run_dir);
  if (auto error = fleet.Start(2, Handler("fixed"))) return error;
  for (bool keep_alive : {true, false}) {
    Haproxy haproxy;
    if (auto error = StartBalancer(config, fleet, Balance::kRoundRobin, haproxy,
                                   keep_alive)) {
      return error;
    }
    std::string error;
    std::optional<LoadRun> run =
        Load(config, haproxy.options().port, 32, config.seconds, 0, &error);
    if (!run) return error;
    std::printf("  %-44s %s\n",
                keep_alive ? "server connections reused (HAProxy's default)"
                           : "new connection per request (http-server-close)",
                DescribeRun(*run).c_str());
  }
  std::printf(
      "  Reading: without keep-alive to the instances every request pays a\n"
      "  TCP handshake and a close on both sides of the balancer.\n");
  return std::nullopt;
}

}  // namespace scaling::demo
