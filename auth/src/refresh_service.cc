// Refresh tokens apart from their rotation: making, hashing and checking
// tokens, and RefreshTokenService's Create, Issue, Logout and RevokeFamily.
// The two Rotate methods are in refresh.cc, and the in-memory store's
// other methods in refresh_store.cc.
#include "auth/refresh.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "auth/internal/refresh_token.h"
#include "auth/internal/sodium_init.h"

namespace auth {
namespace {

using internal::CheckTokenShape;
using internal::NewToken;

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kFamilyIdBytes = 16;

std::string RandomBytes(std::size_t n) {
  internal::InitSodium();
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

std::string ToHex(std::string_view bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(),
                 reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  hex.pop_back();  // the terminating NUL
  return hex;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

Error InvalidOptions(std::string message) {
  return MakeError(ErrorCode::kInvalidOptions, std::move(message));
}

}  // namespace

namespace internal {

std::string NewToken() {
  std::string bytes = RandomBytes(kTokenBytes);
  std::string text(sodium_base64_ENCODED_LEN(
                       kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   '\0');
  sodium_bin2base64(text.data(), text.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes.data(), bytes.size());
  text.resize(kRefreshTokenChars);  // drop the terminating NUL
  return text;
}

Status CheckTokenShape(std::string_view token) {
  if (token.size() != kRefreshTokenChars ||
      !std::all_of(token.begin(), token.end(), IsBase64UrlChar)) {
    return MakeError(ErrorCode::kRefreshTokenUnknown,
                     "refresh token is malformed: expected " +
                         std::to_string(kRefreshTokenChars) +
                         " base64url characters, got " +
                         std::to_string(token.size()) + " characters");
  }
  return {};
}

}  // namespace internal

std::string_view OAuthErrorCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRefreshTokenUnknown:
    case ErrorCode::kRefreshTokenExpired:
    case ErrorCode::kRefreshTokenReused:
    case ErrorCode::kRefreshTokenRevoked:
      return "invalid_grant";
    default:
      return "server_error";
  }
}

std::string HashRefreshToken(std::string_view token) {
  internal::InitSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest),
                                sizeof digest));
}

// RefreshTokenService

Result<RefreshTokenService> RefreshTokenService::Create(
    TokenStore& store, const labkit::Clock& clock,
    RefreshTokenOptions options) {
  if (options.token_ttl <= 0) {
    return InvalidOptions("refresh token_ttl " +
                          std::to_string(options.token_ttl) +
                          " ns is invalid: it must be positive");
  }
  if (options.family_lifetime < options.token_ttl) {
    return InvalidOptions("refresh family_lifetime " +
                          std::to_string(options.family_lifetime) +
                          " ns is shorter than token_ttl " +
                          std::to_string(options.token_ttl) + " ns");
  }
  return RefreshTokenService(store, clock, options);
}

RefreshTokenService::RefreshTokenService(TokenStore& store,
                                         const labkit::Clock& clock,
                                         RefreshTokenOptions options)
    : store_(&store), clock_(&clock), options_(options) {}

Result<IssuedRefreshToken> RefreshTokenService::Issue(
    std::string_view subject) {
  if (subject.empty()) {
    return InvalidOptions("refresh token subject is empty: pass the user id");
  }
  const Nanos now = clock_->Now();

  TokenFamily family;
  family.id = ToHex(RandomBytes(kFamilyIdBytes));
  family.subject = std::string(subject);
  family.expires_at = now + options_.family_lifetime;

  std::string token = NewToken();
  const Nanos token_expires_at = now + options_.token_ttl;
  Status stored =
      store_->CreateFamily(family, HashRefreshToken(token), token_expires_at);
  if (!stored.ok()) return stored.error();

  spdlog::debug("refresh token family {} issued to subject {}", family.id,
               family.subject);
  return IssuedRefreshToken{std::move(token), family.id, family.subject,
                            token_expires_at};
}

Status RefreshTokenService::Logout(std::string_view token) {
  if (Status shape = CheckTokenShape(token); !shape.ok()) return shape;

  Result<std::optional<TokenFamily>> family =
      store_->FindFamily(HashRefreshToken(token));
  if (!family.ok()) return family.error();
  if (!family.value().has_value()) {
    return MakeError(ErrorCode::kRefreshTokenUnknown,
                     "refresh token is unknown: it was never issued or has "
                     "been purged");
  }
  return RevokeFamily(family.value()->id);
}

Status RefreshTokenService::RevokeFamily(std::string_view family_id) {
  Result<bool> revoked = store_->RevokeFamily(family_id);
  if (!revoked.ok()) return revoked.error();
  if (!revoked.value()) {
    return MakeError(ErrorCode::kRefreshTokenUnknown,
                     "refresh token family '" + std::string(family_id) +
                         "' is not found");
  }
  spdlog::info("refresh token family {} revoked", family_id);
  return {};
}

}  // namespace auth
