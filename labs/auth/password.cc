// Exercise: password verification with rehash on login.
//
// Implement VerifyPassword and PasswordHasher::Login below; everything else
// in this file (hashing, the worker pool) is given. The contract is in
// auth/include/auth/password.h, and Result and ErrorCode are in
// auth/include/auth/errors.h.
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

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "auth/internal/sodium_init.h"

namespace auth {
namespace {

// kInvalidCredentialsMessage is the one message of a failed login, whether
// the user exists or not.
[[maybe_unused]] constexpr std::string_view kInvalidCredentialsMessage =
    "invalid username or password";

Error InvalidParameters(std::string message) {
  return MakeError(ErrorCode::kInvalidPasswordParameters, std::move(message));
}

Status CheckPasswordLength(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return MakeError(ErrorCode::kPasswordTooLong,
                     "password is " + std::to_string(password.size()) +
                         " bytes; the maximum is " +
                         std::to_string(kMaxPasswordBytes));
  }
  return {};
}

// Wipe overwrites a plaintext that is no longer needed. Copies made before
// it reached here (a moved-from short string's buffer, say) are not wiped,
// so this is best effort.
void Wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

[[maybe_unused]] Error MalformedHash(std::size_t length) {
  return MakeError(ErrorCode::kMalformedPasswordHash,
                   "stored password hash is malformed: not an argon2id or "
                   "argon2i PHC string of libsodium (length " +
                       std::to_string(length) + ")");
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

// TODO: Reject a password over kMaxPasswordBytes, call
// internal::InitSodium(), and reject a stored hash that libsodium cannot
// read as a C string (MalformedHash). Classify the hash with
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

// Pool is the worker threads and their bounded queue of jobs.
struct PasswordHasher::Pool {
  PasswordHasherOptions options;
  // dummy_hash is what Login verifies against for an unknown user.
  std::string dummy_hash;

  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::packaged_task<void()>> queue;  // guarded by mu
  bool stopping = false;                         // guarded by mu
  std::vector<std::thread> workers;

  // Submit queues `job` and returns the future of its result, or a ready
  // future with an error when the queue is full or the pool is stopping.
  template <typename T, typename Job>
  std::future<Result<T>> Submit(Job job) {
    std::packaged_task<Result<T>()> task(std::move(job));
    std::future<Result<T>> future = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) return Ready<T>(Stopped());
      if (queue.size() >= options.queue_capacity) return Ready<T>(Overloaded());
      queue.emplace_back(
          [task = std::move(task)]() mutable { task(); });
    }
    wake.notify_one();
    return future;
  }

  template <typename T>
  static std::future<Result<T>> Ready(Error error) {
    std::promise<Result<T>> promise;
    promise.set_value(std::move(error));
    return promise.get_future();
  }

  Error Overloaded() const {
    return MakeError(ErrorCode::kHasherOverloaded,
                     "password hasher queue is full (" +
                         std::to_string(options.queue_capacity) +
                         " requests waiting); retry later");
  }

  static Error Stopped() {
    return MakeError(ErrorCode::kHasherStopped,
                     "password hasher is shutting down");
  }

  // RunWorker takes jobs until the pool stops and the queue is empty.
  void RunWorker() {
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
};

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

// TODO: Submit one job to the pool, as Verify above does, that
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
