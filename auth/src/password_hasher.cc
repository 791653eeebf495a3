// The password hasher apart from its login: argon2id hashing, parameter
// checks, and PasswordHasher's worker pool. VerifyPassword and
// PasswordHasher::Login are in password.cc.
#include "auth/password.h"

#include <sodium.h>

#include <memory>
#include <string>
#include <utility>

#include "auth/internal/password_hasher.h"
#include "auth/internal/sodium_init.h"

namespace auth {
namespace internal {

Status CheckPasswordLength(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return MakeError(ErrorCode::kPasswordTooLong,
                     "password is " + std::to_string(password.size()) +
                         " bytes; the maximum is " +
                         std::to_string(kMaxPasswordBytes));
  }
  return {};
}

void Wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

Error MalformedHash(std::size_t length) {
  return MakeError(ErrorCode::kMalformedPasswordHash,
                   "stored password hash is malformed: not an argon2id or "
                   "argon2i PHC string of libsodium (length " +
                       std::to_string(length) + ")");
}

}  // namespace internal

namespace {

using internal::CheckPasswordLength;
using internal::Wipe;

Error InvalidParameters(std::string message) {
  return MakeError(ErrorCode::kInvalidPasswordParameters, std::move(message));
}

}  // namespace

Status ValidateArgon2Params(const Argon2Params& params) {
  if (params.memory_kib < kOwaspMinimumParams.memory_kib) {
    return InvalidParameters(
        "argon2id memory_kib " + std::to_string(params.memory_kib) +
        " is below the OWASP minimum of " +
        std::to_string(kOwaspMinimumParams.memory_kib) + " KiB (19 MiB)");
  }
  if (params.memory_kib > kMaxArgon2MemoryKib) {
    return InvalidParameters("argon2id memory_kib " +
                             std::to_string(params.memory_kib) +
                             " is above the maximum of " +
                             std::to_string(kMaxArgon2MemoryKib) +
                             " KiB (4 GiB)");
  }
  if (params.iterations < kOwaspMinimumParams.iterations) {
    return InvalidParameters("argon2id iterations " +
                             std::to_string(params.iterations) +
                             " is below the OWASP minimum of " +
                             std::to_string(kOwaspMinimumParams.iterations));
  }
  return {};
}

Result<std::string> HashPassword(std::string_view password,
                                 const Argon2Params& params) {
  if (Status valid = ValidateArgon2Params(params); !valid.ok()) {
    return valid.error();
  }
  if (Status length = CheckPasswordLength(password); !length.ok()) {
    return length.error();
  }
  internal::InitSodium();

  char out[crypto_pwhash_argon2id_STRBYTES];
  const int rc = crypto_pwhash_argon2id_str(
      out, password.data(), password.size(), params.iterations,
      std::size_t{params.memory_kib} * 1024);
  if (rc != 0) {
    return MakeError(ErrorCode::kCryptoFailure,
                     "argon2id hashing failed: could not allocate " +
                         std::to_string(params.memory_kib) + " KiB");
  }
  return std::string(out);
}

Error PasswordHasher::Pool::Overloaded() const {
  return MakeError(ErrorCode::kHasherOverloaded,
                   "password hasher queue is full (" +
                       std::to_string(options.queue_capacity) +
                       " requests waiting); retry later");
}

Error PasswordHasher::Pool::Stopped() {
  return MakeError(ErrorCode::kHasherStopped,
                   "password hasher is shutting down");
}

void PasswordHasher::Pool::RunWorker() {
  for (;;) {
    std::packaged_task<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu);
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and nothing left to do
      job = std::move(queue.front());
      queue.pop_front();
    }
    job();
  }
}

Result<std::unique_ptr<PasswordHasher>> PasswordHasher::Create(
    PasswordHasherOptions options) {
  if (options.threads < 1 || options.threads > 64) {
    return MakeError(ErrorCode::kInvalidOptions, "password hasher threads " +
                             std::to_string(options.threads) +
                             " is invalid: use 1 to 64");
  }
  if (options.queue_capacity < 1) {
    return MakeError(
        ErrorCode::kInvalidOptions,
        "password hasher queue_capacity 0 is invalid: use at least 1");
  }
  if (Status valid = ValidateArgon2Params(options.params); !valid.ok()) {
    return valid.error();
  }

  // The dummy hash's password is random and thrown away, so no login can
  // ever match it.
  internal::InitSodium();
  std::string dummy_password(32, '\0');
  randombytes_buf(dummy_password.data(), dummy_password.size());
  Result<std::string> dummy = HashPassword(dummy_password, options.params);
  Wipe(dummy_password);
  if (!dummy.ok()) return dummy.error();

  auto pool = std::make_unique<Pool>();
  pool->options = options;
  pool->dummy_hash = std::move(dummy).value();
  Pool* raw = pool.get();
  for (std::size_t i = 0; i < options.threads; ++i) {
    pool->workers.emplace_back([raw] { raw->RunWorker(); });
  }
  return std::unique_ptr<PasswordHasher>(new PasswordHasher(std::move(pool)));
}

PasswordHasher::PasswordHasher(std::unique_ptr<Pool> pool)
    : pool_(std::move(pool)) {}

PasswordHasher::~PasswordHasher() {
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    pool_->stopping = true;
  }
  pool_->wake.notify_all();
  for (std::thread& worker : pool_->workers) worker.join();
}

const Argon2Params& PasswordHasher::params() const {
  return pool_->options.params;
}

std::future<Result<std::string>> PasswordHasher::Hash(std::string password) {
  const Argon2Params params = pool_->options.params;
  return pool_->Submit<std::string>(
      [password = std::move(password), params]() mutable {
        Result<std::string> hash = HashPassword(password, params);
        Wipe(password);
        return hash;
      });
}

std::future<Result<PasswordCheck>> PasswordHasher::Verify(
    std::string password, std::string stored_hash) {
  const Argon2Params params = pool_->options.params;
  return pool_->Submit<PasswordCheck>(
      [password = std::move(password), stored_hash = std::move(stored_hash),
       params]() mutable {
        Result<PasswordCheck> check =
            VerifyPassword(password, stored_hash, params);
        Wipe(password);
        return check;
      });
}

}  // namespace auth
