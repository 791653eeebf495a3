// scaling-demo: the program that `./labkit demo scaling` runs.
//
// Measures vertical and horizontal scaling on this machine and draws them.
// The steps:
//   - one scaling-service with more threads, with a USL fit;
//   - more instances behind HAProxy: throughput, each balance algorithm's
//     shares, a crash taken out by health checks, and keep-alive to the
//     instances;
//   - session state kept in instances or in Redis;
//   - the sharding schemes;
//   - a simulated balancer over 200 servers.
// gnuplot writes the charts as PNG files, and the demo prints their paths
// at the end.
//
// Everything listens on 127.0.0.1 on free ports, every load run is bounded
// in time, and every child process (services, HAProxy, Redis, wrk) is
// stopped on exit, on failure and on Ctrl-C. The run times are measured
// in labs/scaling/README.md, and they grow with the machine's load.

#include <CLI/CLI.hpp>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "demo_steps.h"
#include "labkit/flags.h"
#include "labkit/log.h"
#include "scaling/demo/process.h"

namespace scaling::demo {
namespace {

std::atomic<bool> g_interrupted{false};

void OnStopSignal(int) { g_interrupted.store(true); }

struct Flags {
  bool quick = false;
  int seconds = 0;  // 0: 2, or 1 with --quick
  int max_threads = 0;  // 0: twice the cores, or the cores with --quick
  std::string output;
  std::string service = SCALING_SERVICE_BINARY;
  std::vector<std::string> steps;  // empty: every step
};

// Step is one part of the demo, named for --steps.
struct Step {
  const char* name;
  std::optional<std::string> (*run)(const DemoConfig&);
};

constexpr Step kSteps[] = {
    {"vertical", RunVertical},   {"horizontal", RunHorizontal},
    {"failover", RunFailover},   {"keepalive", RunKeepAlive},
    {"sessions", RunSessions},   {"sharding", RunSharding},
    {"simulation", RunSimulation},
};

bool Selected(const Flags& flags, const char* name) {
  if (flags.steps.empty()) return true;
  return std::find(flags.steps.begin(), flags.steps.end(), name) != flags.steps.end();
}

// DefaultOutput returns <repository>/build/demo/scaling, the repository
// being $LABKIT_ROOT (which ./labkit sets) or the current directory.
std::string DefaultOutput() {
  const char* root = std::getenv("LABKIT_ROOT");
  return std::string(root != nullptr ? root : ".") + "/build/demo/scaling";
}

std::optional<std::string> CheckPrograms() {
  for (auto [program, package] : {std::pair{"wrk", "wrk"}, {"haproxy", "haproxy"},
                                  {"gnuplot", "gnuplot-nox"},
                                  {"redis-server", "redis-server"}}) {
    if (!FindProgram(program)) {
      return std::string(program) + " not found: install the Debian package " +
             package + " (scripts/setup.sh does)";
    }
  }
  return std::nullopt;
}

// PrintNextSteps points the learner from the demo to the lab's exercises.
void PrintNextSteps() {
  std::printf("\nNext:\n");
  for (auto [action, why] :
       {std::pair{"read labs/scaling/README.md", "what each step measured, and the exercises"},
        {"./labkit list", "every lab's exercises and how far you are"},
        {"./labkit check scaling jump_hash", "test your code for the first exercise"}}) {
    std::printf("  %-34s %s\n", action, why);
  }
}

int Run(const Flags& flags) {
  // Settle the configuration and the folders.
  DemoConfig config;
  std::vector<std::string> charts;
  config.quick = flags.quick;
  config.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  config.seconds = flags.seconds > 0 ? flags.seconds : (flags.quick ? 1 : 2);
  config.repeats = flags.quick ? 1 : 2;
  config.max_threads = flags.max_threads > 0
                           ? flags.max_threads
                           : (flags.quick ? std::max(3, config.cores)
                                          : std::max(4, 2 * config.cores));
  config.output_dir = flags.output.empty() ? DefaultOutput() : flags.output;
  config.run_dir = config.output_dir + "/run";
  config.service_binary = flags.service;
  config.wrk_script = SCALING_WRK_SCRIPT;
  config.charts_dir = SCALING_CHARTS_DIR;
  config.charts = &charts;
  std::error_code ec;
  std::filesystem::create_directories(config.run_dir, ec);
  if (ec) {
    std::fprintf(stderr,
                 "error: cannot create %s: %s. Choose a writable folder with "
                 "--output DIR.\n",
                 config.run_dir.c_str(), ec.message().c_str());
    return 1;
  }
  if (auto error = CheckPrograms()) {
    std::fprintf(stderr, "error: %s\n", error->c_str());
    return 1;
  }
  std::printf("scaling demo on %d core(s); logs and configurations in %s\n",
              config.cores, config.run_dir.c_str());

  // Run each step; the first failure ends the demo.
  for (const Step& step : kSteps) {
    if (!Selected(flags, step.name)) continue;
    std::optional<std::string> error = step.run(config);
    if (Interrupted()) {
      std::fprintf(stderr, "\nscaling demo interrupted; every process it "
                           "started is stopped\n");
      return 130;
    }
    if (error) {
      std::fprintf(stderr, "\nerror: %s\n", error->c_str());
      return 1;
    }
    std::fflush(stdout);
  }

  std::printf("\nCharts (PNG, drawn by gnuplot):\n");
  for (const std::string& chart : charts) std::printf("  %s\n", chart.c_str());
  PrintNextSteps();
  return 0;
}

}  // namespace

bool Interrupted() { return g_interrupted.load(); }

std::optional<std::string> DrawChart(const DemoConfig& config,
                                     const std::string& script,
                                     const std::string& chart,
                                     const std::vector<std::string>& variables) {
  std::string assignments = "output='" + config.output_dir + "/" + chart + "'";
  for (const std::string& variable : variables) assignments += "; " + variable;
  const std::string log_path = config.run_dir + "/gnuplot.log";
  CommandResult result =
      RunCommand({"gnuplot", "-e", assignments, config.charts_dir + "/" + script},
                 log_path, std::chrono::seconds(30));
  if (!result.error.empty() || result.exit_code != 0) {
    return "gnuplot could not draw " + chart + " with " + script + ": see " + log_path;
  }
  const std::string path = config.output_dir + "/" + chart;
  std::printf("  chart: %s\n", path.c_str());
  config.charts->push_back(path);
  return std::nullopt;
}

}  // namespace scaling::demo

