// Error and Result: how every function of the auth library reports failure.
//
// A failure is a value, never an exception. An Error carries a code that
// callers and tests compare exactly, and a message for people. The message
// names the offending value (never a secret or a whole token) and, where it
// helps, the fix. For example
//
//   auth::Result<std::string> bytes = auth::Base64UrlDecode(segment);
//   if (!bytes.ok()) {
//     // bytes.error().code == auth::ErrorCode::kInvalidBase64url
//     // bytes.error().message == "invalid base64url: '=' at offset 6 ..."
//   }
//
// Every code that a rejected bearer token can produce maps to HTTP 401 with
// WWW-Authenticate: Bearer error="invalid_token" (RFC 6750 section 3.1).
//
// This header is deliberately light (standard library only): the lab's
// starter files include it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace auth {

enum class ErrorCode {
  // Encoding and parsing.
  kInvalidBase64url,    // bad alphabet, padding, length or trailing bits
  kTokenTooLarge,       // over the size cap, checked before any parsing
  kMalformedToken,      // not exactly three dot-separated segments
  kInvalidJson,         // not JSON, not an object, too deep or too large
  kDuplicateMember,     // the same member name twice in one JSON object

  // The JOSE header.
  kMalformedHeader,     // alg missing or not a string, kid not a string
  kAlgNone,             // alg "none" in any letter case: never accepted
  kUnsupportedAlgorithm,  // an alg this library does not implement
  kAlgorithmMismatch,   // the header's alg is not the selected key's alg
  kUnknownKeyId,        // the kid names no key in the key set
  kKeyIdRequired,       // no kid, and the key set has several keys
  kUnsupportedCritical, // a crit header parameter (no extension is known)

  // The signature.
  kMalformedSignature,  // wrong length, or ECDSA r or s outside [1, n-1]
  kSignatureMismatch,   // well formed, but does not verify with the key

  // The claims (RFC 7519).
  kNotAClaimsSet,       // the payload is not a JSON object
  kMalformedClaim,      // a registered claim has the wrong JSON type
  kMissingClaim,        // a required claim is absent
  kExpired,             // now >= exp + leeway
  kNotYetValid,         // now + leeway < nbf
  kIssuerMismatch,      // iss is not the expected issuer
  kAudienceMismatch,    // aud does not contain the expected audience
  kTypeMismatch,        // the header's typ is not the expected type

  // Keys and the crypto library.
  kInvalidKey,          // unusable key material, PEM or JWK
  kCryptoFailure,       // OpenSSL or libsodium failed (out of memory...)
  kInvalidOptions,      // a constructor's or Create's option is out of range

  // Passwords.
  kInvalidPasswordParameters,  // argon2id cost below the OWASP minimum
  kPasswordTooLong,     // over kMaxPasswordBytes
  kInvalidCredentials,  // wrong password or unknown user: the same error
  kMalformedPasswordHash,  // a stored hash libsodium cannot verify
  kHasherOverloaded,    // the password hasher's queue is full
  kHasherStopped,       // the password hasher is shutting down

  // Refresh tokens: each is OAuth's "invalid_grant" (RFC 6749 5.2).
  kRefreshTokenUnknown,  // malformed, never issued, or purged
  kRefreshTokenExpired,  // past its own or its family's expiry
  kRefreshTokenReused,   // already rotated: the whole family is now revoked
  kRefreshTokenRevoked,  // its family was revoked (reuse or logout)
  kTokenStoreFailure,    // the token store failed (a server fault)
  kTokenStoreUnavailable,  // the token store cannot be reached (HTTP 503)

  // Authorization policy.
  kInvalidPolicy,       // a policy file error, with file:line
};

// ErrorCodeName returns the enumerator's name without the 'k', for example
// "AlgNone", for logs and test messages.
std::string_view ErrorCodeName(ErrorCode code);

// Error is one failure: its code, and a message for people.
struct Error {
  ErrorCode code;
  std::string message;
};

// MakeError returns an Error; a shorthand for `return auth::Error{...}`.
inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// Result contains either a value of type T or the Error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }

  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  // REQUIRES: !ok().
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Status is the Result of an operation that returns nothing on success.
class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }

  // REQUIRES: !ok().
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace auth
