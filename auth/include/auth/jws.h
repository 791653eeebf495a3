// JWS compact serialization (RFC 7515 section 7.1): sign and verify
//
//   BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)
//
// VerifyJws checks, in this order, and stops at the first failure:
//   1. the token is at most max_token_bytes (kTokenTooLarge), before any
//      parsing;
//   2. it has exactly three segments (kMalformedToken), each strict
//      base64url (kInvalidBase64url);
//   3. the header is a strict JSON object (kInvalidJson, kDuplicateMember)
//      with a string "alg" and, if present, a string "kid"
//      (kMalformedHeader), and no "crit" (kUnsupportedCritical);
//   4. alg is not "none" in any letter case (kAlgNone), before any
//      cryptography, and is HS256, ES256 or EdDSA (kUnsupportedAlgorithm);
//   5. the key: the one named by kid (kUnknownKeyId), or the set's only
//      key when there is no kid (kKeyIdRequired when there are several);
//   6. alg equals that key's algorithm, exactly (kAlgorithmMismatch), so
//      the token never chooses how a key is used;
//   7. the signature verifies over the first two segments exactly as
//      received (kMalformedSignature, kSignatureMismatch).
// Error messages never contain the token itself.
//
// The payload can be any bytes; auth/jwt.h adds the JWT claims checks.
//
// Thread-safety: both functions are safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "auth/errors.h"
#include "auth/jwk.h"

namespace auth {

// kDefaultMaxTokenBytes is the default size cap of a compact JWS.
inline constexpr std::size_t kDefaultMaxTokenBytes = 8 * 1024;

struct JwsOptions {
  // max_token_bytes caps the whole compact token, in bytes.
  std::size_t max_token_bytes = kDefaultMaxTokenBytes;
};

// VerifiedJws is a token whose signature verified.
struct VerifiedJws {
  boost::json::object header;
  std::string payload;       // the decoded payload bytes
  const Key* key = nullptr;  // the key that verified it, owned by the set
};

// SignJws returns the compact JWS of `payload` with `header_json` as the
// protected header, byte for byte. The header must be a strict JSON object
// whose "alg" is the key's algorithm (kAlgorithmMismatch otherwise) and
// whose "kid", if present, is the key's kid (kMalformedHeader otherwise).
Result<std::string> SignJws(const Key& key, std::string_view header_json,
                            std::string_view payload);

// VerifyJws verifies `token` with a key from `keys`, as described above.
Result<VerifiedJws> VerifyJws(const KeySet& keys, std::string_view token,
                              const JwsOptions& options = {});

}  // namespace auth
