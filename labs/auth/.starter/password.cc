// Exercise: password verification with rehash on login.
//
// Implement VerifyPassword and PasswordHasher::Login below. Hashing
// (HashPassword) and the worker pool are given: the pool and the helpers
// named below are in auth/include/auth/internal/password_hasher.h. The
// contract is in auth/include/auth/password.h, and Result and ErrorCode
// are in auth/include/auth/errors.h.
//
//   Check your work:  ./labkit check auth password
//   Get a hint:       ./labkit hint auth password
//
// Rules the tests enforce:
//   - A right password verifies and a wrong one is kInvalidCredentials.
//     A stored hash that libsodium cannot read is kMalformedPasswordHash.
//   - needs_rehash is true exactly when the stored hash was not made with
//     the current parameters: weaker ones, stronger ones, or argon2i.
//   - Login with a right password and an outdated hash returns a new hash
//     at the current parameters; with a current hash it returns none.
//   - Login for an unknown user fails exactly like a wrong password (same
//     code, same message) after the same work: one full verification.
//   - Each hash at 19 MiB takes tens of milliseconds, so Login runs on the
//     hasher's worker threads, never on the caller's.

#include "auth/password.h"

#include <sodium.h>

#include <stdexcept>

#include "auth/internal/password_hasher.h"
#include "auth/internal/sodium_init.h"

namespace auth {
namespace {

using internal::CheckPasswordLength;
using internal::kInvalidCredentialsMessage;
using internal::MalformedHash;
using internal::Wipe;

}  // namespace

// TODO: Reject a password over kMaxPasswordBytes (CheckPasswordLength),
// call internal::InitSodium(), and reject a stored hash that libsodium
// cannot read as a C string (MalformedHash). Classify the hash with
// crypto_pwhash_argon2id_str_needs_rehash (and the argon2i variant), then
// verify with crypto_pwhash_str_verify. Set needs_rehash when the hash was
// not made with exactly `current`.
Result<PasswordCheck> VerifyPassword(
    [[maybe_unused]] std::string_view password,
    [[maybe_unused]] std::string_view stored_hash,
    [[maybe_unused]] const Argon2Params& current) {
  throw std::logic_error(
      "not implemented yet: VerifyPassword "
      "(see labs/auth/hints/password.md)");
}

// TODO: Submit one job to the pool (pool_->Submit<LoginOutcome>), as
// PasswordHasher::Verify in password_hasher.cc does, that
//   - for an unknown user (no stored_hash), verifies the password against
//     pool->dummy_hash anyway and fails with kInvalidCredentials and
//     kInvalidCredentialsMessage, exactly like a wrong password;
//   - otherwise verifies against the stored hash, and when the password is
//     right but the hash needs a rehash, hashes the password again at the
//     current parameters and returns it in LoginOutcome::new_hash.
// Wipe the password copy when the job is done with it.
std::future<Result<LoginOutcome>> PasswordHasher::Login(
    [[maybe_unused]] std::optional<std::string> stored_hash,
    [[maybe_unused]] std::string password) {
  throw std::logic_error(
      "not implemented yet: PasswordHasher::Login "
      "(see labs/auth/hints/password.md)");
}

}  // namespace auth
