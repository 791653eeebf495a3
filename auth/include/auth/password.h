// Password hashing: argon2id through libsodium, off the request threads.
//
// A stored password hash is libsodium's PHC string, for example
//   $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
// It carries its own salt and parameters, so a hash made under an older
// policy still verifies after the policy changes, and Verify reports it as
// needing a rehash.
//
// The parameters can be raised but never set below the OWASP Password
// Storage Cheat Sheet's minimum for argon2id: 19 MiB of memory, 2 iterations,
// parallelism 1. libsodium always uses parallelism 1 (p=1), so it is not a
// parameter here.
//
// Hashing at 19 MiB takes tens of milliseconds of CPU and the whole 19 MiB of
// memory per hash. A server never hashes on its request threads: it submits
// the work to a PasswordHasher, whose fixed pool of worker threads and
// bounded queue cap both the CPU and the memory spent on passwords
// (peak memory = threads x memory_kib).
//
// Logins go through PasswordHasher::Login, which makes an unknown user and a
// wrong password indistinguishable. Both return kInvalidCredentials with the
// same message, and both run one full argon2id verification. For an unknown
// user it runs against a dummy hash made at construction with the same
// parameters.
//
// Example:
//   auto hasher = auth::PasswordHasher::Create({.threads = 2});
//   std::future<auth::Result<auth::LoginOutcome>> login =
//       hasher.value()->Login(user ? std::optional(user->hash) : std::nullopt,
//                             std::move(password));
//   auth::Result<auth::LoginOutcome> outcome = login.get();
//   if (outcome.ok() && outcome.value().new_hash) store(*outcome.value().new_hash);
//
// Thread-safety: the free functions are safe from any thread; every method of
// PasswordHasher is safe from any thread.
//
// This header is deliberately light (standard library and auth/errors.h):
// it never includes libsodium.
#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/errors.h"

namespace auth {

// Argon2Params are the cost parameters of argon2id.
struct Argon2Params {
  // memory_kib is the memory one hash fills, in KiB (the PHC string's m=).
  std::uint32_t memory_kib = 19 * 1024;
  // iterations is the number of passes over that memory (the PHC string's t=).
  std::uint32_t iterations = 2;

  friend bool operator==(const Argon2Params&, const Argon2Params&) = default;
};

// kOwaspMinimumParams is the lowest cost accepted: 19 MiB, 2 iterations.
inline constexpr Argon2Params kOwaspMinimumParams{19 * 1024, 2};

// kMaxPasswordBytes is the longest password accepted, in bytes. argon2id
// prehashes the password once, so the cap bounds copying and memory, not
// the hashing time.
inline constexpr std::size_t kMaxPasswordBytes = 4096;

// kMaxArgon2MemoryKib is the largest memory_kib accepted: 4 GiB per hash.
inline constexpr std::uint32_t kMaxArgon2MemoryKib = 4u * 1024 * 1024;

// ValidateArgon2Params returns kInvalidPasswordParameters, naming the value,
// when `params` are below kOwaspMinimumParams or memory_kib is above
// kMaxArgon2MemoryKib.
Status ValidateArgon2Params(const Argon2Params& params);

// HashPassword returns a new PHC string for `password` with a fresh random
// salt. It blocks for the whole hash, so call it from a worker thread
// (PasswordHasher does). Errors: kInvalidPasswordParameters,
// kPasswordTooLong, kCryptoFailure (libsodium could not allocate the memory).
Result<std::string> HashPassword(std::string_view password,
                                 const Argon2Params& params);

// PasswordCheck is the outcome of a successful verification.
struct PasswordCheck {
  // needs_rehash is true when the stored hash was not made with exactly the
  // current parameters (weaker ones, an older policy) or is not argon2id
  // (argon2i, which libsodium also verifies). The caller should store a new
  // hash now, while it has the plaintext.
  bool needs_rehash = false;
};

// VerifyPassword checks `password` against `stored_hash` in constant time
// with respect to the password. Errors: kInvalidCredentials (wrong password),
// kMalformedPasswordHash (not a PHC string that libsodium can verify),
// kPasswordTooLong.
Result<PasswordCheck> VerifyPassword(std::string_view password,
                                     std::string_view stored_hash,
                                     const Argon2Params& current);

// LoginOutcome is the outcome of a successful login.
struct LoginOutcome {
  // new_hash is set when the stored hash needed a rehash: a new PHC string at
  // the current parameters, which the caller stores in place of the old one.
  std::optional<std::string> new_hash;
};

struct PasswordHasherOptions {
  // threads is the number of worker threads. REQUIRES: 1 to 64.
  std::size_t threads = 2;
  // queue_capacity is the number of requests that may wait for a worker;
  // a request beyond it fails at once with kHasherOverloaded.
  // REQUIRES: >= 1.
  std::size_t queue_capacity = 64;
  // params are the parameters of every new hash. REQUIRES: valid, see
  // ValidateArgon2Params.
  Argon2Params params;
};

// PasswordHasher runs argon2id on a fixed pool of worker threads.
//
// Every method returns at once with a future. A request that cannot be
// queued gets a future that is already ready with kHasherOverloaded (queue
// full) or kHasherStopped (the hasher is shutting down). Plaintext copies
// are wiped from memory once a worker is done with them.
//
// The destructor stops taking requests, finishes every queued one, and joins
// the workers.
class PasswordHasher {
 public:
  // Create validates `options`, makes the dummy hash that Login verifies
  // against for unknown users (one hash, so it blocks that long), and starts
  // the workers. Errors, naming the value: kInvalidOptions (threads,
  // queue_capacity), kInvalidPasswordParameters.
  static Result<std::unique_ptr<PasswordHasher>> Create(
      PasswordHasherOptions options);

  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // Hash queues HashPassword(password, params).
  std::future<Result<std::string>> Hash(std::string password);

  // Verify queues VerifyPassword(password, stored_hash, params).
  std::future<Result<PasswordCheck>> Verify(std::string password,
                                            std::string stored_hash);

  // Login queues one login. `stored_hash` is the user's hash, or nullopt for
  // an unknown user. An unknown user and a wrong password both fail with
  // kInvalidCredentials and the same message, after the same work. On
  // success, a hash that needs a rehash is rehashed in the same job
  // (LoginOutcome::new_hash). A malformed stored hash fails with
  // kMalformedPasswordHash, which is a server fault, not a client one.
  // NOTE: a stored hash with weaker parameters verifies faster than the
  // dummy hash, so until its owner's next login upgrades it, that user's
  // logins are distinguishable from an unknown user's by timing.
  std::future<Result<LoginOutcome>> Login(std::optional<std::string> stored_hash,
                                          std::string password);

  // params returns the parameters of every new hash.
  const Argon2Params& params() const;

 private:
  struct Pool;
  explicit PasswordHasher(std::unique_ptr<Pool> pool);

  std::unique_ptr<Pool> pool_;
};

}  // namespace auth
