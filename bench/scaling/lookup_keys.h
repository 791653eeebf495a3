// The keys every sharding benchmark looks up: 4096 KeyHash values of
// "key-0" to "key-4095", cycled in order. 4096 keys of 8 bytes fit in the
// L1 cache, so a benchmark times the scheme's lookup, not the key array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scaling/key_hash.h"

namespace scaling_bench {

inline constexpr std::size_t kLookupKeys = 4096;  // a power of two

inline const std::vector<std::uint64_t>& LookupKeys() {
  static const std::vector<std::uint64_t> keys = [] {
    std::vector<std::uint64_t> hashes;
    for (std::size_t i = 0; i < kLookupKeys; ++i) {
      hashes.push_back(scaling::KeyHash("key-" + std::to_string(i)));
    }
    return hashes;
  }();
  return keys;
}

// NodeName returns "node-<i>".
inline std::string NodeName(std::int64_t i) { return "node-" + std::to_string(i); }

}  // namespace scaling_bench
