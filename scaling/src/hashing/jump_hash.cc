#include "scaling/jump_hash.h"

#include <cstdint>

namespace scaling {

std::int32_t JumpHash(std::uint64_t key, std::int32_t num_buckets) {
  // b is the key's bucket so far, and j the bucket count at which it jumps
  // next. Both start below every valid bucket.
  std::int64_t b = -1;
  std::int64_t j = 0;
  while (j < num_buckets) {
    b = j;

    // Step a 64-bit linear congruential generator seeded by the key. Its top
    // 31 bits give r in (0, 1], and the key jumps next at bucket count
    // floor((b + 1) / r). The operations and their order are those of
    // Lamping and Veach's reference function, so the rounding matches it.
    key = key * 2862933555777941757ULL + 1;
    const double inverse_r =
        static_cast<double>(1LL << 31) / static_cast<double>((key >> 33) + 1);
    j = static_cast<std::int64_t>(static_cast<double>(b + 1) * inverse_r);
  }
  return static_cast<std::int32_t>(b);
}

}  // namespace scaling
