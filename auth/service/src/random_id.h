// Internal to the auth service: random ids for users and tokens.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace auth::service {

// RandomId returns `prefix` followed by 16 random hex digits (64 bits from
// std::random_device, which reads the kernel's getrandom on Linux). The ids
// name records and are safe to log; they are not secrets.
inline std::string RandomId(std::string_view prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local std::random_device device;
  std::string id(prefix);
  for (int word = 0; word < 2; ++word) {
    std::uint32_t bits = device();
    for (int i = 0; i < 8; ++i) {
      id += kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  return id;
}

}  // namespace auth::service
