// Jump consistent hash: the bucket of a 64-bit key among `num_buckets`
// buckets numbered 0 to num_buckets - 1, with no table and no memory.
//
// From John Lamping and Eric Veach, "A Fast, Minimal Memory, Consistent Hash
// Algorithm" (Google, 2014). JumpHash returns exactly what the paper's
// reference function returns, bit for bit: for key 1 and 1 to 7 buckets it
// returns 0, 0, 0, 0, 0, 0, 6.
//
// Consistency: going from n to n + 1 buckets moves exactly the keys whose
// new bucket is n (about 1/(n + 1) of them) and no other key. So buckets
// can only be added or removed at the end: jump hash suits numbered shards
// (replicated storage), not a set of named servers that fail at random.
//
// Lookup takes O(ln num_buckets) steps of a 64-bit linear congruential
// generator.
//
// Thread-safety: pure, safe from any thread.
//
// This header is light: it is an exercise of the scaling lab.
#pragma once

#include <cstdint>

namespace scaling {

// JumpHash returns the bucket of `key` in [0, num_buckets), or -1 when
// num_buckets is less than 1 (there is no bucket to return).
std::int32_t JumpHash(std::uint64_t key, std::int32_t num_buckets);

}  // namespace scaling
