// MaglevTable and IsPrime. The lab's maglev exercise replaces maglev.cc (the
// permutations and the fill) and keeps this file.
#include <set>
#include <string>

#include "scaling/maglev.h"

namespace scaling {

bool IsPrime(std::uint64_t n) {
  if (n < 2) return false;
  for (std::uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

Status MaglevTable::Build(std::vector<std::string> backends,
                          std::uint64_t table_size, MaglevTable* table) {
  if (!IsPrime(table_size)) {
    return Status::Error("invalid table size " + std::to_string(table_size) +
                         ": Maglev needs a prime size, such as 65537");
  }
  std::set<std::string_view> seen;
  for (const std::string& backend : backends) {
    if (backend.empty()) {
      return Status::Error(
          "invalid backend name '': a backend name must not be empty");
    }
    if (!seen.insert(backend).second) {
      return Status::Error("backend '" + backend + "' is listed twice");
    }
  }

  std::vector<MaglevPermutation> permutations;
  permutations.reserve(backends.size());
  for (const std::string& backend : backends) {
    permutations.push_back(MaglevPermutationFor(backend, table_size));
  }
  std::vector<std::int32_t> entries;
  Status status = PopulateMaglevTable(permutations, table_size, &entries);
  if (!status.ok()) return status;

  table->backends_ = std::move(backends);
  table->entries_ = std::move(entries);
  return Status::Ok();
}

std::optional<std::string_view> MaglevTable::BackendForHash(
    std::uint64_t key_hash) const {
  if (backends_.empty()) return std::nullopt;
  return backends_[entries_[key_hash % entries_.size()]];
}

}  // namespace scaling
