// Rejection: the HTTP response to a rate-limited request, and the RateLimit
// header fields that go on every response.
//
// Header fields follow the IETF httpapi draft "RateLimit header fields for
// HTTP" (draft-ietf-httpapi-ratelimit-headers-09 and later), which uses
// Structured Field lists:
//
//   RateLimit-Policy: "api";q=100;w=60     q requests per window of w s
//   RateLimit: "api";r=42;t=18             r remaining, full again in t s
//
// A rejection is status 429 Too Many Requests with Retry-After in whole
// seconds, rounded up, and an RFC 9457 problem details body
// (application/problem+json).
//
// This header is deliberately light: it is an exercise of the lab.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rate_limiter/quota.h"

namespace rl {

// HttpAnswer is a transport-neutral HTTP response: the service copies it
// into the server's Response.
struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// CeilSeconds returns `wait` in whole seconds, rounded up: 1.2 s gives 2,
// exactly 2 s gives 2, 0 gives 0. REQUIRES: 0 <= wait < kNever.
std::int64_t CeilSeconds(Nanos wait);

// RateLimitPolicyField returns the RateLimit-Policy value for a policy
// named `policy`: q is the capacity decision.limit, and w is how long the
// quota takes to grant it, decision.limit * quota.period / quota.limit in
// whole seconds, rounded up. For the window algorithms w is the period:
// 100 per 60 s gives "api";q=100;w=60. A token bucket or GCRA advertises its
// burst over the time its rate takes to earn it, so q/w never exceeds the
// sustained rate: rate 10/s with burst 20 gives "api";q=20;w=2, not w=1.
// REQUIRES: decision.limit is quota.limit or quota.burst.
std::string RateLimitPolicyField(std::string_view policy, const Quota& quota,
                                 const Decision& decision);

// RateLimitField returns the RateLimit value after `decision`, for example
// "api";r=42;t=18, where t is decision.reset_after in whole seconds,
// rounded up.
std::string RateLimitField(std::string_view policy, const Decision& decision);

// MakeRejection returns the 429 response for a rejected decision on the
// request for `instance` (its path):
//   - status 429, content type application/problem+json
//   - Retry-After: CeilSeconds(decision.retry_after), omitted when the wait
//     is kNever (the cost exceeds the quota, so waiting cannot help; the
//     detail says so)
//   - RateLimit-Policy and RateLimit fields
//   - a problem+json body with type, title, status, detail, instance, and
//     the extension members "policy" and "retry_after" (seconds, or null).
// REQUIRES: !decision.allowed.
HttpAnswer MakeRejection(std::string_view policy, const Quota& quota,
                         const Decision& decision, std::string_view instance);

}  // namespace rl
