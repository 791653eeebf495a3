// FitUsl: a Levenberg-Marquardt least-squares fit of the Universal
// Scalability Law. The usl_fit exercise replaces this file.

#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "scaling/usl.h"

namespace scaling {
namespace {

// The fit stops when a step lowers the sum of squared residuals by less
// than this fraction of it.
constexpr double kRelativeTolerance = 1e-12;

using Vector3 = std::array<double, 3>;
using Matrix3 = std::array<Vector3, 3>;

double Denominator(const UslParameters& p, double n) {
  return 1.0 + p.sigma * (n - 1.0) + p.kappa * n * (n - 1.0);
}

// SumOfSquares returns the sum of squared throughput residuals, or +infinity
// when the parameters make a denominator zero or negative.
double SumOfSquares(const UslParameters& p, std::span<const UslPoint> points) {
  double sum = 0;
  for (const UslPoint& point : points) {
    const double denominator = Denominator(p, point.concurrency);
    if (!(denominator > 0)) return std::numeric_limits<double>::infinity();
    const double residual =
        point.throughput - p.lambda * point.concurrency / denominator;
    sum += residual * residual;
  }
  return sum;
}

// CheckPoints returns the first reason `points` cannot be fitted, or "".
std::string CheckPoints(std::span<const UslPoint> points) {
  if (points.size() < 3) {
    return "USL fit needs at least 3 points, got " +
           std::to_string(points.size());
  }
  for (size_t i = 0; i < points.size(); ++i) {
    const UslPoint& point = points[i];
    if (!std::isfinite(point.concurrency) || point.concurrency < 1) {
      return "USL fit: point " + std::to_string(i) + " has concurrency " +
             std::to_string(point.concurrency) +
             ", but concurrency must be a finite number >= 1";
    }
    if (!std::isfinite(point.throughput) || point.throughput <= 0) {
      return "USL fit: point " + std::to_string(i) + " has throughput " +
             std::to_string(point.throughput) +
             ", but throughput must be a finite number > 0";
    }
  }

  // Three parameters need three distinct concurrencies.
  int distinct = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i; ++j) {
      seen = seen || points[j].concurrency == points[i].concurrency;
    }
    if (!seen) ++distinct;
  }
  if (distinct < 3) {
    return "USL fit needs at least 3 distinct concurrencies, got " +
           std::to_string(distinct);
  }
  return "";
}

// Solve solves a x = b by Gaussian elimination with partial pivoting. It
// returns false when `a` is singular.
bool Solve(Matrix3 a, Vector3 b, Vector3* x) {
  for (int column = 0; column < 3; ++column) {
    int pivot = column;
    for (int row = column + 1; row < 3; ++row) {
      if (std::abs(a[row][column]) > std::abs(a[pivot][column])) pivot = row;
    }
    if (a[pivot][column] == 0) return false;
    std::swap(a[pivot], a[column]);
    std::swap(b[pivot], b[column]);
    for (int row = column + 1; row < 3; ++row) {
      const double factor = a[row][column] / a[column][column];
      for (int k = column; k < 3; ++k) a[row][k] -= factor * a[column][k];
      b[row] -= factor * b[column];
    }
  }
  for (int row = 2; row >= 0; --row) {
    double sum = b[row];
    for (int k = row + 1; k < 3; ++k) sum -= a[row][k] * (*x)[k];
    (*x)[row] = sum / a[row][row];
  }
  return true;
}

