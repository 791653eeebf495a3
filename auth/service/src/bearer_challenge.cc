// The RFC 6750 challenges of the bearer middleware: error codes, their
// descriptions and the WWW-Authenticate value. AuthenticateBearer, in
// bearer.cc, decides which challenge a request gets.
#include "auth/service/bearer.h"

#include <string>
#include <string_view>
#include <utility>

namespace auth::service {

std::string_view BearerErrorName(BearerError error) {
  switch (error) {
    case BearerError::kNone: return "";
    case BearerError::kInvalidRequest: return "invalid_request";
    case BearerError::kInvalidToken: return "invalid_token";
    case BearerError::kInsufficientScope: return "insufficient_scope";
  }
  return "";
}

std::string_view TokenErrorDescription(ErrorCode code) {
  switch (code) {
    case ErrorCode::kExpired: return "the access token has expired";
    case ErrorCode::kNotYetValid: return "the access token is not valid yet";
    case ErrorCode::kSignatureMismatch:
    case ErrorCode::kMalformedSignature:
      return "the access token signature is invalid";
    case ErrorCode::kIssuerMismatch:
    case ErrorCode::kAudienceMismatch:
    case ErrorCode::kTypeMismatch:
      return "the access token was not issued for this API";
    case ErrorCode::kUnknownKeyId:
      return "the access token was signed with an unknown key";
    default: return "the access token is invalid";
  }
}

std::string BearerChallenge::WwwAuthenticate(std::string_view realm) const {
  std::string value = "Bearer realm=\"";
  value += realm;
  value += '"';
  if (error == BearerError::kNone) return value;

  value += ", error=\"";
  value += BearerErrorName(error);
  value += '"';
  if (!description.empty()) {
    value += ", error_description=\"";
    value += description;
    value += '"';
  }
  return value;
}

BearerChallenge InvalidRequest(std::string description) {
  std::string detail = description;
  return BearerChallenge{400, BearerError::kInvalidRequest,
                         std::move(description), std::move(detail)};
}

BearerChallenge InsufficientScope(std::string description) {
  std::string detail = description;
  return BearerChallenge{403, BearerError::kInsufficientScope,
                         std::move(description), std::move(detail)};
}

}  // namespace auth::service
