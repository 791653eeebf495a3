// Exercise: HS256 signing and constant-time verification.
//
// Implement SignHs256 and VerifyHs256 below. The contract (the bytes that
// are signed, the error codes) is in auth/include/auth/hs256.h, and Result,
// Status and ErrorCode are in auth/include/auth/errors.h.
//
//   Check your work:  ./labkit check auth hs256
//   Get a hint:       ./labkit hint auth hs256
//
// Rules the tests enforce:
//   - SignHs256 is HMAC-SHA-256 (RFC 2104 with SHA-256): the RFC 4231 test
//     vectors and the RFC 7515 Appendix A.1 token must come out exactly.
//   - The signing input is signed exactly as given, byte for byte.
//   - VerifyHs256 accepts only the full 32-byte MAC. A shorter or longer
//     one, the empty one included, is kMalformedSignature; 32 bytes that
//     differ anywhere, even in the last byte, are kSignatureMismatch.
//   - The comparison takes the same time wherever the bytes differ, so an
//     attacker cannot find the MAC one byte at a time by timing requests.
//     No test can see timing reliably; use a constant-time comparison.

#include "auth/hs256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>
#include <string>

namespace auth {

// TODO: Compute HMAC-SHA-256 of signing_input under secret with OpenSSL's
// HMAC() and EVP_sha256(), and return the 32 bytes as a std::string.
// Return kCryptoFailure if OpenSSL fails.
Result<std::string> SignHs256([[maybe_unused]] std::string_view secret,
                              [[maybe_unused]] std::string_view signing_input) {
  throw std::logic_error(
      "not implemented yet: SignHs256 (see labs/auth/hints/hs256.md)");
}

// TODO: Reject a mac that is not exactly kHs256MacBytes long, recompute the
// expected MAC with SignHs256, and compare all 32 bytes with
// CRYPTO_memcmp, which does not stop at the first difference.
Status VerifyHs256([[maybe_unused]] std::string_view secret,
                   [[maybe_unused]] std::string_view signing_input,
                   [[maybe_unused]] std::string_view mac) {
  throw std::logic_error(
      "not implemented yet: VerifyHs256 (see labs/auth/hints/hs256.md)");
}

}  // namespace auth
