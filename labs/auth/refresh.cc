// Exercise: refresh token rotation with reuse detection.
//
// Implement InMemoryTokenStore::Rotate and RefreshTokenService::Rotate
// below; everything else in this file (token generation, hashing, issuing,
// logout) is given. The contract is in auth/include/auth/refresh.h, and
// Result and ErrorCode are in auth/include/auth/errors.h.
//
//   Check your work:  ./labkit check auth refresh
//   Get a hint:       ./labkit hint auth refresh
//
// Rules the tests enforce:
//   - Each rotation returns a new token of the same family and retires the
//     presented one.
//   - A retired token presented again is reuse: kRefreshTokenReused, and
//     the whole family is revoked, its newest token included, which then
//     fails with kRefreshTokenRevoked.
//   - Reuse is reuse even after the retired token has expired.
//   - A token expires token_ttl after it was issued, and never later than
//     its family's end (family_lifetime after the login).
//   - A token never issued is kRefreshTokenUnknown.
//   - Two threads rotating the same token at once: exactly one succeeds.

#include "auth/refresh.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "auth/internal/sodium_init.h"

namespace auth {
namespace {

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

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// CheckTokenShape rejects what can never be a token before it is hashed.
// The message names the length only: a token is a secret.
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

Error InvalidOptions(std::string message) {
  return MakeError(ErrorCode::kInvalidOptions, std::move(message));
}

}  // namespace

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

// InMemoryTokenStore

Status InMemoryTokenStore::CreateFamily(const TokenFamily& family,
                                        std::string_view token_hash,
                                        Nanos token_expires_at) {
  std::lock_guard<std::mutex> lock(mu_);
  if (families_.count(family.id) != 0 ||
      tokens_.count(std::string(token_hash)) != 0) {
    return MakeError(ErrorCode::kTokenStoreFailure,
                     "token family " + family.id +
                         " or its first token hash is already stored");
  }
  families_.emplace(family.id, family);
  tokens_.emplace(std::string(token_hash),
                  TokenRecord{family.id, token_expires_at, false});
  return {};
}

// TODO: Under mu_, find the token by old_hash and its family (either
// missing: RotateStatus::kUnknown). Then decide, most serious first:
//   - the family is revoked: kRevoked;
//   - the token was already rotated: revoke the family, kReused;
//   - now is at or past the token's or the family's expiry: kExpired.
// Otherwise mark the token rotated and store new_hash in the same family,
// expiring at now + token_ttl or the family's end, whichever is first.
// Return the family (its state after the call) with every status but
// kUnknown.
Result<RotateResult> InMemoryTokenStore::Rotate(
    [[maybe_unused]] std::string_view old_hash,
    [[maybe_unused]] std::string_view new_hash, [[maybe_unused]] Nanos now,
    [[maybe_unused]] Nanos token_ttl) {
  throw std::logic_error(
      "not implemented yet: InMemoryTokenStore::Rotate "
      "(see labs/auth/hints/refresh.md)");
}

Result<std::optional<TokenFamily>> InMemoryTokenStore::FindFamily(
    std::string_view token_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto token = tokens_.find(std::string(token_hash));
  if (token == tokens_.end()) return std::optional<TokenFamily>();
  auto family = families_.find(token->second.family_id);
  if (family == families_.end()) return std::optional<TokenFamily>();
  return std::optional<TokenFamily>(family->second);
}

Result<bool> InMemoryTokenStore::RevokeFamily(std::string_view family_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto family = families_.find(std::string(family_id));
  if (family == families_.end()) return false;
  family->second.revoked = true;
  return true;
}

Result<std::size_t> InMemoryTokenStore::PurgeExpired(Nanos now) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::size_t purged =
      std::erase_if(tokens_, [now](const auto& entry) {
        return entry.second.expires_at <= now;
      }) +
      std::erase_if(families_, [now](const auto& entry) {
        return entry.second.expires_at <= now;
      });
  return purged;
}

std::size_t InMemoryTokenStore::token_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_.size();
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

// TODO: Check the token's shape (CheckTokenShape), make the next token
// with NewToken(), and ask the store to rotate: it takes hashes
// (HashRefreshToken), never tokens, and the time from clock_. Turn each
// RotateStatus into the IssuedRefreshToken or its kRefreshToken* error, and
// log a reuse with spdlog::warn, naming the family id, never a token.
Result<IssuedRefreshToken> RefreshTokenService::Rotate(
    [[maybe_unused]] std::string_view token) {
  throw std::logic_error(
      "not implemented yet: RefreshTokenService::Rotate "
      "(see labs/auth/hints/refresh.md)");
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
