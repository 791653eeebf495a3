// The Universal Scalability Law (USL), Neil Gunther's model of how
// throughput grows with concurrency, and a least-squares fit of it.
//
//   X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
//
// N is the concurrency (threads, clients or nodes), X(N) the throughput at
// N in the same unit as the measurements (requests per second, say).
// lambda is the throughput of one unit of concurrency without any
// overhead, sigma the contention (the serial fraction, as in Amdahl's law)
// and kappa the coherency cost (each pair of units exchanging state). With
// kappa > 0 throughput peaks at N* = sqrt((1 - sigma) / kappa) and falls
// after it: adding concurrency past N* makes the system slower.
//
//   std::vector<scaling::UslPoint> points = {{1, 955.16}, {2, 1878.91}, ...};
//   scaling::ModelResult<scaling::UslFit> fit = scaling::FitUsl(points);
//   if (fit.ok()) std::printf("peak at N = %.1f\n", fit.value().peak_concurrency);
//
// Every function here is pure (or reads only the named file), so any
// thread may call it. Standard library only: the lab's starter includes it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scaling/model_result.h"

namespace scaling {

// UslPoint is one measurement: the throughput at a concurrency.
struct UslPoint {
  double concurrency = 0;  // N, at least 1 for a meaningful point
  double throughput = 0;   // X(N), in the caller's unit (requests/s, say)
};

// UslParameters are the model's three coefficients.
struct UslParameters {
  double sigma = 0;   // contention, dimensionless
  double kappa = 0;   // coherency, dimensionless
  double lambda = 0;  // throughput at N = 1 without overhead
};

// UslFit is the result of FitUsl.
struct UslFit {
  UslParameters parameters;

  // The concurrency N* = sqrt((1 - sigma) / kappa) of the highest
  // throughput, and X(N*). When kappa <= 0 or sigma >= 1 the model has no
  // interior peak: peak_concurrency is +infinity and peak_throughput is the
  // limit of X(N) as N grows (lambda / sigma, or +infinity when sigma <= 0).
  double peak_concurrency = 0;
  double peak_throughput = 0;

  // The coefficient of determination of the fit, 1 - SSE / SST, on the
  // points fitted. 1 is a perfect fit.
  double r_squared = 0;

  // The number of Levenberg-Marquardt iterations the fit took.
  int iterations = 0;
};

// UslThroughput returns X(n) for the given parameters. When the denominator
// 1 + sigma (n - 1) + kappa n (n - 1) is zero or negative, the result is
// not finite or is negative. Only a negative sigma or kappa can cause that.
double UslThroughput(const UslParameters& parameters, double n);

// UslPeak fills fit->peak_concurrency and fit->peak_throughput from
// fit->parameters, as UslFit describes them.
void UslPeak(UslFit* fit);

// UslRSquared returns 1 - SSE / SST of `parameters` on `points`. It returns
// 1 when every throughput is equal and the model matches them exactly, and
// 0 when they are equal and the model does not.
double UslRSquared(const UslParameters& parameters,
                   std::span<const UslPoint> points);

// FitUsl fits sigma, kappa and lambda to `points` by nonlinear least
// squares on the unweighted throughput residuals X_i - X(N_i), with the
// Levenberg-Marquardt method. The start comes from the data: lambda from
// the throughput per unit of concurrency at the smallest N, and sigma and
// kappa from a linear least-squares fit of N lambda / X - 1 against N - 1.
//
// The fit is unconstrained: data that scales better than linearly can give
// a negative sigma or kappa, and the result reports them as they are.
//
// It returns an error for fewer than 3 points, or fewer than 3 distinct
// concurrencies. A concurrency below 1, a throughput that is not positive
// and a value that is not finite are errors too, and the message names the
// point's index and value. A fit that does not converge within
// `max_iterations` iterations is an error. On success every field of UslFit
// is set.
inline constexpr int kUslMaxIterations = 500;
ModelResult<UslFit> FitUsl(std::span<const UslPoint> points,
                           int max_iterations = kUslMaxIterations);

// ParseUslCsv reads "concurrency,throughput" rows from `text`. Blank lines
// and lines starting with '#' are skipped, and so is a first row whose
// fields are not numbers (a header). Errors name `source` (a file name),
// the line number and the row, for example
// "data.csv:7: invalid row '8,abc': the throughput 'abc' is not a number".
// Values are not range-checked here: FitUsl checks them.
ModelResult<std::vector<UslPoint>> ParseUslCsv(std::string_view text,
                                               std::string_view source);

// LoadUslCsv reads the file at `path` with ParseUslCsv. A file that cannot
// be read, or contains no rows, is an error that names the path.
ModelResult<std::vector<UslPoint>> LoadUslCsv(const std::string& path);

}  // namespace scaling
