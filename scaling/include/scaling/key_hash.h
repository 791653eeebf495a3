// Key hashes shared by every sharding scheme of the scaling lab.
//
// KeyHash is the 64-bit hash that the ring, jump hash, rendezvous hashing
// and Maglev all use, so their results are comparable key for key. It is
// FNV-1a 64 (Fowler, Noll and Vo) over the key's bytes, followed by Mix64.
// FNV-1a alone changes only the low bits much for keys that differ in their
// last byte ("key-1", "key-2"), and Mix64 spreads every input bit over all
// 64 output bits. It is not cryptographic: a client that chooses keys can
// aim them all at one node.
//
// Crc32 is the CRC-32 of zlib and Ethernet (reflected polynomial
// 0xEDB88320). It is here only as the weak 32-bit hash of early ring
// implementations, to show how it skews a ring with few points per node.
//
// Thread-safety: every function is pure and safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace scaling {

// Mix64 is the finalizer of MurmurHash3 (fmix64): a bijection on 64-bit
// values in which each input bit flips each output bit with probability
// close to 1/2. Mix64(0) is 0.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// KeyHash returns the 64-bit hash of `key`: Mix64 of its FNV-1a 64 hash.
constexpr std::uint64_t KeyHash(std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // the FNV-1a 64 offset basis
  for (const char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // the FNV 64 prime
  }
  return Mix64(hash);
}

// Crc32 returns the CRC-32 of `key`, zero-extended to 64 bits so that it
// fits the same hash-function type as KeyHash. Crc32("123456789") is
// 0xCBF43926, the standard check value.
std::uint64_t Crc32(std::string_view key);

}  // namespace scaling
