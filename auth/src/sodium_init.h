// InitSodium: the one call to sodium_init() before any libsodium use.
#pragma once

#include <sodium.h>

#include <cstdlib>

namespace auth::internal {

// InitSodium initializes libsodium once per process; later calls return at
// once. sodium_init() fails only when the system has no secure random
// source, and then no password or token can be made safely, so the process
// aborts.
inline void InitSodium() {
  static const bool initialized = [] { return sodium_init() >= 0; }();
  if (!initialized) std::abort();
}

}  // namespace auth::internal
