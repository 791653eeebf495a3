#include "auth/base64url.h"

#include <array>
#include <cstdint>
#include <string>

namespace auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr int kInvalid = -1;

// kDecodeTable maps each byte to its 6-bit value, or kInvalid.
constexpr std::array<int, 256> MakeDecodeTable() {
  std::array<int, 256> table{};
  for (int& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  }
  return table;
}
constexpr std::array<int, 256> kDecodeTable = MakeDecodeTable();

// DescribeCharacter returns 'c' for a printable character, else its code
// in hex, so a message never prints a raw control byte.
std::string DescribeCharacter(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  constexpr std::string_view kHex = "0123456789abcdef";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() * 4 + 2) / 3);

  // Each group of 3 bytes (24 bits) becomes 4 characters of 6 bits.
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group =
        (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
        (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
        std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    text += kAlphabet[(group >> 18) & 0x3f];
    text += kAlphabet[(group >> 12) & 0x3f];
    text += kAlphabet[(group >> 6) & 0x3f];
    text += kAlphabet[group & 0x3f];
  }

  // A final 1 byte becomes 2 characters, 2 bytes become 3; no padding.
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return text;
  std::uint32_t group = std::uint32_t{static_cast<unsigned char>(bytes[i])}
                        << 16;
  if (rest == 2) {
    group |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
  }
  text += kAlphabet[(group >> 18) & 0x3f];
  text += kAlphabet[(group >> 12) & 0x3f];
  if (rest == 2) text += kAlphabet[(group >> 6) & 0x3f];
  return text;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return MakeError(ErrorCode::kInvalidBase64url,
                     "invalid base64url: length " +
                         std::to_string(text.size()) +
                         " is 1 more than a multiple of 4, which no byte "
                         "string encodes to");
  }

  std::string bytes;
  bytes.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;  // the undecoded bits, newest in the low end
  int bit_count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int value = kDecodeTable[static_cast<unsigned char>(text[i])];
    if (value == kInvalid) {
      return MakeError(ErrorCode::kInvalidBase64url,
                       "invalid base64url: " + DescribeCharacter(text[i]) +
                           " at offset " + std::to_string(i) +
                           " is not in the alphabet A-Z a-z 0-9 - _ "
                           "(padding '=' is not allowed)");
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      bytes += static_cast<char>((bits >> bit_count) & 0xff);
      bits &= (1u << bit_count) - 1;
    }
  }

  // The last character's leftover bits (2 or 4) carry no data; a canonical
  // encoder writes them as zero.
  if (bits != 0) {
    return MakeError(ErrorCode::kInvalidBase64url,
                     "invalid base64url: the last character " +
                         DescribeCharacter(text.back()) +
                         " has non-zero unused bits, so the text is not the "
                         "canonical encoding");
  }
  return bytes;
}

}  // namespace auth
