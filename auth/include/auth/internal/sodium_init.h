// InitSodium: the one call to sodium_init() before any libsodium use.
#pragma once

#include <sodium.h>

#include <cstdlib>

namespace auth::internal {

// InitSodium initializes libsodium once per process, and later calls return
// at once. When sodium_init() fails (for example, without a usable random
// source), no password or token can be made safely, so the process aborts.
inline void InitSodium() {
  static const bool initialized = [] { return sodium_init() >= 0; }();
  if (!initialized) std::abort();
}

}  // namespace auth::internal
