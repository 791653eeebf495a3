// Bearer-token middleware: RFC 6750 authentication for the resource API.
//
// AuthenticateBearer takes the value of a request's Authorization header
// and returns either the Principal that a verified access token speaks for,
// or the BearerChallenge to send back. The challenge follows RFC 6750
// section 3:
//
//   no Authorization header, or another
//   scheme such as Basic                   401  Bearer realm="labkit"
//   "Bearer" with a missing or malformed
//   token (RFC 6750 section 2.1 syntax)    400  error="invalid_request"
//   a token that fails verification
//   (signature, alg, exp, aud, typ...)     401  error="invalid_token"
//   a valid token without the privileges
//   the request needs                      403  error="insufficient_scope"
//
// A request without credentials gets no error code, because the client may
// not know that the resource needs authentication (RFC 6750 section 3.1).
// The last row is not decided here: the caller asks its policy engine and
// sends InsufficientScope(...) when the policy denies.
//
// An access token is a JWT with typ "at+jwt" (RFC 9068). Its claims:
//   sub     the user id (required, a non-empty string)
//   roles   an array of role names (RFC 9068 section 2.2.3.1), optional
//   tenant  a string, optional
//   sid     the refresh-token family of the login, optional
//   jti     the token's own id, optional
// A claim of the wrong JSON type makes the token invalid, never coerced.
//
// Error descriptions never contain the token. BearerChallenge::log_detail
// carries the verifier's message for the service's logs.
//
// Example:
//   std::optional<std::string_view> header = ...;  // nullopt when absent
//   auth::service::BearerResult bearer =
//       auth::service::AuthenticateBearer(header, keys, policy, now_seconds);
//   if (!bearer.ok()) return Challenge(bearer.challenge());
//   const auth::service::Principal& who = bearer.principal();
//
// Thread-safety: every function is pure and safe from any thread.
//
// This header is deliberately light (standard library and the light auth
// headers): it is an exercise of the auth lab.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "auth/claims.h"
#include "auth/errors.h"
#include "auth/jwk.h"

namespace auth::service {

// kAccessTokenType is the typ header of every access token (RFC 9068).
inline constexpr std::string_view kAccessTokenType = "at+jwt";

// Principal is who a verified access token speaks for.
struct Principal {
  std::string subject;             // sub: the user id
  std::string tenant;              // tenant, or empty
  std::vector<std::string> roles;  // roles, in token order
  std::string session_id;          // sid: the login's refresh-token family
  std::string token_id;            // jti, or empty
  std::int64_t expires_at = 0;     // exp, in seconds since the Unix epoch
};

// BearerError is the RFC 6750 error code of a challenge.
enum class BearerError {
  kNone,               // no credentials: the challenge carries no error code
  kInvalidRequest,     // 400: the Authorization header is malformed
  kInvalidToken,       // 401: the token does not verify or has expired
  kInsufficientScope,  // 403: the token lacks the privileges needed
};

// BearerErrorName returns the RFC 6750 error code: "invalid_request",
// "invalid_token", "insufficient_scope", or "" for kNone.
std::string_view BearerErrorName(BearerError error);

// BearerChallenge is the error response that a rejected request gets.
struct BearerChallenge {
  int status = 401;
  BearerError error = BearerError::kNone;
  // description is the error_description: plain ASCII without '"' or '\',
  // safe to send, never containing the token.
  std::string description;
  // log_detail is the reason for the service's logs, for example the
  // verifier's message and its ErrorCodeName. It never contains the token.
  std::string log_detail;

  // WwwAuthenticate returns the WWW-Authenticate value for `realm`, e.g.
  //   Bearer realm="labkit", error="invalid_token",
  //   error_description="the access token has expired"
  // and only Bearer realm="labkit" for kNone.
  std::string WwwAuthenticate(std::string_view realm) const;
};

// BearerResult contains either the Principal of a verified token or the
// challenge to send.
class [[nodiscard]] BearerResult {
 public:
  BearerResult(Principal principal) : state_(std::move(principal)) {}
  BearerResult(BearerChallenge challenge) : state_(std::move(challenge)) {}

  bool ok() const { return std::holds_alternative<Principal>(state_); }

  // REQUIRES: ok().
  const Principal& principal() const { return std::get<Principal>(state_); }

  // REQUIRES: !ok().
  const BearerChallenge& challenge() const {
    return std::get<BearerChallenge>(state_);
  }

 private:
  std::variant<Principal, BearerChallenge> state_;
};

// TokenErrorDescription returns the error_description of the invalid_token
// challenge for a token that VerifyJwt rejected with `code`: a short, fixed
// sentence such as "the access token has expired", which names no claim
// value and never contains the token.
std::string_view TokenErrorDescription(ErrorCode code);

// AuthenticateBearer authenticates one request from its Authorization
// header value (nullopt when the request has none). The token must verify
// with a key of `keys` (auth::VerifyJwt) under `policy` at `now_seconds`
// (seconds since the Unix epoch) and carry the claims listed above.
BearerResult AuthenticateBearer(std::optional<std::string_view> authorization,
                                const KeySet& keys, const ClaimsPolicy& policy,
                                std::int64_t now_seconds);

// InvalidRequest returns the 400 invalid_request challenge with
// `description`, for malformed requests that the caller detects itself
// (two Authorization headers, say).
BearerChallenge InvalidRequest(std::string description);

// InsufficientScope returns the 403 insufficient_scope challenge with
// `description`, for an authenticated request that the policy denies.
BearerChallenge InsufficientScope(std::string description);

}  // namespace auth::service
