// The vertical step: one instance, 1 to max_threads threads, for the io and
// cpu handlers, with an io_context per thread (SO_REUSEPORT) and with one
// shared io_context, then a USL fit of each series.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "demo_steps.h"
#include "scaling/demo/service_fleet.h"
#include "scaling/demo/wrk.h"
#include "scaling/usl.h"

namespace scaling::demo {
namespace {

// Series is one line of the chart: a handler and an io_context mode.
struct Series {
  const char* handler;
  bool shared_context;
  std::vector<double> requests_per_second;  // NaN for an invalid run
};

// Connections keeps every thread busy: an io thread serves one request per
// io_delay, so more connections than threads are needed to fill them all.
int ConnectionsFor(const std::string& handler, int threads) {
  return handler == "io" ? 16 * threads : 8 * threads;
}

std::optional<std::string> Sweep(const DemoConfig& config, Series& series) {
  ServiceFleet fleet(config.service_binary, config.run_dir);
  for (int threads = 1; threads <= config.max_threads; ++threads) {
    if (Interrupted()) return "interrupted";
    InstanceOptions options;
    options.handler = series.handler;
    options.threads = threads;
    options.shared_context = series.shared_context;
    if (auto error = fleet.Start(1, options)) return error;

    WrkOptions load;
    load.port = fleet.servers()[0].port;
    load.connections = ConnectionsFor(series.handler, threads);
    load.seconds = config.seconds;
    load.script = config.wrk_script;
    // Keep the best valid run of the repeats: other processes on the
    // machine can only slow a run down.
    std::optional<LoadRun> best;
    for (int repeat = 0; repeat < config.repeats; ++repeat) {
      std::string error;
      std::optional<LoadRun> run = RunWrk(load, config.run_dir + "/wrk.log", &error);
      if (!run) return error;
      if (!best || (run->valid() && (!best->valid() ||
                                     run->requests_per_second > best->requests_per_second))) {
        best = run;
      }
    }
    std::printf("  %-4s %-14s %2d thread(s): %s\n", series.handler,
                series.shared_context ? "shared context" : "reuse-port",
                threads, DescribeRun(*best).c_str());
    std::fflush(stdout);
    series.requests_per_second.push_back(best->valid() ? best->requests_per_second
                                                       : NAN);
  }
  return std::nullopt;
}

// PrintFit prints a fit of the series' points, with a NOTE when the points
// do not follow the USL.
void PrintFit(const Series& series, const UslFit& fit, std::size_t points) {
  std::printf("  USL fit of the %s handler (reuse-port): sigma %.4f, kappa %.5f, "
              "lambda %.0f req/s, R^2 %.3f, ",
              series.handler, fit.parameters.sigma, fit.parameters.kappa,
              fit.parameters.lambda, fit.r_squared);
  if (std::isfinite(fit.peak_concurrency)) {
    std::printf("predicted peak %.0f req/s at %.1f threads\n",
                fit.peak_throughput, fit.peak_concurrency);
  } else {
    std::printf("no interior peak (kappa <= 0 or sigma >= 1)\n");
  }

  if (points <= 3) {
    std::printf("    NOTE: 3 points fit the 3 parameters exactly, so R^2 is 1\n"
                "    whatever the noise. Run more threads (or without --quick)\n"
                "    for a fit that can be judged.\n");
  } else if (fit.r_squared < 0.9 || fit.parameters.sigma > 1) {
    std::printf("    NOTE: R^2 below 0.9 or sigma above 1: these points do not\n"
                "    follow the USL, usually because other processes took CPU\n"
                "    during some runs. Rerun on a quieter machine.\n");
  } else if (fit.parameters.sigma < 0) {
    std::printf("    NOTE: sigma below 0 means the points grew a little faster\n"
                "    than linearly, which measurement noise does: read it as 0.\n");
  }
}

// FitSeries fits the USL to a series' valid points and prints the result.
// Returns the chart variables "<prefix>_ok=1; <prefix>_sigma=..." and so on,
// or "<prefix>_ok=0; <prefix>_peak_n=0" when there is no fit.
std::vector<std::string> FitSeries(const Series& series, const char* prefix,
                                   int max_threads) {
  std::vector<UslPoint> points;
  for (std::size_t i = 0; i < series.requests_per_second.size(); ++i) {
    const double x = series.requests_per_second[i];
    if (std::isfinite(x)) points.push_back({static_cast<double>(i + 1), x});
  }
  ModelResult<UslFit> fit = FitUsl(points);
  if (!fit.ok()) {
    std::printf("  USL fit of the %s handler: not possible: %s\n",
                series.handler, fit.error().c_str());
    return {std::string(prefix) + "_ok=0; " + prefix + "_peak_n=0"};
  }
  const UslFit& f = fit.value();
  PrintFit(series, f, points.size());

  // The chart marks the peak only within the measured threads; otherwise
  // it gets 0.
  const bool peak_shown = std::isfinite(f.peak_concurrency) &&
                          f.peak_concurrency >= 1 &&
                          f.peak_concurrency <= max_threads;
  char text[384];
  std::snprintf(text, sizeof text,
                "%s_ok=1; %s_sigma=%.9g; %s_kappa=%.9g; %s_lambda=%.9g; "
                "%s_peak_n=%.9g; %s_peak_x=%.9g",
                prefix, prefix, f.parameters.sigma, prefix, f.parameters.kappa,
                prefix, f.parameters.lambda, prefix,
                peak_shown ? f.peak_concurrency : 0.0, prefix,
                peak_shown ? f.peak_throughput : 0.0);
  return {text};
}

}  // namespace

std::optional<std::string> RunVertical(const DemoConfig& config) {
  std::printf(
      "\n== Vertical scaling: one instance, more threads ==\n"
      "  One scaling-service on 127.0.0.1 with 1 to %d threads, loaded by wrk\n"
      "  with keep-alive connections; each point is the best of %d run(s) of\n"
      "  %d s. io waits 1 ms per request in a blocking call that uses no\n"
      "  CPU but holds its thread; cpu hashes for about 0.15 ms of CPU time.\n",
      config.max_threads, config.repeats, config.seconds);

  // Measure the four series.
  std::vector<Series> series = {{"io", false, {}}, {"io", true, {}},
                                {"cpu", false, {}}, {"cpu", true, {}}};
  for (Series& s : series) {
    if (auto error = Sweep(config, s)) return error;
  }

  // Fit the USL to the reuse-port series.
  std::vector<std::string> variables = FitSeries(series[0], "io", config.max_threads);
  std::vector<std::string> cpu = FitSeries(series[2], "cpu", config.max_threads);
  variables.insert(variables.end(), cpu.begin(), cpu.end());

  // Write the data: threads, then one column per series.
  const std::string data = config.output_dir + "/vertical.dat";
  std::ofstream out(data);
  out << "# threads io_reuse_port io_shared cpu_reuse_port cpu_shared (req/s)\n";
  for (int t = 0; t < config.max_threads; ++t) {
    out << t + 1;
    for (const Series& s : series) {
      const double x = s.requests_per_second[t];
      // gnuplot skips NaN, so an invalid run leaves a gap in its line.
      if (std::isfinite(x)) {
        out << ' ' << x;
      } else {
        out << " NaN";
      }
    }
    out << '\n';
  }
  out.close();

  std::printf(
      "  Reading: the io handler's threads mostly wait, so each added thread\n"
      "  adds up to 1,000 req/s (one 1 ms wait after another) until the\n"
      "  cores are busy. The cpu handler needs a core per request in\n"
      "  progress: past %d thread(s) (this machine's cores, which wrk and\n"
      "  any other process share) threads only take turns. The fit's sigma\n"
      "  is the share of work that does not run in parallel, and kappa the\n"
      "  cost of threads coordinating, which makes throughput fall after\n"
      "  the predicted peak.\n",
      config.cores);
  variables.push_back("data='" + data + "'");
  variables.push_back("cores=" + std::to_string(config.cores));
  return DrawChart(config, "vertical.gp", "vertical.png", variables);
}

}  // namespace scaling::demo
