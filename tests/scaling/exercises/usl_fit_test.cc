// usl_fit exercise: the specification of FitUsl, step by step.
//
// The Cisco measurements below are the worked example of Baron Schwartz's
// "Practical Scalability Analysis with the Universal Scalability Law"
// (also in scaling/data/usl_cisco.csv). The values published with them are
// sigma = 0.02671591, kappa = 7.690945e-4 and lambda = 995.6486, and a
// correct nonlinear least-squares fit lands within 0.02% of each.

#include "scaling/usl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using scaling::FitUsl;
using scaling::ModelResult;
using scaling::UslFit;
using scaling::UslParameters;
using scaling::UslPoint;

const std::vector<UslPoint> kCisco = {
    {1, 955.16},    {2, 1878.91},   {3, 2688.01},   {4, 3548.68},
    {5, 4315.54},   {6, 5130.43},   {7, 5931.37},   {8, 6531.08},
    {9, 7219.8},    {10, 7867.61},  {11, 8278.71},  {12, 8646.7},
    {13, 9047.84},  {14, 9426.55},  {15, 9645.37},  {16, 9897.24},
    {17, 10097.6},  {18, 10240.5},  {19, 10532.39}, {20, 10798.52},
    {21, 11151.43}, {22, 11518.63}, {23, 11806},    {24, 12089.37},
    {25, 12075.41}, {26, 12177.29}, {27, 12211.41}, {28, 12158.93},
    {29, 12155.27}, {30, 12118.04}, {31, 12140.4},  {32, 12074.39},
};

double RelativeError(double got, double expected) {
  return std::abs(got - expected) / std::abs(expected);
}

// Synthetic returns X(N) for the given parameters at each concurrency.
std::vector<UslPoint> Synthetic(const UslParameters& p,
                                const std::vector<double>& concurrencies) {
  std::vector<UslPoint> points;
  for (double n : concurrencies) {
    points.push_back({n, p.lambda * n / (1 + p.sigma * (n - 1) +
                                         p.kappa * n * (n - 1))});
  }
  return points;
}

double SumOfSquares(const UslParameters& p,
                    const std::vector<UslPoint>& points) {
  double sum = 0;
  for (const UslPoint& point : points) {
    const double residual =
        point.throughput - scaling::UslThroughput(p, point.concurrency);
    sum += residual * residual;
  }
  return sum;
}

// FitOrFail returns the fit, or fails the test with FitUsl's error.
UslFit FitOrFail(const std::vector<UslPoint>& points,
                 const std::string& what) {
  ModelResult<UslFit> fit = FitUsl(points);
  EXPECT_TRUE(fit.ok()) << what << ": FitUsl returned the error '"
                        << (fit.ok() ? "" : fit.error()) << "'";
  return fit.ok() ? fit.value() : UslFit{};
}

TEST(UslFitExerciseTest, CiscoMatchesPublishedFit) {
  const UslFit fit = FitOrFail(kCisco, "the 32 Cisco measurements");
  const UslParameters& p = fit.parameters;

  EXPECT_LT(RelativeError(p.sigma, 0.02671591), 2e-4)
      << "sigma must be within 0.02% of the published 0.02671591, got "
      << p.sigma;
  EXPECT_LT(RelativeError(p.kappa, 7.690945e-4), 2e-4)
      << "kappa must be within 0.02% of the published 7.690945e-4, got "
      << p.kappa;
  EXPECT_LT(RelativeError(p.lambda, 995.6486), 2e-4)
      << "lambda must be within 0.02% of the published 995.6486, got "
      << p.lambda;
}

TEST(UslFitExerciseTest, CiscoPeakAndRSquared) {
  const UslFit fit = FitOrFail(kCisco, "the 32 Cisco measurements");
  const UslParameters& p = fit.parameters;

  const double expected_peak = std::sqrt((1 - p.sigma) / p.kappa);
  EXPECT_NEAR(fit.peak_concurrency, expected_peak, 1e-9 * expected_peak)
      << "peak_concurrency must be N* = sqrt((1 - sigma) / kappa) of the "
         "fitted parameters";
  EXPECT_GE(fit.peak_concurrency, 35.0)
      << "the Cisco system peaks near N = 35, got " << fit.peak_concurrency;
  EXPECT_LE(fit.peak_concurrency, 36.0)
      << "the Cisco system peaks near N = 35, got " << fit.peak_concurrency;
  EXPECT_NEAR(fit.peak_throughput,
              scaling::UslThroughput(p, fit.peak_concurrency), 1e-6)
      << "peak_throughput must be X(N*) of the fitted parameters";
  EXPECT_GT(fit.r_squared, 0.99)
      << "the USL fits the Cisco data closely: R^2 must be above 0.99, got "
      << fit.r_squared;
  EXPECT_LE(fit.r_squared, 1.0) << "R^2 cannot exceed 1";
  EXPECT_GE(fit.iterations, 1) << "iterations must count the steps taken";
}

TEST(UslFitExerciseTest, CiscoFitIsLeastSquaresMinimum) {
  const UslFit fit = FitOrFail(kCisco, "the 32 Cisco measurements");
  const double best = SumOfSquares(fit.parameters, kCisco);

  // Moving any parameter by 0.01% either way must not lower the sum of
  // squared residuals: the fit stopped at the minimum, not on its way.
  const char* const kNames[] = {"sigma", "kappa", "lambda"};
  for (int which = 0; which < 3; ++which) {
    for (double factor : {1 - 1e-4, 1 + 1e-4}) {
      UslParameters moved = fit.parameters;
      double* values[] = {&moved.sigma, &moved.kappa, &moved.lambda};
      *values[which] *= factor;
      const char* name = kNames[which];
      EXPECT_GE(SumOfSquares(moved, kCisco), best * (1 - 1e-9))
          << "scaling " << name << " by " << factor
          << " lowers the sum of squared residuals, so the fit stopped "
             "before the minimum";
    }
  }
}

