// Exercise: the bearer-token middleware (RFC 6750).
//
// Implement AuthenticateBearer below: turn one request's Authorization
// header into the Principal of a verified access token, or into the
// challenge to send back. The contract, with its table of challenges, is in
// auth/service/include/auth/service/bearer.h. VerifyJwt is in
// auth/include/auth/jwt.h, and ErrorCode in auth/include/auth/errors.h.
//
//   Check your work:  ./labkit check auth bearer
//   Get a hint:       ./labkit hint auth bearer
//
// Rules the tests enforce:
//   - No Authorization header, or another scheme such as Basic: 401 with no
//     error code. The scheme name "Bearer" is matched ignoring case.
//   - "Bearer" with no token, or a token outside RFC 6750's b64token syntax
//     (letters, digits, - . _ ~ + /, then optional trailing '='): 400
//     invalid_request.
//   - A token that VerifyJwt rejects: 401 invalid_token, described by
//     TokenErrorDescription(code).
//   - sub must be a non-empty string; tenant, sid and jti, when present,
//     strings; roles, when present, an array of strings. Anything else: 401
//     invalid_token.
//   - Neither the description nor log_detail ever contains the token.

#include "auth/service/bearer.h"

#include <stdexcept>

#include "auth/jwt.h"

namespace auth::service {

// TODO: Split the header into the scheme and the token at the first space.
// Compare the scheme with "Bearer" ignoring case, skip the spaces after it,
// and check the token's syntax before any cryptography. Then call VerifyJwt
// and copy sub, tenant, roles, sid, jti and exp from its claims into a
// Principal, rejecting a claim of the wrong JSON type. A challenge is a
// BearerChallenge{status, error, description, log_detail}; InvalidRequest
// builds the 400 one.
BearerResult AuthenticateBearer(
    [[maybe_unused]] std::optional<std::string_view> authorization,
    [[maybe_unused]] const KeySet& keys,
    [[maybe_unused]] const ClaimsPolicy& policy,
    [[maybe_unused]] std::int64_t now_seconds) {
  throw std::logic_error(
      "not implemented yet: AuthenticateBearer "
      "(see labs/auth/hints/bearer.md)");
}

}  // namespace auth::service
