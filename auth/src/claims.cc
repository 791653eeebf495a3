#include "auth/claims.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

namespace auth {
namespace {

std::string_view JsonTypeName(JsonType type) {
  switch (type) {
    case JsonType::kAbsent: return "absent";
    case JsonType::kNull: return "null";
    case JsonType::kBool: return "a boolean";
    case JsonType::kNumber: return "a number";
    case JsonType::kString: return "a string";
    case JsonType::kArray: return "an array";
    case JsonType::kObject: return "an object";
  }
  return "unknown";
}

// FormatSeconds prints a NumericDate without a trailing ".000000".
std::string FormatSeconds(double seconds) {
  if (seconds == std::floor(seconds) && std::fabs(seconds) < 1e15) {
    return std::to_string(static_cast<long long>(seconds));
  }
  return std::to_string(seconds);
}

Error WrongType(std::string_view name, std::string_view expected,
                JsonType actual) {
  return MakeError(ErrorCode::kMalformedClaim,
                   "malformed claim '" + std::string(name) + "': it is " +
                       std::string(JsonTypeName(actual)) + ", expected " +
                       std::string(expected));
}

// CheckNumericDate returns an error when a present claim is not a finite
// number.
Status CheckNumericDate(std::string_view name, const NumericDateClaim& claim) {
  if (claim.type == JsonType::kAbsent) return Status();
  if (claim.type != JsonType::kNumber) {
    return WrongType(name, "a NumericDate number", claim.type);
  }
  if (!std::isfinite(claim.seconds)) {
    return MakeError(ErrorCode::kMalformedClaim,
                     "malformed claim '" + std::string(name) +
                         "': the number is not finite");
  }
  return Status();
}

Status CheckTypes(const ClaimsSet& claims) {
  for (const auto& [name, claim] :
       {std::pair<std::string_view, const NumericDateClaim*>{"exp",
                                                             &claims.exp},
        {"nbf", &claims.nbf},
        {"iat", &claims.iat}}) {
    Status status = CheckNumericDate(name, *claim);
    if (!status.ok()) return status;
  }

  if (claims.iss.type != JsonType::kAbsent &&
      claims.iss.type != JsonType::kString) {
    return WrongType("iss", "a string", claims.iss.type);
  }
  if (claims.typ.type != JsonType::kAbsent &&
      claims.typ.type != JsonType::kString) {
    return WrongType("typ", "a string", claims.typ.type);
  }

  const AudienceClaim& aud = claims.aud;
  if (aud.type != JsonType::kAbsent && aud.type != JsonType::kString &&
      aud.type != JsonType::kArray) {
    return WrongType("aud", "a string or an array of strings", aud.type);
  }
  if (aud.type == JsonType::kArray && aud.non_string_elements > 0) {
    return MakeError(ErrorCode::kMalformedClaim,
                     "malformed claim 'aud': the array has " +
                         std::to_string(aud.non_string_elements) +
                         " element(s) that are not strings");
  }
  return Status();
}

Status CheckTimes(const ClaimsSet& claims, const ClaimsPolicy& policy,
                  std::int64_t now_seconds) {
  const double now = static_cast<double>(now_seconds);
  const double leeway =
      static_cast<double>(std::max<std::int64_t>(policy.leeway_seconds, 0));

  if (claims.exp.type == JsonType::kAbsent) {
    if (policy.require_exp) {
      return MakeError(ErrorCode::kMissingClaim,
                       "missing claim 'exp': this verifier requires every "
                       "token to expire");
    }
  } else if (now >= claims.exp.seconds + leeway) {
    // Expired at exp + leeway itself, not only after it.
    return MakeError(ErrorCode::kExpired,
                     "token expired: exp " + FormatSeconds(claims.exp.seconds) +
                         " plus leeway " + FormatSeconds(leeway) +
                         " s is not after now (" + FormatSeconds(now) + ")");
  }

  if (claims.nbf.type != JsonType::kAbsent &&
      now + leeway < claims.nbf.seconds) {
    return MakeError(ErrorCode::kNotYetValid,
                     "token not yet valid: nbf " +
                         FormatSeconds(claims.nbf.seconds) +
                         " is after now (" + FormatSeconds(now) +
                         ") plus leeway " + FormatSeconds(leeway) + " s");
  }
  return Status();
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

Status CheckIdentity(const ClaimsSet& claims, const ClaimsPolicy& policy) {
  if (!policy.issuer.empty()) {
    if (claims.iss.type == JsonType::kAbsent) {
      return MakeError(ErrorCode::kMissingClaim,
                       "missing claim 'iss': expected issuer '" +
                           policy.issuer + "'");
    }
    if (claims.iss.value != policy.issuer) {
      return MakeError(ErrorCode::kIssuerMismatch,
                       "issuer '" + claims.iss.value + "' is not the "
                       "expected issuer '" + policy.issuer + "'");
    }
  }

  if (!policy.audience.empty()) {
    if (claims.aud.type == JsonType::kAbsent) {
      return MakeError(ErrorCode::kMissingClaim,
                       "missing claim 'aud': expected audience '" +
                           policy.audience + "'");
    }
    const std::vector<std::string>& values = claims.aud.values;
    if (std::find(values.begin(), values.end(), policy.audience) ==
        values.end()) {
      return MakeError(ErrorCode::kAudienceMismatch,
                       "audience does not include '" + policy.audience +
                           "' (" + std::to_string(values.size()) +
                           " audience value(s) in the token)");
    }
  }

  if (!policy.type.empty()) {
    if (claims.typ.type == JsonType::kAbsent) {
      return MakeError(ErrorCode::kMissingClaim,
                       "missing header parameter 'typ': expected '" +
                           policy.type + "'");
    }
    if (!EqualsIgnoringAsciiCase(claims.typ.value, policy.type)) {
      return MakeError(ErrorCode::kTypeMismatch,
                       "token type '" + claims.typ.value +
                           "' is not the expected type '" + policy.type + "'");
    }
  }
  return Status();
}

}  // namespace

Status ValidateClaims(const ClaimsSet& claims, const ClaimsPolicy& policy,
                      std::int64_t now_seconds) {
  Status status = CheckTypes(claims);
  if (!status.ok()) return status;

  status = CheckTimes(claims, policy, now_seconds);
  if (!status.ok()) return status;

  return CheckIdentity(claims, policy);
}

}  // namespace auth
