// Refresh tokens: opaque, rotated on every use, with reuse detection.
//
// A refresh token is 32 random bytes from libsodium, base64url-encoded
// without padding (43 characters). The server stores only its SHA-256 hash,
// so a leaked store does not leak usable tokens.
//
// Every login starts a token family. Each refresh (Rotate) returns a new
// token of the same family and invalidates the presented one. A token that
// is presented again after it was rotated was copied by someone: the
// legitimate client and an attacker now hold the same family, and the
// server cannot tell which one is which. So the whole family is revoked,
// including its newest token, and the request fails with invalid_grant
// (RFC 9700 section 4.14, "Refresh Token Protection").
//
// Lifetimes: a token expires token_ttl after it was issued, and never later
// than the family's absolute lifetime, counted from the login.
//
// Every failure of Rotate is one of the kRefreshToken* codes, which an OAuth
// token endpoint returns as HTTP 400 with error "invalid_grant" (RFC 6749
// section 5.2); OAuthErrorCode maps them. kTokenStoreFailure is a server
// fault (HTTP 500).
//
// Example:
//   auth::InMemoryTokenStore store;
//   auto tokens = auth::RefreshTokenService::Create(store, clock, {});
//   auth::Result<auth::IssuedRefreshToken> first = tokens.value().Issue("u42");
//   auth::Result<auth::IssuedRefreshToken> next =
//       tokens.value().Rotate(first.value().token);
//
// Thread-safety: InMemoryTokenStore and RefreshTokenService are safe to use
// from any number of threads. Two concurrent rotations of one token are
// decided by the store, atomically: exactly one rotates, the other is reuse.
//
// This header is deliberately light (standard library, auth/errors.h and
// labkit/clock.h): it never includes libsodium.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/errors.h"
#include "labkit/clock.h"

namespace auth {

using labkit::Nanos;

inline constexpr Nanos kNanosPerDay = 86'400LL * 1'000'000'000LL;

// kRefreshTokenChars is the length of every refresh token: 32 bytes in
// unpadded base64url.
inline constexpr std::size_t kRefreshTokenChars = 43;

// OAuthErrorCode returns the OAuth 2.0 "error" value for `code`:
// "invalid_grant" for every kRefreshToken* code, "server_error" otherwise.
std::string_view OAuthErrorCode(ErrorCode code);

// TokenFamily is one login's chain of refresh tokens.
struct TokenFamily {
  std::string id;       // 32 hex characters, random; safe to log
  std::string subject;  // the user the family was issued to
  Nanos expires_at = 0;  // the absolute end of the family, on the clock
  bool revoked = false;
};

// RotateStatus is what the store found when asked to rotate a token.
enum class RotateStatus {
  kRotated,  // the token was active: it is now rotated, the new one stored
  kUnknown,  // no token has that hash (never issued, or purged)
  kExpired,  // the token or its family is past its expiry
  kReused,   // the token was already rotated: the family is now revoked
  kRevoked,  // the family was revoked earlier (reuse or logout)
};

// RotateResult is the outcome of TokenStore::Rotate.
struct RotateResult {
  RotateStatus status = RotateStatus::kUnknown;
  // family is set for every status but kUnknown: the state after the call.
  std::optional<TokenFamily> family;
  // new_expires_at is the new token's expiry when status is kRotated.
  Nanos new_expires_at = 0;
};

// TokenStore keeps token hashes and families. Token hashes are 64-character
// lowercase hex SHA-256 digests, never tokens.
//
// Every method is one atomic step, so an implementation on a shared store
// maps each to one transaction or script (for Redis, Rotate is one Lua
// script over the token's and the family's keys). Implementations must be
// safe from any thread.
//
// Two implementations: InMemoryTokenStore below, and RedisTokenStore
// (auth/redis_token_store.h) for several service instances. A shared store
// needs the service to run on a wall clock (Unix time) rather than a steady
// clock, because its records outlive this process and are shared between
// servers.
class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // CreateFamily stores `family` and its first token, active until
  // `token_expires_at`. Errors: kTokenStoreFailure (for example, the family
  // id or token hash already exists).
  virtual Status CreateFamily(const TokenFamily& family,
                              std::string_view token_hash,
                              Nanos token_expires_at) = 0;

  // Rotate decides the token with hash `old_hash` at `now`. It checks, in
  // this order: unknown, family revoked, already rotated (kReused, which
  // revokes the family), token or family expired. Otherwise it marks the
  // token rotated and stores `new_hash` in the same family. The new token
  // expires at now + token_ttl or at the family's end, whichever is first.
  virtual Result<RotateResult> Rotate(std::string_view old_hash,
                                      std::string_view new_hash, Nanos now,
                                      Nanos token_ttl) = 0;

