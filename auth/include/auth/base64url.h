// Base64url: the strict "URL and filename safe" base64 of RFC 4648
// section 5, as JWS uses it (RFC 7515 section 2): no '=' padding, no
// whitespace, no line breaks.
//
// The decoder accepts exactly one spelling of each byte string, so two
// different texts never decode to the same bytes. It rejects:
//   - any character outside A-Z a-z 0-9 '-' '_' ('=', '+', '/', spaces...)
//   - a length of 1 modulo 4 (no byte string encodes to that)
//   - a non-canonical last character, whose unused low bits are not zero
//     ("QR" decodes to the same byte as "QQ" in a lax decoder)
//
// Example:
//   std::string text = auth::Base64UrlEncode("hi?");   // "aGk_"
//   auth::Result<std::string> bytes = auth::Base64UrlDecode(text);
//
// Thread-safety: both functions are pure and safe from any thread.
//
// This header is deliberately light: it is an exercise of the auth lab.
#pragma once

#include <string>
#include <string_view>

#include "auth/errors.h"

namespace auth {

// Base64UrlEncode returns the unpadded base64url text of `bytes`: 4
// characters per 3 bytes, and 2 or 3 characters for a final 1 or 2 bytes.
std::string Base64UrlEncode(std::string_view bytes);

// Base64UrlDecode returns the bytes that `text` encodes, or
// ErrorCode::kInvalidBase64url with a message naming the offending
// character and its offset, or the length. The empty text decodes to the
// empty byte string.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace auth
