// Exercise: the Maglev lookup table.
//
// Implement MaglevPermutationFor and PopulateMaglevTable below. The contract
// is in scaling/include/scaling/maglev.h; MaglevTable::Build (given, in
// scaling/src/hashing/maglev_table.cc) calls both.
//
//   Check your work:  ./labkit check scaling maglev
//   Get a hint:       ./labkit hint scaling maglev
//
// Rules the tests enforce:
//   - offset = KeyHash(name) % M and skip = Mix64(KeyHash(name)) % (M - 1)
//     + 1, so 0 <= offset < M and 1 <= skip < M.
//   - The fill reproduces the Maglev paper's example: permutations (3, 4),
//     (0, 2), (3, 1) in 7 entries give backends 1 0 1 0 2 2 0.
//   - With more than 100 entries per backend, the backends' entry counts
//     differ by at most one.
//   - Bad input (too small a table, offset >= M, skip outside [1, M - 1])
//     is an error Status, and `entries` is left alone.

#include "scaling/maglev.h"

#include <stdexcept>

namespace scaling {

// TODO: Hash the name once with KeyHash, derive a second hash with Mix64,
// and return {first % table_size, second % (table_size - 1) + 1}.
MaglevPermutation MaglevPermutationFor(
    [[maybe_unused]] std::string_view backend,
    [[maybe_unused]] std::uint64_t table_size) {
  throw std::logic_error(
      "not implemented yet: MaglevPermutationFor "
      "(see labs/scaling/hints/maglev.md)");
}

// TODO: Check the inputs, then fill in rounds. Keep next[i], how far
// backend i has read its permutation. In each round every backend in turn
// skips the entries already taken and takes the first empty one. Stop as
// soon as every entry is taken.
Status PopulateMaglevTable(
    [[maybe_unused]] std::span<const MaglevPermutation> permutations,
    [[maybe_unused]] std::uint64_t table_size,
    [[maybe_unused]] std::vector<std::int32_t>* entries) {
  throw std::logic_error(
      "not implemented yet: PopulateMaglevTable "
      "(see labs/scaling/hints/maglev.md)");
}

}  // namespace scaling
