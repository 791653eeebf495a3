#include "scaling/maglev.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace scaling {

MaglevPermutation MaglevPermutationFor(std::string_view backend,
                                       std::uint64_t table_size) {
  // Two independent hashes of the name: the second is Mix64 of the first.
  const std::uint64_t first = KeyHash(backend);
  const std::uint64_t second = Mix64(first);
  return {first % table_size, second % (table_size - 1) + 1};
}

Status PopulateMaglevTable(std::span<const MaglevPermutation> permutations,
                           std::uint64_t table_size,
                           std::vector<std::int32_t>* entries) {
  // Check the inputs, so that the fill below always ends.
  if (table_size < permutations.size()) {
    return Status::Error("table size " + std::to_string(table_size) +
                         " is smaller than the number of backends (" +
                         std::to_string(permutations.size()) + ")");
  }
  for (std::size_t i = 0; i < permutations.size(); ++i) {
    const MaglevPermutation& p = permutations[i];
    if (p.offset >= table_size || p.skip < 1 || p.skip >= table_size) {
      return Status::Error(
          "invalid permutation for backend " + std::to_string(i) +
          ": offset " + std::to_string(p.offset) + " and skip " +
          std::to_string(p.skip) + " must satisfy offset < " +
          std::to_string(table_size) + " and 1 <= skip < " +
          std::to_string(table_size));
    }
  }
  std::vector<std::int32_t> table(table_size, kNoBackend);
  if (permutations.empty()) {
    *entries = std::move(table);
    return Status::Ok();
  }

  // next[i] is how far backend i has read its permutation. In each round
  // every backend takes its next preferred entry that is still empty.
  std::vector<std::uint64_t> next(permutations.size(), 0);
  std::uint64_t filled = 0;
  while (true) {
    for (std::size_t i = 0; i < permutations.size(); ++i) {
      const MaglevPermutation& p = permutations[i];
      std::uint64_t entry = (p.offset + next[i] * p.skip) % table_size;
      while (table[entry] != kNoBackend) {
        ++next[i];
        entry = (p.offset + next[i] * p.skip) % table_size;
      }
      table[entry] = static_cast<std::int32_t>(i);
      ++next[i];
      if (++filled == table_size) {
        *entries = std::move(table);
        return Status::Ok();
      }
    }
  }
}

}  // namespace scaling
