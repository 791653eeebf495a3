#include "rate_limiter/rejection.h"

#include <string>

namespace rl {
namespace {

// AppendQuoted appends `text` as a Structured Field string (RFC 8941):
// quoted, with '"' and '\' escaped. Characters an sf-string cannot hold
// (control characters, non-ASCII) become '?'.
void AppendQuoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c >= 0x20 && c <= 0x7e) {
      out.push_back(c);
    } else {
      out.push_back('?');
    }
  }
  out.push_back('"');
}

// AppendJsonString appends `text` as a JSON string: quoted, with '"', '\'
// and control characters escaped. Other bytes pass through unchanged.
void AppendJsonString(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// PolicyWindow returns how long the quota takes to earn decision.limit
// requests, in nanoseconds rounded up. For the window algorithms that is one
// period. A token bucket or GCRA grants `burst` at once but earns only
// `limit` per period, so advertising one period would promise more than the
// sustained rate: rate 10/s with burst 20 takes 2 s. decision.limit is the
// quota's limit or burst, and ValidQuota keeps both times the period within
// 64 bits.
Nanos PolicyWindow(const Quota& quota, const Decision& decision) {
  const Nanos scaled = decision.limit * quota.period;
  return scaled / quota.limit + (scaled % quota.limit != 0 ? 1 : 0);
}

}  // namespace

std::int64_t CeilSeconds(Nanos wait) {
  // Divide first: adding kNanosPerSecond - 1 could overflow near kNever.
  return wait / kNanosPerSecond + (wait % kNanosPerSecond != 0 ? 1 : 0);
}

std::string RateLimitPolicyField(std::string_view policy, const Quota& quota,
                                 const Decision& decision) {
  std::string field;
  AppendQuoted(field, policy);
  field += ";q=" + std::to_string(decision.limit);
  field += ";w=" + std::to_string(CeilSeconds(PolicyWindow(quota, decision)));
  return field;
}

std::string RateLimitField(std::string_view policy, const Decision& decision) {
  std::string field;
  AppendQuoted(field, policy);
  field += ";r=" + std::to_string(decision.remaining);
  field += ";t=" + std::to_string(CeilSeconds(decision.reset_after));
  return field;
}

HttpAnswer MakeRejection(std::string_view policy, const Quota& quota,
                         const Decision& decision, std::string_view instance) {
  HttpAnswer answer;
  answer.status = 429;
  answer.content_type = "application/problem+json";

  // Retry-After only when waiting can help.
  const bool never = decision.retry_after == kNever;
  const std::int64_t retry_after = never ? 0 : CeilSeconds(decision.retry_after);
  if (!never) {
    answer.headers.emplace_back("Retry-After", std::to_string(retry_after));
  }
  answer.headers.emplace_back("RateLimit-Policy",
                              RateLimitPolicyField(policy, quota, decision));
  answer.headers.emplace_back("RateLimit", RateLimitField(policy, decision));

  // The detail names the exceeded limit and what the client can do.
  std::string detail =
      "Rate limit \"" + std::string(policy) + "\" exceeded: " +
      std::to_string(decision.limit) + " requests per " +
      std::to_string(CeilSeconds(PolicyWindow(quota, decision))) + " s.";
  if (never) {
    detail += " This request costs more than the whole quota, so retrying "
              "cannot succeed.";
  } else {
    detail += " Retry after " + std::to_string(retry_after) + " s.";
  }

  // The RFC 9457 problem details body, with two extension members.
  std::string& body = answer.body;
  body = "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\","
         "\"status\":429,\"detail\":";
  AppendJsonString(body, detail);
  body += ",\"instance\":";
  AppendJsonString(body, instance);
  body += ",\"policy\":";
  AppendJsonString(body, policy);
  body += ",\"retry_after\":";
  body += never ? "null" : std::to_string(retry_after);
  body += "}";
  return answer;
}

}  // namespace rl
