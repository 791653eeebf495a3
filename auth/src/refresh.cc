// Refresh token rotation with reuse detection: the store's atomic
// decision and the service's Rotate, the part of refresh tokens that an
// exercise of the auth lab replaces. The rest is in refresh_store.cc and
// refresh_service.cc.
#include "auth/refresh.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>

#include "auth/internal/refresh_token.h"

namespace auth {
namespace {

using internal::CheckTokenShape;
using internal::NewToken;

}  // namespace

Result<RotateResult> InMemoryTokenStore::Rotate(std::string_view old_hash,
                                                std::string_view new_hash,
                                                Nanos now, Nanos token_ttl) {
  std::lock_guard<std::mutex> lock(mu_);

  // Find the token and its family; a token whose family was purged is as
  // unknown as one never issued.
  auto token = tokens_.find(std::string(old_hash));
  if (token == tokens_.end()) return RotateResult{};
  auto family = families_.find(token->second.family_id);
  if (family == families_.end()) return RotateResult{};
  TokenFamily& fam = family->second;

  // Decide, most serious first: a revoked family stays revoked, and a
  // rotated token is reuse even when it has expired since.
  if (fam.revoked) return RotateResult{RotateStatus::kRevoked, fam, 0};
  if (token->second.rotated) {
    fam.revoked = true;
    return RotateResult{RotateStatus::kReused, fam, 0};
  }
  if (now >= token->second.expires_at || now >= fam.expires_at) {
    return RotateResult{RotateStatus::kExpired, fam, 0};
  }

  // Rotate: the old token is kept, marked, so that its reuse is caught.
  const std::string new_key(new_hash);
  if (tokens_.count(new_key) != 0) {
    return MakeError(ErrorCode::kTokenStoreFailure,
                     "new refresh token hash is already stored");
  }
  token->second.rotated = true;
  const Nanos new_expires_at = std::min(now + token_ttl, fam.expires_at);
  tokens_.emplace(new_key, TokenRecord{fam.id, new_expires_at, false});
  return RotateResult{RotateStatus::kRotated, fam, new_expires_at};
}

Result<IssuedRefreshToken> RefreshTokenService::Rotate(std::string_view token) {
  if (Status shape = CheckTokenShape(token); !shape.ok()) return shape.error();

  std::string next = NewToken();
  Result<RotateResult> rotated = store_->Rotate(
      HashRefreshToken(token), HashRefreshToken(next), clock_->Now(),
      options_.token_ttl);
  if (!rotated.ok()) return rotated.error();
  const RotateResult& result = rotated.value();

  switch (result.status) {
    case RotateStatus::kRotated:
      return IssuedRefreshToken{std::move(next), result.family->id,
                                result.family->subject, result.new_expires_at};
    case RotateStatus::kUnknown:
      return MakeError(ErrorCode::kRefreshTokenUnknown,
                       "refresh token is unknown: it was never issued or "
                       "has been purged; log in again");
    case RotateStatus::kExpired:
      return MakeError(ErrorCode::kRefreshTokenExpired,
                       "refresh token of family " + result.family->id +
                           " has expired; log in again");
    case RotateStatus::kReused:
      spdlog::warn(
          "refresh token reuse detected: revoked family {} of subject {}",
          result.family->id, result.family->subject);
      return MakeError(ErrorCode::kRefreshTokenReused,
                       "refresh token of family " + result.family->id +
                           " was already used, so the whole family is "
                           "revoked; log in again");
    case RotateStatus::kRevoked:
      return MakeError(ErrorCode::kRefreshTokenRevoked,
                       "refresh token family " + result.family->id +
                           " is revoked; log in again");
  }
  return MakeError(ErrorCode::kTokenStoreFailure,
                   "token store returned an invalid rotate status");
}

}  // namespace auth
