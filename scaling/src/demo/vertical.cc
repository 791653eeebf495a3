// The vertical step: one instance, 1 to max_threads threads, for the io and
// cpu handlers, with an io_context per thread (SO_REUSEPORT) and with one
// shared io_context, then a USL fit of each series.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
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

const char* ModeName(const Series& series) {
  return series.shared_context ? "shared context" : "reuse-port";
}

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
                ModeName(series), threads, DescribeRun(*best).c_str());
    std::fflush(stdout);
    series.requests_per_second.push_back(best->valid() ? best->requests_per_second
                                                       : NAN);
  }
  return std::nullopt;
}

// kNoisyDrop is the fall from one thread count to the next, as a fraction
// of the first rate, above which a series is flagged as noisy. Past the
// cores, threads of a CPU-bound series take turns, and the cpu series in
// labs/scaling/README.md lost 2.5% from 3 to 4 threads. A fall of a quarter
// in one step comes from other processes taking the CPU during that run.
constexpr double kNoisyDrop = 0.25;

std::string Rate(double requests_per_second) {
  return WithThousands(static_cast<std::uint64_t>(requests_per_second + 0.5));
}

// NoisyDrop returns the series' largest fall of more than kNoisyDrop
// between neighbouring thread counts, as "fell from 10,587 req/s at 3
// threads to 4,625 at 4 (-56.3%)", or "" when there is none.
std::string NoisyDrop(const Series& series) {
  const std::vector<double>& rates = series.requests_per_second;
  std::string worst;
  double worst_drop = kNoisyDrop;
  for (std::size_t i = 1; i < rates.size(); ++i) {
    const double before = rates[i - 1];
    const double after = rates[i];
    if (!std::isfinite(before) || !std::isfinite(after) || before <= 0) continue;
    const double drop = (before - after) / before;
    if (drop <= worst_drop) continue;
    worst_drop = drop;
    char text[160];
    std::snprintf(text, sizeof text, "fell from %s req/s at %zu threads to %s at %zu (-%.1f%%)",
                  Rate(before).c_str(), i, Rate(after).c_str(), i + 1, drop * 100);
    worst = text;
  }
  return worst;
}

// PrintFit prints a fit of the series' points, with a NOTE when the points
// do not follow the USL or the predicted peak lies past the measured
// threads.
void PrintFit(const Series& series, const UslFit& fit, std::size_t points,
              int max_threads) {
  std::printf("  USL fit of the %s handler (reuse-port): sigma %.4f, kappa %.5f, "
              "lambda %s req/s, R^2 %.3f, ",
              series.handler, fit.parameters.sigma, fit.parameters.kappa,
              Rate(fit.parameters.lambda).c_str(), fit.r_squared);
  if (std::isfinite(fit.peak_concurrency)) {
    std::printf("predicted peak %s req/s at %.1f threads\n",
                Rate(fit.peak_throughput).c_str(), fit.peak_concurrency);
  } else {
    std::printf("no interior peak (kappa <= 0 or sigma >= 1)\n");
  }
  if (std::isfinite(fit.peak_concurrency) && fit.peak_concurrency > max_threads) {
    std::printf("    NOTE: the predicted peak lies past the measured 1 to %d threads,\n"
                "    so it is an extrapolation of the fit, not a measurement.\n",
                max_threads);
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
  PrintFit(series, f, points.size(), max_threads);

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
      "\n== Vertical scaling: one instance, more threads (step vertical) ==\n"
      "  One scaling-service on 127.0.0.1 with 1 to %d threads, loaded by wrk\n"
      "  with keep-alive connections; each point is the best of %d run(s) of\n"
      "  %d s. io waits 1 ms per request in a blocking call that uses no\n"
      "  CPU but holds its thread; cpu hashes for about 0.15 ms of CPU time.\n"
      "  Each handler runs in two modes. reuse-port: every thread has its own\n"
      "  event loop (Asio io_context) and listening socket (SO_REUSEPORT),\n"
      "  and the kernel spreads connections over the threads. shared\n"
      "  context: all threads run one io_context and take work from its\n"
      "  one queue.\n",
      config.max_threads, config.repeats, config.seconds);

  // Measure the four series.
  std::vector<Series> series = {{"io", false, {}}, {"io", true, {}},
                                {"cpu", false, {}}, {"cpu", true, {}}};
  for (Series& s : series) {
    if (auto error = Sweep(config, s)) return error;
  }

  // Flag the series that fell too far between neighbouring points; the
  // chart shows the same note in each handler's panel.
  std::string io_noisy;
  std::string cpu_noisy;
  for (const Series& s : series) {
    const std::string drop = NoisyDrop(s);
    if (drop.empty()) continue;
    std::printf("  NOTE: noisy: rerun. %s %s %s.\n"
                "    A fall of more than %.0f%% from one thread count to the next\n"
                "    comes from other processes taking CPU during that run, not\n"
                "    from the server.\n",
                s.handler, ModeName(s), drop.c_str(), kNoisyDrop * 100);
    std::string& note = std::string(s.handler) == "io" ? io_noisy : cpu_noisy;
    if (!note.empty()) note += "; ";
    note += std::string(ModeName(s)) + " " + drop;
  }

  // Fit the USL to the reuse-port series.
  std::vector<std::string> variables = FitSeries(series[0], "io", config.max_threads);
  std::vector<std::string> cpu = FitSeries(series[2], "cpu", config.max_threads);
  variables.insert(variables.end(), cpu.begin(), cpu.end());
  variables.push_back("io_noisy='" + io_noisy + "'");
  variables.push_back("cpu_noisy='" + cpu_noisy + "'");

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
      "  Reading: the io handler's threads mostly wait, and a waiting thread\n"
      "  uses no CPU, so each added thread adds up to 1,000 req/s (one 1 ms\n"
      "  wait after another), past the cores, until the CPU work of parsing\n"
      "  and answering fills them. The cpu handler needs a core per request in\n"
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
