// Maglev hashing: the lookup table of Google's Maglev load balancer
// (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
// Balancer", NSDI 2016, section 3.4).
//
// A table of M entries (M prime) maps each key to a backend: the key's
// entry is key_hash % M. Each backend has its own preference list, a
// permutation of the M entries:
//
//   permutation[j] = (offset + j * skip) % M,   0 <= offset < M,
//                                               1 <= skip < M
//
// which visits every entry once because M is prime. The table is filled in
// rounds: in each round every backend in turn takes the next entry of its
// list that is still empty. So any two backends own the same number of
// entries, give or take one, and with M more than 100 times the number of
// backends no backend's share differs from another's by more than 1%.
// Removing a backend moves its entries and, unlike a ring, a small number
// of others.
//
//   scaling::MaglevTable table;
//   scaling::Status status =
//       scaling::MaglevTable::Build({"b0", "b1", "b2"}, 65537, &table);
//   std::optional<std::string_view> backend = table.BackendFor("flow-42");
//
// Building takes O(M log M) steps on average; lookup is one array read.
//
// Thread-safety: a built table is immutable; const methods may run
// concurrently.
//
// This header is light: it is an exercise of the scaling lab.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scaling/key_hash.h"
#include "scaling/status.h"

namespace scaling {

// kNoBackend marks an empty table entry.
inline constexpr std::int32_t kNoBackend = -1;

// MaglevPermutation is one backend's preference list, as offset and skip.
struct MaglevPermutation {
  std::uint64_t offset = 0;
  std::uint64_t skip = 1;
};

// MaglevPermutationFor returns the preference list of `backend` in a table
// of `table_size` entries, from two hashes of its name:
//   offset = KeyHash(backend) % table_size
//   skip   = Mix64(KeyHash(backend)) % (table_size - 1) + 1
// REQUIRES: table_size >= 2.
MaglevPermutation MaglevPermutationFor(std::string_view backend,
                                       std::uint64_t table_size);

// PopulateMaglevTable fills `entries` with table_size backend indexes, in
// rounds: in each round backends 0, 1, 2, ... in turn take the next still
// empty entry of their permutation. It fails, and leaves `entries` alone,
// when table_size is smaller than the number of backends, or when a
// permutation's offset is not below table_size or its skip is not in
// [1, table_size - 1]. With no backend, every entry is kNoBackend.
// REQUIRES: table_size is prime (else a permutation may repeat entries).
Status PopulateMaglevTable(std::span<const MaglevPermutation> permutations,
                           std::uint64_t table_size,
                           std::vector<std::int32_t>* entries);

class MaglevTable {
 public:
  // kDefaultTableSize is a prime more than 100 times 655, so it keeps up
  // to 655 backends within the 1% bound.
  static constexpr std::uint64_t kDefaultTableSize = 65537;

  // Build makes the table for `backends` into *table. It fails, and leaves
  // *table alone, when table_size is not prime or is smaller than the number
  // of backends, or when a backend name is empty or repeated.
  static Status Build(std::vector<std::string> backends,
                      std::uint64_t table_size, MaglevTable* table);

  // BackendFor returns the backend of `key`, or std::nullopt when the table
  // has no backend.
  std::optional<std::string_view> BackendFor(std::string_view key) const {
    return BackendForHash(KeyHash(key));
  }

  // BackendForHash is BackendFor for a key already hashed with KeyHash.
  std::optional<std::string_view> BackendForHash(std::uint64_t key_hash) const;

  // entries returns the backend index of each table entry.
  const std::vector<std::int32_t>& entries() const { return entries_; }
  const std::vector<std::string>& backends() const { return backends_; }

 private:
  std::vector<std::string> backends_;
  std::vector<std::int32_t> entries_;
};

// IsPrime returns whether `n` is prime (by trial division).
bool IsPrime(std::uint64_t n);

}  // namespace scaling
