// Exercise: fit the Universal Scalability Law to measurements.
//
//   X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
//
// Implement FitUsl below: a nonlinear least-squares fit of sigma, kappa and
// lambda on the unweighted throughput residuals X_i - X(N_i). The contract
// is in scaling/include/scaling/usl.h, and ModelResult and ModelError are
// in scaling/include/scaling/model_result.h. UslThroughput, UslPeak and
// UslRSquared in usl.h are given: use them.
//
//   Check your work:  ./labkit check scaling usl_fit
//   Get a hint:       ./labkit hint scaling usl_fit
//
// Rules the tests enforce:
//   - The 32 Cisco measurements in scaling/data/usl_cisco.csv fit within
//     0.02% of sigma = 0.02671591, kappa = 7.690945e-4, lambda = 995.6486,
//     with the peak N* = sqrt((1 - sigma) / kappa) between 35 and 36.
//   - The fit stops at the minimum: moving any parameter by 0.01% does not
//     lower the sum of squared residuals.
//   - Noise-free data made from known parameters gives them back within
//     one part in a million, even without a point at N = 1.
//   - Fewer than 3 points, fewer than 3 distinct concurrencies, a
//     concurrency below 1, a throughput that is not positive or not a
//     number, and a fit still moving after max_iterations iterations are
//     errors (ModelError{"..."}), never exceptions.

#include "scaling/usl.h"

#include <stdexcept>

namespace scaling {

// TODO: Fit the model in four steps:
//   1. Check the points and return a ModelError naming the bad value.
//   2. Start from the data: lambda from the smallest N, then sigma and
//      kappa from a linear fit (hint 1 shows the algebra).
//   3. Repeat Levenberg-Marquardt steps: solve
//      (J^T J + mu diag(J^T J)) step = J^T r for the step in
//      (sigma, kappa, lambda). Keep a step that lowers the sum of squared
//      residuals and shrink mu; otherwise grow mu and try again. Stop when
//      a step no longer lowers the sum by more than a tiny fraction of it.
//   4. Fill UslFit: the parameters, the iterations, UslRSquared and UslPeak.
// Put your helper functions in an anonymous namespace in this file.
ModelResult<UslFit> FitUsl([[maybe_unused]] std::span<const UslPoint> points,
                           [[maybe_unused]] int max_iterations) {
  throw std::logic_error(
      "not implemented yet: FitUsl (see labs/scaling/hints/usl_fit.md)");
}

}  // namespace scaling
