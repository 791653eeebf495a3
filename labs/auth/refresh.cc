// Exercise: refresh token rotation with reuse detection.
//
// Implement InMemoryTokenStore::Rotate and RefreshTokenService::Rotate
// below. Token generation, hashing, issuing and logout are given: NewToken
// and CheckTokenShape are in auth/include/auth/internal/refresh_token.h.
// The contract is in auth/include/auth/refresh.h, and Result and ErrorCode
// are in auth/include/auth/errors.h.
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

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "auth/internal/refresh_token.h"

namespace auth {
namespace {

using internal::CheckTokenShape;
using internal::NewToken;

}  // namespace

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

}  // namespace auth