  // FindFamily returns the family of the token with hash `token_hash`, or
  // nullopt when no such token is stored.
  virtual Result<std::optional<TokenFamily>> FindFamily(
      std::string_view token_hash) = 0;

  // RevokeFamily marks the family revoked, so none of its tokens rotates
  // again. Returns false when no such family is stored.
  virtual Result<bool> RevokeFamily(std::string_view family_id) = 0;

  // PurgeExpired deletes tokens and families whose expiry is <= now and
  // returns how many records it deleted. A purged token is then unknown,
  // which still fails with invalid_grant.
  virtual Result<std::size_t> PurgeExpired(Nanos now) = 0;
};

// InMemoryTokenStore is a TokenStore in this process's memory, behind one
// mutex. Its records are lost when the process exits. It deletes nothing
// by itself: call PurgeExpired periodically to bound its memory.
class InMemoryTokenStore final : public TokenStore {
 public:
  Status CreateFamily(const TokenFamily& family, std::string_view token_hash,
                      Nanos token_expires_at) override;
  Result<RotateResult> Rotate(std::string_view old_hash,
                              std::string_view new_hash, Nanos now,
                              Nanos token_ttl) override;
  Result<std::optional<TokenFamily>> FindFamily(
      std::string_view token_hash) override;
  Result<bool> RevokeFamily(std::string_view family_id) override;
  Result<std::size_t> PurgeExpired(Nanos now) override;

  // token_count returns the number of token records stored.
  std::size_t token_count() const;

 private:
  struct TokenRecord {
    std::string family_id;
    Nanos expires_at = 0;
    bool rotated = false;
  };

  mutable std::mutex mu_;
  std::unordered_map<std::string, TokenRecord> tokens_;   // guarded by mu_
  std::unordered_map<std::string, TokenFamily> families_;  // guarded by mu_
};

struct RefreshTokenOptions {
  // token_ttl is how long one refresh token stays valid after it is
  // issued, in nanoseconds. REQUIRES: > 0 and <= family_lifetime.
  Nanos token_ttl = 14 * kNanosPerDay;
  // family_lifetime is how long a login's family lasts in total, however
  // often it is rotated, in nanoseconds. REQUIRES: > 0.
  Nanos family_lifetime = 90 * kNanosPerDay;
};

// IssuedRefreshToken is a token to hand to the client.
struct IssuedRefreshToken {
  std::string token;  // the secret: send it to the client, never log it
  std::string family_id;
  std::string subject;
  Nanos expires_at = 0;
};

// RefreshTokenService issues, rotates and revokes refresh tokens over a
// TokenStore, with times from `clock`. It logs reuse detection and
// revocations by family id, never a token.
class RefreshTokenService {
 public:
  // Create checks `options` (kInvalidOptions, naming the value). The store
  // and the clock must outlive the service.
  static Result<RefreshTokenService> Create(TokenStore& store,
                                            const labkit::Clock& clock,
                                            RefreshTokenOptions options);

  // Issue starts a new family for `subject` (at a login) and returns its
  // first token. Errors: kInvalidOptions for an empty subject,
  // kTokenStoreFailure.
  Result<IssuedRefreshToken> Issue(std::string_view subject);

  // Rotate exchanges `token` for a new token of the same family. Errors:
  // kRefreshTokenUnknown (malformed or never issued), kRefreshTokenExpired,
  // kRefreshTokenReused (the family is now revoked, its newest token too),
  // kRefreshTokenRevoked, kTokenStoreFailure.
  Result<IssuedRefreshToken> Rotate(std::string_view token);

  // Logout revokes the family of `token`, active or already rotated.
  // Errors: kRefreshTokenUnknown, kTokenStoreFailure.
  Status Logout(std::string_view token);

  // RevokeFamily revokes a family by id (an administrator ending a
  // session). Errors: kRefreshTokenUnknown, kTokenStoreFailure.
  Status RevokeFamily(std::string_view family_id);

 private:
  RefreshTokenService(TokenStore& store, const labkit::Clock& clock,
                      RefreshTokenOptions options);

  TokenStore* store_;
  const labkit::Clock* clock_;
  RefreshTokenOptions options_;
};

// HashRefreshToken returns the 64-character lowercase hex SHA-256 of
// `token`: the key a TokenStore stores it under.
std::string HashRefreshToken(std::string_view token);

}  // namespace auth
