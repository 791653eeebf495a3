// HS256: HMAC with SHA-256 (RFC 7518 section 3.2), the MAC behind JWS
// "alg":"HS256".
//
// SignHs256 computes the 32-byte MAC of a JWS signing input, that is the
// bytes ASCII(BASE64URL(header) || '.' || BASE64URL(payload)) exactly as
// sent. VerifyHs256 recomputes it and compares in constant time, so the
// time a check takes reveals nothing about how many leading bytes of a
// forged MAC were right.
//
// These functions take any secret. The Key (auth/jwk.h) enforces that an
// HS256 secret has at least 32 bytes (RFC 7518 section 3.2), and the
// verifier reaches these functions only through a Key.
//
// Thread-safety: both functions are pure and safe from any thread.
//
// This header is deliberately light: it is an exercise of the auth lab.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "auth/errors.h"

namespace auth {

// kHs256MacBytes is the length of an HS256 MAC: the SHA-256 output size.
inline constexpr std::size_t kHs256MacBytes = 32;

// SignHs256 returns the 32-byte HMAC-SHA-256 of `signing_input` under
// `secret`, or kCryptoFailure if the crypto library fails.
Result<std::string> SignHs256(std::string_view secret,
                              std::string_view signing_input);

// VerifyHs256 checks that `mac` is the HMAC-SHA-256 of `signing_input`
// under `secret`. Returns kMalformedSignature when `mac` is not 32 bytes
// and kSignatureMismatch when it differs. The comparison of the 32 bytes
// takes the same time wherever they differ.
Status VerifyHs256(std::string_view secret, std::string_view signing_input,
                   std::string_view mac);

}  // namespace auth
