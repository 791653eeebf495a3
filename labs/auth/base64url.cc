// Exercise: strict base64url.
//
// Implement Base64UrlEncode and Base64UrlDecode below. The contract (what
// each function returns, which texts the decoder rejects, the error code)
// is in auth/include/auth/base64url.h, and Result and ErrorCode are in
// auth/include/auth/errors.h.
//
//   Check your work:  ./labkit check auth base64url
//   Get a hint:       ./labkit hint auth base64url
//
// Rules the tests enforce:
//   - The alphabet is A-Z a-z 0-9 '-' '_'. No '=' padding on output, and
//     none accepted on input; '+', '/', spaces and line breaks are errors.
//   - Every byte string has exactly one accepted spelling. A decoder that
//     also accepts "Zh" for the byte "f" (canonically "Zg") lets two
//     different token texts carry the same bytes.
//   - A text whose length is 1 more than a multiple of 4 is an error, even
//     when its characters are valid ("A" is not the empty string).
//   - Every error is ErrorCode::kInvalidBase64url, and a bad character's
//     message names it and its offset, for example "'+' at offset 4".

#include "auth/base64url.h"

#include <stdexcept>
#include <string>

namespace auth {

// TODO: Take the bytes 3 at a time (24 bits) and write 4 characters of 6
// bits each, high bits first. A final 1 byte becomes 2 characters and a
// final 2 bytes become 3; write no '='.
std::string Base64UrlEncode([[maybe_unused]] std::string_view bytes) {
  throw std::logic_error(
      "not implemented yet: Base64UrlEncode "
      "(see labs/auth/hints/base64url.md)");
}

// TODO: Reject a length of 1 modulo 4, then turn each character into its
// 6-bit value (rejecting any character outside the alphabet, with its
// offset), collect the bits and emit a byte for every 8. Finally reject the
// text when the leftover bits of the last character are not all zero.
Result<std::string> Base64UrlDecode([[maybe_unused]] std::string_view text) {
  throw std::logic_error(
      "not implemented yet: Base64UrlDecode "
      "(see labs/auth/hints/base64url.md)");
}

}  // namespace auth