int main(int argc, char** argv) {
  CLI::App app{"scaling-demo: vertical and horizontal scaling, sharding and "
               "load balancing, measured on this machine and charted"};
  scaling::demo::Flags flags;
  app.add_flag("--quick", flags.quick,
               "fewer points and 1 s load runs: about 40 s instead of 2 to 3 "
               "min on a 2-core machine, not counting the first build");
  app.add_option("--seconds", flags.seconds,
                 "length of each load run, in seconds (default 2; 1 with --quick)")
      ->check(labkit::WholeNumber(1, 60, "a number of seconds"));
  app.add_option("--max-threads", flags.max_threads,
                 "largest thread count of the vertical sweep (default twice "
                 "the cores and at least 4; 3 or the cores with --quick)")
      ->check(labkit::WholeNumber(1, 64, "a number of threads"));
  app.add_option("--output", flags.output,
                 "folder for the charts and data (default build/demo/scaling "
                 "in the repository)");
  app.add_option("--steps", flags.steps,
                 "run only these steps: vertical, horizontal, failover, "
                 "keepalive, sessions, sharding, simulation")
      ->delimiter(',')
      ->check(labkit::OneOf({"vertical", "horizontal", "failover", "keepalive",
                             "sessions", "sharding", "simulation"}));
  app.add_option("--service", flags.service, "path of scaling-service")
      ->check(labkit::ExistingFile());
  if (std::optional<int> status = labkit::ParseFlags(app, argc, argv)) {
    return *status;
  }

  // Stop between runs on Ctrl-C or SIGTERM; the destructors stop children.
  struct sigaction action {};
  action.sa_handler = scaling::demo::OnStopSignal;
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  labkit::InitLogging("scaling-demo", "warn");
  return scaling::demo::Run(flags);
}
