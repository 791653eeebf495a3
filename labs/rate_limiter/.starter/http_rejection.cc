// Exercise: the HTTP 429 response and the RateLimit header fields.
//
// Implement the four functions below. The contract (what each returns, with
// examples) is in rate_limiter/include/rate_limiter/rejection.h, and the
// Decision fields are explained in rate_limiter/include/rate_limiter/quota.h.
//
//   Check your work:  ./labkit check rate_limiter http_rejection
//   Get a hint:       ./labkit hint rate_limiter http_rejection
//
// Rules the tests enforce: Retry-After is whole seconds rounded up (1.2 s
// gives 2, exactly 2 s gives 2), a request that can never pass has no
// Retry-After, RateLimit-Policy never advertises more than the sustained
// rate (a burst of 20 at 10/s is q=20;w=2), and the body is valid JSON even
// when the path contains quotes, backslashes or control characters.

#include "rate_limiter/rejection.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace rl {

// TODO: Return `wait` in whole seconds, rounded up: 0 gives 0, 1 ns gives 1,
// 1.2 s gives 2, exactly 2 s gives 2. Integers only, and no overflow for
// waits close to kNever.
std::int64_t CeilSeconds([[maybe_unused]] Nanos wait) {
  throw std::logic_error(
      "not implemented yet: CeilSeconds "
      "(see labs/rate_limiter/hints/http_rejection.md)");
}

// TODO: Return the policy name as a quoted string, then ";q=" and the
// capacity (decision.limit), then ";w=" and the time the quota takes to
// grant that capacity, decision.limit * quota.period / quota.limit, in
// whole seconds, rounded up. 100 per 60 s gives "api";q=100;w=60; a token
// bucket at 10/s with burst 20 gives "api";q=20;w=2, because w=1 would
// promise 20 per second. Escape '"' and '\' in the name with a '\'.
std::string RateLimitPolicyField([[maybe_unused]] std::string_view policy,
                                 [[maybe_unused]] const Quota& quota,
                                 [[maybe_unused]] const Decision& decision) {
  throw std::logic_error(
      "not implemented yet: RateLimitPolicyField "
      "(see labs/rate_limiter/hints/http_rejection.md)");
}

// TODO: Return the quoted policy name, then ";r=" and decision.remaining,
// then ";t=" and decision.reset_after in whole seconds, rounded up:
// "api";r=42;t=18.
std::string RateLimitField([[maybe_unused]] std::string_view policy,
                           [[maybe_unused]] const Decision& decision) {
  throw std::logic_error(
      "not implemented yet: RateLimitField "
      "(see labs/rate_limiter/hints/http_rejection.md)");
}

// TODO: Build the 429 response: status 429, content type
// application/problem+json, the headers Retry-After (left out when
// decision.retry_after is kNever), RateLimit-Policy and RateLimit, and a
// JSON body with "type", "title", "status", "detail", "instance",
// "policy" and "retry_after" (a number of seconds, or null for kNever).
// Every string you put in the body must be JSON-escaped.
HttpAnswer MakeRejection([[maybe_unused]] std::string_view policy,
                         [[maybe_unused]] const Quota& quota,
                         [[maybe_unused]] const Decision& decision,
                         [[maybe_unused]] std::string_view instance) {
  throw std::logic_error(
      "not implemented yet: MakeRejection "
      "(see labs/rate_limiter/hints/http_rejection.md)");
}

}  // namespace rl