// StartingPoint estimates the parameters from the data. lambda is the
// throughput per unit of concurrency at the smallest N. Dividing the model
// by lambda N and rearranging gives a linear model,
//   N lambda / X - 1 = (sigma + kappa) (N - 1) + kappa (N - 1)^2,
// which a linear least-squares fit through the origin solves.
UslParameters StartingPoint(std::span<const UslPoint> points) {
  const UslPoint* smallest = &points[0];
  for (const UslPoint& point : points) {
    if (point.concurrency < smallest->concurrency) smallest = &point;
  }
  UslParameters start;
  start.lambda = smallest->throughput / smallest->concurrency;

  // Normal equations of y = a x + b x^2, with x = N - 1.
  double sxx = 0, sxxx = 0, sxxxx = 0, sxy = 0, sxxy = 0;
  for (const UslPoint& point : points) {
    const double x = point.concurrency - 1.0;
    const double y = point.concurrency * start.lambda / point.throughput - 1.0;
    sxx += x * x;
    sxxx += x * x * x;
    sxxxx += x * x * x * x;
    sxy += x * y;
    sxxy += x * x * y;
  }
  const double determinant = sxx * sxxxx - sxxx * sxxx;
  if (determinant != 0) {
    const double a = (sxy * sxxxx - sxxy * sxxx) / determinant;
    const double b = (sxx * sxxy - sxxx * sxy) / determinant;
    start.kappa = std::max(b, 0.0);
    start.sigma = std::max(a - b, 0.0);
  }
  return start;
}

// NormalEquations fills J^T J and J^T r, where J is the Jacobian of the
// model with respect to (sigma, kappa, lambda) and r the residuals.
void NormalEquations(const UslParameters& p, std::span<const UslPoint> points,
                     Matrix3* jtj, Vector3* jtr) {
  *jtj = Matrix3{};
  *jtr = Vector3{};
  for (const UslPoint& point : points) {
    const double n = point.concurrency;
    const double denominator = Denominator(p, n);
    const double model = p.lambda * n / denominator;
    const Vector3 gradient = {
        -model * (n - 1.0) / denominator,      // d model / d sigma
        -model * n * (n - 1.0) / denominator,  // d model / d kappa
        n / denominator,                       // d model / d lambda
    };
    const double residual = point.throughput - model;
    for (int i = 0; i < 3; ++i) {
      (*jtr)[i] += gradient[i] * residual;
      for (int j = 0; j < 3; ++j) (*jtj)[i][j] += gradient[i] * gradient[j];
    }
  }
}

UslParameters Add(const UslParameters& p, const Vector3& step) {
  return UslParameters{p.sigma + step[0], p.kappa + step[1],
                       p.lambda + step[2]};
}

}  // namespace

ModelResult<UslFit> FitUsl(std::span<const UslPoint> points,
                           int max_iterations) {
  if (std::string problem = CheckPoints(points); !problem.empty()) {
    return ModelError{problem};
  }

  // Levenberg-Marquardt: solve (J^T J + mu diag(J^T J)) step = J^T r. A
  // step that lowers the sum of squares is taken, and mu shrinks towards
  // Gauss-Newton. A step that does not is retried with a larger mu, which
  // makes it a shorter step closer to gradient descent.
  UslParameters p = StartingPoint(points);
  double sum_of_squares = SumOfSquares(p, points);
  double mu = 1e-3;

  for (int iteration = 1; iteration <= max_iterations; ++iteration) {
    Matrix3 jtj;
    Vector3 jtr;
    NormalEquations(p, points, &jtj, &jtr);

    bool improved = false;
    double improvement = 0;
    while (!improved && mu < 1e16) {
      Matrix3 damped = jtj;
      for (int i = 0; i < 3; ++i) damped[i][i] *= 1.0 + mu;
      Vector3 step;
      if (!Solve(damped, jtr, &step)) break;

      const UslParameters trial = Add(p, step);
      const double trial_sum = SumOfSquares(trial, points);
      if (trial_sum < sum_of_squares) {
        improvement = sum_of_squares - trial_sum;
        p = trial;
        sum_of_squares = trial_sum;
        mu = std::max(mu / 10.0, 1e-12);
        improved = true;
      } else {
        mu *= 10.0;
      }
    }

    // No step lowers the sum any more, or the last one barely did: this is
    // the minimum, to the precision a double carries.
    if (!improved || improvement <= kRelativeTolerance * sum_of_squares) {
      UslFit fit;
      fit.parameters = p;
      fit.iterations = iteration;
      fit.r_squared = UslRSquared(p, points);
      UslPeak(&fit);
      return fit;
    }
  }
  return ModelError{"USL fit did not converge within " +
                    std::to_string(max_iterations) +
                    " iterations; check that throughput rises, then levels "
                    "or falls, as concurrency grows"};
}

}  // namespace scaling
