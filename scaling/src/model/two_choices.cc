// TwoChoices::Choose, the power of two choices. The two_choices exercise
// replaces this file.

#include "scaling/balancer.h"

namespace scaling {

std::size_t TwoChoices::Choose(std::span<const int> outstanding,
                               RandomSource& random) {
  const std::uint64_t n = outstanding.size();
  if (n == 1) return 0;

  // Draw two distinct servers: the second draw covers the n - 1 servers
  // other than the first, so it skips over the first one.
  const std::size_t first = random.Below(n);
  std::size_t second = random.Below(n - 1);
  if (second >= first) ++second;

  // Keep the first on a tie, so the choice depends only on the draws.
  return outstanding[second] < outstanding[first] ? second : first;
}

}  // namespace scaling
