#include "auth/password.h"

#include <sodium.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "auth/internal/sodium_init.h"

namespace auth {
namespace {

constexpr std::string_view kInvalidCredentialsMessage =
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

Error MalformedHash(std::size_t length) {
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
