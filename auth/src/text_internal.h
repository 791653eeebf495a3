// Internal to the auth library: quoting untrusted text in error messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace auth {

// Printable returns at most 64 characters of untrusted `text` for a
// message, with every byte outside printable ASCII replaced by '?', so a
// message never carries control characters or a whole token.
inline std::string Printable(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out;
  for (char c : text.substr(0, kMax)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte >= 0x20 && byte < 0x7f) ? c : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

}  // namespace auth
