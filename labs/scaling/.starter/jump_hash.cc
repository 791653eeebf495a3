// Exercise: jump consistent hash.
//
// Implement JumpHash below. The contract is in
// scaling/include/scaling/jump_hash.h.
//
//   Check your work:  ./labkit check scaling jump_hash
//   Get a hint:       ./labkit hint scaling jump_hash
//
// Rules the tests enforce:
//   - Bit for bit the function of Lamping and Veach's paper "A Fast,
//     Minimal Memory, Consistent Hash Algorithm": for key 1 and 1 to 7
//     buckets it returns 0, 0, 0, 0, 0, 0, 6.
//   - The result is in [0, num_buckets), and -1 when num_buckets < 1.
//   - Going from n to n + 1 buckets moves a key only into bucket n, and
//     moves about 1/(n + 1) of the keys.

#include "scaling/jump_hash.h"

#include <cstdint>
#include <stdexcept>

namespace scaling {

// TODO: Follow the key from bucket count 1 upwards. Step a 64-bit linear
// congruential generator seeded by the key (key = key * 2862933555777941757
// + 1) and compute the next bucket count at which the key jumps, until that
// count reaches num_buckets. Return the last bucket the key landed in.
std::int32_t JumpHash([[maybe_unused]] std::uint64_t key,
                      [[maybe_unused]] std::int32_t num_buckets) {
  throw std::logic_error(
      "not implemented yet: JumpHash (see labs/scaling/hints/jump_hash.md)");
}

}  // namespace scaling
