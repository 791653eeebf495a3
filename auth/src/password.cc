// Password verification and login, with rehash on login: the part of the
// hasher that an exercise of the auth lab replaces. Hashing and the worker
// pool are in password_hasher.cc.
#include "auth/password.h"

#include <sodium.h>

#include <optional>
#include <string>
#include <utility>

#include "auth/internal/password_hasher.h"
#include "auth/internal/sodium_init.h"

namespace auth {
namespace {

using internal::CheckPasswordLength;
using internal::kInvalidCredentialsMessage;
using internal::MalformedHash;
using internal::Wipe;

// StoredHashKind classifies a stored hash without verifying it.
enum class StoredHashKind { kCurrent, kOutdated, kMalformed };

StoredHashKind ClassifyStoredHash(const std::string& stored_hash,
                                  const Argon2Params& current) {
  const unsigned long long opslimit = current.iterations;
  const std::size_t memlimit = std::size_t{current.memory_kib} * 1024;

  // libsodium returns 1 when the parameters differ from the given ones, 0
  // when they are equal, and -1 when the string is not of that algorithm.
  const int argon2id = crypto_pwhash_argon2id_str_needs_rehash(
      stored_hash.c_str(), opslimit, memlimit);
  if (argon2id == 0) return StoredHashKind::kCurrent;
  if (argon2id == 1) return StoredHashKind::kOutdated;

  // An argon2i hash still verifies, but is always upgraded to argon2id.
  const int argon2i = crypto_pwhash_argon2i_str_needs_rehash(
      stored_hash.c_str(), opslimit, memlimit);
  return argon2i == -1 ? StoredHashKind::kMalformed : StoredHashKind::kOutdated;
}

}  // namespace

Result<PasswordCheck> VerifyPassword(std::string_view password,
                                     std::string_view stored_hash,
                                     const Argon2Params& current) {
  if (Status length = CheckPasswordLength(password); !length.ok()) {
    return length.error();
  }
  internal::InitSodium();

  // libsodium reads the hash as a NUL-terminated string of fewer than
  // crypto_pwhash_STRBYTES bytes.
  if (stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos) {
    return MalformedHash(stored_hash.size());
  }
  const std::string hash(stored_hash);
  const StoredHashKind kind = ClassifyStoredHash(hash, current);
  if (kind == StoredHashKind::kMalformed) return MalformedHash(hash.size());

  if (crypto_pwhash_str_verify(hash.c_str(), password.data(),
                               password.size()) != 0) {
    return MakeError(ErrorCode::kInvalidCredentials,
                     std::string(kInvalidCredentialsMessage));
  }
  return PasswordCheck{kind == StoredHashKind::kOutdated};
}

std::future<Result<LoginOutcome>> PasswordHasher::Login(
    std::optional<std::string> stored_hash, std::string password) {
  const Pool* pool = pool_.get();
  return pool_->Submit<LoginOutcome>(
      [pool, stored_hash = std::move(stored_hash),
       password = std::move(password)]() mutable -> Result<LoginOutcome> {
        const Argon2Params& params = pool->options.params;

        // An unknown user costs one full verification too, against the
        // dummy hash, and fails with the wrong password's exact error.
        if (!stored_hash.has_value()) {
          Result<PasswordCheck> ignored =
              VerifyPassword(password, pool->dummy_hash, params);
          (void)ignored;
          Wipe(password);
          return MakeError(ErrorCode::kInvalidCredentials,
                           std::string(kInvalidCredentialsMessage));
        }

        Result<PasswordCheck> check =
            VerifyPassword(password, *stored_hash, params);
        if (!check.ok() || !check.value().needs_rehash) {
          Wipe(password);
          if (!check.ok()) return check.error();
          return LoginOutcome{};
        }

        // The password is right and the hash is outdated: upgrade it now,
        // while the plaintext is at hand.
        Result<std::string> new_hash = HashPassword(password, params);
        Wipe(password);
        if (!new_hash.ok()) return new_hash.error();
        return LoginOutcome{std::move(new_hash).value()};
      });
}

}  // namespace auth
