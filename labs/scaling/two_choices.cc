// Exercise: the power of two choices.
//
// A balancer in front of hundreds of servers cannot afford to scan them all
// for the least loaded one on every request, and a purely random pick
// leaves some servers with long queues. The power of two choices draws two
// servers at random and sends the request to the one with fewer requests.
//
// Implement TwoChoices::Choose below. The contract is in
// scaling/include/scaling/balancer.h: outstanding[i] is the number of
// requests server i holds, and `random` gives the random numbers.
//
//   Check your work:  ./labkit check scaling two_choices
//   Get a hint:       ./labkit hint scaling two_choices
//
// Rules the tests enforce:
//   - Draw exactly two numbers, first = random.Below(n) and then
//     random.Below(n - 1), the second skipping over the first candidate so
//     the two candidates are always distinct servers.
//   - Return the candidate with fewer outstanding requests, and the first
//     candidate on a tie.
//   - With one server, return 0 without drawing.
//   - In the simulator, 100 servers at 90% utilisation, your policy's p99
//     latency is less than half of random placement's, and below round
//     robin's.

#include "scaling/balancer.h"

#include <stdexcept>

namespace scaling {

// TODO: Draw the two distinct candidates as balancer.h specifies, compare
// how many requests each holds, and return the less loaded one (the first
// on a tie). Handle a single server first.
std::size_t TwoChoices::Choose(
    [[maybe_unused]] std::span<const int> outstanding,
    [[maybe_unused]] RandomSource& random) {
  throw std::logic_error(
      "not implemented yet: TwoChoices::Choose (see "
      "labs/scaling/hints/two_choices.md)");
}

}  // namespace scaling