TEST(UslFitExerciseTest, RecoversKnownParameters) {
  // Noise-free points from known parameters, starting at N = 2, so the
  // throughput at N = 1 is not in the data to start lambda from.
  const UslParameters truth{0.05, 0.002, 200.0};
  const std::vector<UslPoint> points =
      Synthetic(truth, {2, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48});
  const UslParameters got = FitOrFail(points, "noise-free data").parameters;

  EXPECT_LT(RelativeError(got.sigma, truth.sigma), 1e-6)
      << "data made with sigma 0.05 must fit sigma 0.05, got " << got.sigma;
  EXPECT_LT(RelativeError(got.kappa, truth.kappa), 1e-6)
      << "data made with kappa 0.002 must fit kappa 0.002, got " << got.kappa;
  EXPECT_LT(RelativeError(got.lambda, truth.lambda), 1e-6)
      << "data made with lambda 200 must fit lambda 200, got " << got.lambda;
}

TEST(UslFitExerciseTest, RecoversLargeLambdaSmallKappa) {
  const UslParameters truth{0.001, 1e-5, 50000.0};
  const std::vector<UslPoint> points =
      Synthetic(truth, {1, 8, 16, 32, 64, 128, 256, 384, 512});
  const UslParameters got = FitOrFail(points, "noise-free data").parameters;

  EXPECT_LT(RelativeError(got.sigma, truth.sigma), 1e-6)
      << "data made with sigma 0.001 must fit sigma 0.001, got " << got.sigma;
  EXPECT_LT(RelativeError(got.kappa, truth.kappa), 1e-6)
      << "data made with kappa 1e-5 must fit kappa 1e-5, got " << got.kappa;
  EXPECT_LT(RelativeError(got.lambda, truth.lambda), 1e-6)
      << "data made with lambda 50000 must fit lambda 50000, got "
      << got.lambda;
}

TEST(UslFitExerciseTest, AmdahlDataHasNoPeak) {
  // kappa = 0 is Amdahl's law: throughput only levels off, at lambda / sigma.
  const UslParameters truth{0.1, 0.0, 100.0};
  const UslFit fit =
      FitOrFail(Synthetic(truth, {1, 2, 4, 8, 16, 32, 64}), "Amdahl data");

  EXPECT_NEAR(fit.parameters.kappa, 0.0, 1e-9)
      << "data made with kappa 0 must fit kappa 0, got "
      << fit.parameters.kappa;
  EXPECT_LT(RelativeError(fit.parameters.sigma, truth.sigma), 1e-6)
      << "data made with sigma 0.1 must fit sigma 0.1, got "
      << fit.parameters.sigma;
}

TEST(UslFitExerciseTest, RejectsTooFewPoints) {
  const std::vector<UslPoint> two = {{1, 100}, {2, 190}};
  ModelResult<UslFit> fit = FitUsl(two);
  ASSERT_FALSE(fit.ok())
      << "two points cannot determine three parameters: FitUsl must "
         "return an error";
  EXPECT_FALSE(fit.error().empty()) << "the error must say what is wrong";

  ASSERT_FALSE(FitUsl(std::vector<UslPoint>{}).ok())
      << "no points at all must be an error";
}

TEST(UslFitExerciseTest, RejectsFewerThanThreeConcurrencies) {
  const std::vector<UslPoint> repeated = {
      {1, 100}, {1, 101}, {4, 350}, {4, 352}};
  EXPECT_FALSE(FitUsl(repeated).ok())
      << "four points at only two concurrencies (1 and 4) cannot determine "
         "three parameters: FitUsl must return an error";
}

TEST(UslFitExerciseTest, RejectsNonPositiveValues) {
  const std::vector<UslPoint> zero_throughput = {
      {1, 100}, {2, 190}, {3, 0}, {4, 350}};
  EXPECT_FALSE(FitUsl(zero_throughput).ok())
      << "a throughput of 0 at N = 3 is not a measurement: FitUsl must "
         "return an error";

  const std::vector<UslPoint> negative_throughput = {
      {1, 100}, {2, -190}, {3, 270}, {4, 350}};
  EXPECT_FALSE(FitUsl(negative_throughput).ok())
      << "a throughput of -190 must be an error";

  const std::vector<UslPoint> zero_concurrency = {
      {0, 100}, {2, 190}, {3, 270}, {4, 350}};
  EXPECT_FALSE(FitUsl(zero_concurrency).ok())
      << "a concurrency of 0 must be an error: N counts at least 1";

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<UslPoint> not_a_number = {
      {1, 100}, {2, nan}, {3, 270}, {4, 350}};
  EXPECT_FALSE(FitUsl(not_a_number).ok())
      << "a throughput that is NaN must be an error";
}

TEST(UslFitExerciseTest, ReportsNoConvergence) {
  ModelResult<UslFit> fit = FitUsl(kCisco, /*max_iterations=*/1);
  ASSERT_FALSE(fit.ok())
      << "one iteration from a start estimated from the Cisco data does "
         "not reach the minimum: with max_iterations 1, FitUsl must return "
         "an error";
  EXPECT_FALSE(fit.error().empty()) << "the error must say what is wrong";
}

}  // namespace
