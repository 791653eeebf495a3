// Exercise: JWT claims validation with leeway.
//
// Implement ValidateClaims below. The contract (the order of the checks,
// the error code of each, what leeway means at the boundaries) is in
// auth/include/auth/claims.h, and Status and ErrorCode are in
// auth/include/auth/errors.h.
//
//   Check your work:  ./labkit check auth claims
//   Get a hint:       ./labkit hint auth claims
//
// Rules the tests enforce, with now = 1000 and leeway = 30:
//   - exp 971 is valid and exp 970 is kExpired: a token is expired from
//     exp + leeway on, not only after it.
//   - nbf 1030 is valid and nbf 1031 is kNotYetValid.
//   - exp 0 is a time (1970), long expired, not a missing claim.
//   - A claim of the wrong JSON type ("exp":"1300819380", "exp":true,
//     "iss":42, "aud":[1]) is kMalformedClaim, checked before any time.
//     A fractional exp such as 1.688117968E9 is a valid NumericDate.
//   - A missing exp is kMissingClaim when the policy requires one.
//   - iss must equal the policy's issuer exactly; aud must equal the
//     audience or contain it; typ must equal the type, ignoring ASCII case.
//     An empty policy field skips that check.

#include "auth/claims.h"

#include <stdexcept>

namespace auth {

// TODO: Check, in this order, returning the first failure:
//   1. the JSON types of exp, nbf, iat, iss, typ and aud;
//   2. exp present (when policy.require_exp), then not expired with leeway;
//   3. nbf not in the future, with leeway;
//   4. iss, aud and typ against the policy.
// Treat a negative leeway as 0. Name the claim and the values in each
// message, for example "token expired: exp 970 plus leeway 30 s is not
// after now (1000)".
Status ValidateClaims([[maybe_unused]] const ClaimsSet& claims,
                      [[maybe_unused]] const ClaimsPolicy& policy,
                      [[maybe_unused]] std::int64_t now_seconds) {
  throw std::logic_error(
      "not implemented yet: ValidateClaims (see labs/auth/hints/claims.md)");
}

}  // namespace auth
