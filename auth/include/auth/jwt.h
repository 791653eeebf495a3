// JWT (RFC 7519) on top of JWS: sign a claims set, and verify a token's
// signature and then its claims.
//
// VerifyJwt runs VerifyJws (auth/jws.h). Then it requires the payload to be
// a strict JSON object: kNotAClaimsSet when it is not JSON or not an object,
// kDuplicateMember for a repeated claim name. Last, it runs ValidateClaims
// (auth/claims.h) with the header's typ. So the RFC 8037 example, whose
// payload is plain text, passes VerifyJws and fails VerifyJwt.
//
// Example:
//   auth::ClaimsPolicy policy;
//   policy.issuer = "https://id.example.com";
//   policy.audience = "orders-api";
//   auth::Result<auth::VerifiedJwt> jwt =
//       auth::VerifyJwt(keys, bearer_token, policy, now_seconds);
//   if (!jwt.ok()) { respond 401 invalid_token; log jwt.error().message; }
//
// Thread-safety: all functions are safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "auth/claims.h"
#include "auth/errors.h"
#include "auth/jwk.h"
#include "auth/jws.h"

namespace auth {

// VerifiedJwt is a token whose signature and claims passed.
struct VerifiedJwt {
  boost::json::object header;
  boost::json::object claims;
  const Key* key = nullptr;  // the key that verified it, owned by the set
};

// ExtractClaims copies the registered claims exp, nbf, iat, iss and aud
// from `claims`, and typ from `header`, recording each one's JSON type.
ClaimsSet ExtractClaims(const boost::json::object& header,
                        const boost::json::object& claims);

// SignJwt returns a compact JWS of `claims` with the header
// {"alg":<key's alg>,"typ":<typ>,"kid":<key's kid>}; typ and kid are left
// out when empty.
Result<std::string> SignJwt(const Key& key, const boost::json::object& claims,
                            std::string_view typ = "JWT");

// VerifyJwt verifies `token` at `now_seconds` (NumericDate), as described
// above.
Result<VerifiedJwt> VerifyJwt(const KeySet& keys, std::string_view token,
                              const ClaimsPolicy& policy,
                              std::int64_t now_seconds,
                              const JwsOptions& options = {});

}  // namespace auth
