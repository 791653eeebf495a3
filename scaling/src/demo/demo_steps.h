// The steps of scaling-demo. Each step runs its measurements, prints a
// table with a plain-words reading of it, writes its data and chart, and
// returns an error message or nullopt. Steps share one DemoConfig.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace scaling::demo {

struct DemoConfig {
  bool quick = false;
  int seconds = 2;      // per load run, whole seconds (wrk's unit)
  int max_threads = 4;  // the vertical sweep's largest thread count
  int repeats = 2;      // runs per vertical point; the best one counts
  int cores = 2;
  std::string output_dir;  // charts and data
  std::string run_dir;     // logs, configurations, pid files
  std::string service_binary;
  std::string wrk_script;
  std::string charts_dir;  // the gnuplot scripts
  // charts lists every chart written so far, for the summary.
  std::vector<std::string>* charts = nullptr;
};

std::optional<std::string> RunVertical(const DemoConfig& config);
std::optional<std::string> RunHorizontal(const DemoConfig& config);
std::optional<std::string> RunFailover(const DemoConfig& config);
std::optional<std::string> RunKeepAlive(const DemoConfig& config);
std::optional<std::string> RunSessions(const DemoConfig& config);
std::optional<std::string> RunSharding(const DemoConfig& config);
std::optional<std::string> RunSimulation(const DemoConfig& config);

// DrawChart runs `gnuplot -e "<variables>" <charts_dir>/<script>` to write
// <output_dir>/<chart>, and adds the chart to config.charts. Each variable
// is "name='value'" or "name=number".
std::optional<std::string> DrawChart(const DemoConfig& config,
                                     const std::string& script,
                                     const std::string& chart,
                                     const std::vector<std::string>& variables);

// Interrupted is true once SIGINT or SIGTERM arrived; steps stop early.
bool Interrupted();

}  // namespace scaling::demo
