// scaling-usl-fit: fit the Universal Scalability Law to a CSV file of
// concurrency,throughput rows and print sigma, kappa, lambda and the peak.
//
//   scaling-usl-fit measurements.csv
//   scaling-usl-fit measurements.csv --curve fit.dat
//
// Exit status: 0 after a fit, 1 when the file cannot be read or fitted,
// 2 after a usage error.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "labkit/flags.h"
#include "scaling/usl.h"

namespace {

constexpr int kCurveSteps = 200;

void PrintFit(const scaling::UslFit& fit, std::size_t points,
              const std::string& path) {
  const scaling::UslParameters& p = fit.parameters;
  std::printf("points      %zu, from %s\n", points, path.c_str());
  std::printf("sigma       %.8g  (contention)\n", p.sigma);
  std::printf("kappa       %.8g  (coherency)\n", p.kappa);
  std::printf("lambda      %.8g  (throughput of one unit, no overhead)\n",
              p.lambda);
  if (std::isfinite(fit.peak_concurrency)) {
    std::printf("peak        X(%.2f) = %.6g  (N* = sqrt((1 - sigma) / kappa))\n",
                fit.peak_concurrency, fit.peak_throughput);
  } else {
    std::printf("peak        none: kappa <= 0, so throughput never falls "
                "(limit %.6g)\n", fit.peak_throughput);
  }
  std::printf("R^2         %.6f\n", fit.r_squared);
  std::printf("iterations  %d\n", fit.iterations);
}

// WriteCurve writes the measurements and the fitted curve as two gnuplot
// blocks: index 0 holds "N X" measured, index 1 "N X(N)" fitted, from N = 1
// to twice the peak or the largest N measured, whichever is larger.
bool WriteCurve(const std::string& path, const scaling::UslFit& fit,
                const std::vector<scaling::UslPoint>& points) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;

  std::fprintf(file,
               "# scaling-usl-fit: sigma=%.8g kappa=%.8g lambda=%.8g\n"
               "# index 0: measured, columns N X\n",
               fit.parameters.sigma, fit.parameters.kappa,
               fit.parameters.lambda);
  double largest = 1;
  for (const scaling::UslPoint& point : points) {
    std::fprintf(file, "%.8g %.8g\n", point.concurrency, point.throughput);
    largest = std::max(largest, point.concurrency);
  }

  std::fprintf(file, "\n\n# index 1: fitted, columns N X(N)\n");
  if (std::isfinite(fit.peak_concurrency)) {
    largest = std::max(largest, 2 * fit.peak_concurrency);
  }
  for (int step = 0; step <= kCurveSteps; ++step) {
    const double n = 1 + (largest - 1) * step / kCurveSteps;
    std::fprintf(file, "%.8g %.8g\n", n,
                 scaling::UslThroughput(fit.parameters, n));
  }
  return std::fclose(file) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::string curve;
  CLI::App app{
      "Fit the Universal Scalability Law, X(N) = lambda N / (1 + sigma (N-1) "
      "+ kappa N (N-1)), to measured throughput. The CSV file holds rows of "
      "concurrency,throughput; lines starting with # and one header row are "
      "skipped."};
  app.add_option("file", input, "CSV file of concurrency,throughput rows")
      ->required()
      ->check(labkit::ExistingFile());
  app.add_option("--curve", curve,
                 "also write the measured points (gnuplot index 0, columns "
                 "N X) and the fitted curve (index 1, columns N X(N)) to "
                 "this file");
  if (std::optional<int> status = labkit::ParseFlags(app, argc, argv)) {
    return *status;
  }

  scaling::ModelResult<std::vector<scaling::UslPoint>> points =
      scaling::LoadUslCsv(input);
  if (!points.ok()) {
    std::fprintf(stderr, "scaling-usl-fit: %s\n", points.error().c_str());
    return 1;
  }
  scaling::ModelResult<scaling::UslFit> fit = scaling::FitUsl(points.value());
  if (!fit.ok()) {
    std::fprintf(stderr, "scaling-usl-fit: %s: %s\n", input.c_str(),
                 fit.error().c_str());
    return 1;
  }
  PrintFit(fit.value(), points.value().size(), input);

  if (!curve.empty()) {
    if (!WriteCurve(curve, fit.value(), points.value())) {
      std::fprintf(stderr, "scaling-usl-fit: failed to write '%s'\n",
                   curve.c_str());
      return 1;
    }
    std::printf("curve       written to %s\n", curve.c_str());
  }
  return 0;
}
