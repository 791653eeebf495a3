// Exercise: consistent hashing with bounded loads.
//
// Implement Capacity, Assign, Release and LoadOf below. The contract, and
// the private fields you may use (ring_, epsilon_, assigned_, loads_), are
// in scaling/include/scaling/bounded_load.h. The ring gives you
// FirstPointAtOrAfter, points() and hash_function().
//
//   Check your work:  ./labkit check scaling bounded_load
//   Get a hint:       ./labkit hint scaling bounded_load
//
// Rules the tests enforce:
//   - Capacity(m) = ceil((1 + epsilon) * m / nodes), and 0 on an empty ring.
//   - A new key uses the capacity with itself counted, Capacity(assigned +
//     1). It goes to the first node clockwise from its hash whose load is
//     below that capacity, wrapping past the last point.
//   - An empty ring returns std::nullopt and counts nothing. Release of a
//     node with no key is an error Status.

#include "scaling/bounded_load.h"

#include <stdexcept>

namespace scaling {

BoundedLoadAssigner::BoundedLoadAssigner(const HashRing* ring, double epsilon)
    : ring_(ring), epsilon_(epsilon) {}

// TODO: Return 0 for an empty ring, else ceil((1 + epsilon_) * keys / n)
// for the n nodes of the ring.
std::int64_t BoundedLoadAssigner::Capacity(
    [[maybe_unused]] std::int64_t keys) const {
  throw std::logic_error(
      "not implemented yet: BoundedLoadAssigner::Capacity "
      "(see labs/scaling/hints/bounded_load.md)");
}

// TODO: Return the number of keys loads_ records for `node`, 0 if none.
std::int64_t BoundedLoadAssigner::LoadOf(
    [[maybe_unused]] std::string_view node) const {
  throw std::logic_error(
      "not implemented yet: BoundedLoadAssigner::LoadOf "
      "(see labs/scaling/hints/bounded_load.md)");
}

// TODO: Compute the capacity with the new key counted. Start at the key's
// point and walk clockwise, at most one lap, to the first node with fewer
// keys than the capacity. Count the key there and return the node.
std::optional<std::string> BoundedLoadAssigner::Assign(
    [[maybe_unused]] std::string_view key) {
  throw std::logic_error(
      "not implemented yet: BoundedLoadAssigner::Assign "
      "(see labs/scaling/hints/bounded_load.md)");
}

// TODO: Fail when `node` has no key; otherwise take one key off it.
Status BoundedLoadAssigner::Release([[maybe_unused]] std::string_view node) {
  throw std::logic_error(
      "not implemented yet: BoundedLoadAssigner::Release "
      "(see labs/scaling/hints/bounded_load.md)");
}

}  // namespace scaling
