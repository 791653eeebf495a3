#include "auth/errors.h"

namespace auth {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidBase64url: return "InvalidBase64url";
    case ErrorCode::kTokenTooLarge: return "TokenTooLarge";
    case ErrorCode::kMalformedToken: return "MalformedToken";
    case ErrorCode::kInvalidJson: return "InvalidJson";
    case ErrorCode::kDuplicateMember: return "DuplicateMember";
    case ErrorCode::kMalformedHeader: return "MalformedHeader";
    case ErrorCode::kAlgNone: return "AlgNone";
    case ErrorCode::kUnsupportedAlgorithm: return "UnsupportedAlgorithm";
    case ErrorCode::kAlgorithmMismatch: return "AlgorithmMismatch";
    case ErrorCode::kUnknownKeyId: return "UnknownKeyId";
    case ErrorCode::kKeyIdRequired: return "KeyIdRequired";
    case ErrorCode::kUnsupportedCritical: return "UnsupportedCritical";
    case ErrorCode::kMalformedSignature: return "MalformedSignature";
    case ErrorCode::kSignatureMismatch: return "SignatureMismatch";
    case ErrorCode::kNotAClaimsSet: return "NotAClaimsSet";
    case ErrorCode::kMalformedClaim: return "MalformedClaim";
    case ErrorCode::kMissingClaim: return "MissingClaim";
    case ErrorCode::kExpired: return "Expired";
    case ErrorCode::kNotYetValid: return "NotYetValid";
    case ErrorCode::kIssuerMismatch: return "IssuerMismatch";
    case ErrorCode::kAudienceMismatch: return "AudienceMismatch";
    case ErrorCode::kTypeMismatch: return "TypeMismatch";
    case ErrorCode::kInvalidKey: return "InvalidKey";
    case ErrorCode::kCryptoFailure: return "CryptoFailure";
    case ErrorCode::kInvalidOptions: return "InvalidOptions";
    case ErrorCode::kInvalidPasswordParameters:
      return "InvalidPasswordParameters";
    case ErrorCode::kPasswordTooLong: return "PasswordTooLong";
    case ErrorCode::kInvalidCredentials: return "InvalidCredentials";
    case ErrorCode::kMalformedPasswordHash: return "MalformedPasswordHash";
    case ErrorCode::kHasherOverloaded: return "HasherOverloaded";
    case ErrorCode::kHasherStopped: return "HasherStopped";
    case ErrorCode::kRefreshTokenUnknown: return "RefreshTokenUnknown";
    case ErrorCode::kRefreshTokenExpired: return "RefreshTokenExpired";
    case ErrorCode::kRefreshTokenReused: return "RefreshTokenReused";
    case ErrorCode::kRefreshTokenRevoked: return "RefreshTokenRevoked";
    case ErrorCode::kTokenStoreFailure: return "TokenStoreFailure";
    case ErrorCode::kTokenStoreUnavailable: return "TokenStoreUnavailable";
    case ErrorCode::kInvalidPolicy: return "InvalidPolicy";
  }
  return "Unknown";
}

}  // namespace auth
