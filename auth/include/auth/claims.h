// Claims validation: the checks of RFC 7519 (JWT) section 4.1 on a token
// whose signature already verified.
//
// The JWT layer (auth/jwt.h) copies the registered claims out of the JSON
// claims set into a ClaimsSet and records each claim's JSON type. A claim
// of the wrong type is an attack or a bug, never a value to coerce, so
// "exp":"1300819380" and "exp":true are malformed, not numbers.
//
// Times are NumericDate: seconds since 1970-01-01T00:00:00Z, ignoring leap
// seconds, and possibly fractional ("exp":1.688117968E9 is valid). With
// leeway L seconds for clock skew between issuer and verifier, a token is
//   - expired      when now >= exp + L   (at exp + L exactly, it is expired)
//   - not yet valid when now + L < nbf   (at nbf - L exactly, it is valid)
// So with now = 1000 and L = 30: exp 971 passes and exp 970 fails; nbf 1030
// passes and nbf 1031 fails. An exp of 0 is a time (long expired), not an
// absent claim.
//
// Example:
//   auth::ClaimsPolicy policy;
//   policy.issuer = "https://id.example.com";
//   policy.audience = "orders-api";
//   policy.leeway_seconds = 30;
//   auth::Status status = auth::ValidateClaims(claims, policy, now_seconds);
//
// Thread-safety: ValidateClaims is pure and safe from any thread.
//
// This header is deliberately light: it is an exercise of the auth lab.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/errors.h"

namespace auth {

// JsonType is the JSON type a claim had in the token, or kAbsent.
enum class JsonType { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };

// NumericDateClaim is exp, nbf or iat as it appeared in the claims set.
struct NumericDateClaim {
  JsonType type = JsonType::kAbsent;
  double seconds = 0;  // the value, when type is kNumber
};

// StringClaim is iss (or the header's typ) as it appeared.
struct StringClaim {
  JsonType type = JsonType::kAbsent;
  std::string value;  // the value, when type is kString
};

// AudienceClaim is aud: a string, or an array of strings (RFC 7519
// section 4.1.3). `values` contains the string, or every string element of
// the array; `non_string_elements` counts the other elements.
struct AudienceClaim {
  JsonType type = JsonType::kAbsent;
  std::vector<std::string> values;
  std::size_t non_string_elements = 0;
};

// ClaimsSet is what validation reads from a token: the registered claims,
// plus the JOSE header's typ parameter (RFC 7519 section 5.1), which is
// carried here so that one call checks the token's type as well.
struct ClaimsSet {
  NumericDateClaim exp;
  NumericDateClaim nbf;
  NumericDateClaim iat;
  StringClaim iss;
  AudienceClaim aud;
  StringClaim typ;
};

// ClaimsPolicy is what the verifier expects. An empty string skips that
// check.
struct ClaimsPolicy {
  // issuer, when set, must equal iss exactly (case-sensitive).
  std::string issuer;
  // audience, when set, must equal aud, or one element of an aud array.
  std::string audience;
  // type, when set, must equal the header's typ, compared ignoring ASCII
  // case (RFC 7515 section 4.1.9 names media types). For example "at+jwt"
  // for OAuth access tokens (RFC 9068).
  std::string type;
  // require_exp rejects a token without exp. Keep it on for access tokens:
  // a token with no exp never expires.
  bool require_exp = true;
  // leeway_seconds is the allowed clock skew, in seconds. A negative
  // leeway counts as 0.
  std::int64_t leeway_seconds = 0;
};

// ValidateClaims checks `claims` against `policy` at `now_seconds`
// (NumericDate, seconds since the Unix epoch). The caller reads its own
// clock, so tests pass any time. The checks, in this order:
//   1. exp, nbf and iat, when present, are numbers: else kMalformedClaim.
//      iss and typ, when present, are strings, and aud a string or an
//      array of strings: else kMalformedClaim.
//   2. exp is present when policy.require_exp: else kMissingClaim.
//   3. now < exp + leeway: else kExpired.
//   4. now + leeway >= nbf: else kNotYetValid.
//   5. iss, aud and typ match the policy: else kIssuerMismatch,
//      kAudienceMismatch or kTypeMismatch (an absent claim that the policy
//      requires is kMissingClaim).
// iat is only type-checked: RFC 7519 makes it informational.
Status ValidateClaims(const ClaimsSet& claims, const ClaimsPolicy& policy,
                      std::int64_t now_seconds);

}  // namespace auth
