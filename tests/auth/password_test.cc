// Tests of argon2id password hashing, the PasswordHasher pool and logins.
//
// Each argon2id hash at 19 MiB costs tens of milliseconds (more under
// sanitizers), so the tests make as few as they can.
#include "auth/password.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace auth {
namespace {

constexpr const char* kPassword = "correct horse battery staple";

// HashWith makes a PHC string directly through libsodium, with parameters
// that HashPassword rejects: the way an older policy's hashes were made.
std::string HashWith(const char* password, unsigned long long iterations,
                     std::size_t memory_bytes, bool argon2i = false) {
  EXPECT_GE(sodium_init(), 0);
  char out[crypto_pwhash_STRBYTES];
  const int rc =
      argon2i ? crypto_pwhash_argon2i_str(out, password, strlen(password),
                                          iterations, memory_bytes)
              : crypto_pwhash_argon2id_str(out, password, strlen(password),
                                           iterations, memory_bytes);
  EXPECT_EQ(rc, 0) << "libsodium could not make the test's hash";
  return out;
}

std::unique_ptr<PasswordHasher> MakeHasher(PasswordHasherOptions options = {}) {
  Result<std::unique_ptr<PasswordHasher>> hasher =
      PasswordHasher::Create(options);
  EXPECT_TRUE(hasher.ok()) << hasher.error().message;
  return std::move(hasher).value();
}

TEST(PasswordHash, VerifiesAtOwaspMinimum) {
  Result<std::string> hash = HashPassword(kPassword, kOwaspMinimumParams);
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_EQ(hash.value().rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u)
      << "the PHC string must name argon2id with 19 MiB and 2 passes, got "
      << hash.value();

  Result<PasswordCheck> right =
      VerifyPassword(kPassword, hash.value(), kOwaspMinimumParams);
  ASSERT_TRUE(right.ok()) << right.error().message;
  EXPECT_FALSE(right.value().needs_rehash)
      << "a hash at the current parameters needs no rehash";

  Result<PasswordCheck> wrong =
      VerifyPassword("correct horse battery stapler", hash.value(),
                     kOwaspMinimumParams);
  ASSERT_FALSE(wrong.ok()) << "a wrong password must not verify";
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidCredentials);
}

TEST(PasswordHash, SaltsEachHash) {
  Result<std::string> first = HashPassword(kPassword, kOwaspMinimumParams);
  Result<std::string> second = HashPassword(kPassword, kOwaspMinimumParams);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(first.value(), second.value())
      << "two hashes of one password must differ by their random salt";
}

TEST(PasswordParams, RejectsBelowOwaspMinimum) {
  Status memory = ValidateArgon2Params({19 * 1024 - 1, 2});
  ASSERT_FALSE(memory.ok()) << "19455 KiB is below 19 MiB";
  EXPECT_EQ(memory.error().code, ErrorCode::kInvalidPasswordParameters);
  EXPECT_NE(memory.error().message.find("19455"), std::string::npos)
      << memory.error().message;

  Status iterations = ValidateArgon2Params({19 * 1024, 1});
  ASSERT_FALSE(iterations.ok()) << "1 iteration is below the minimum of 2";
  EXPECT_NE(iterations.error().message.find("iterations 1"), std::string::npos)
      << iterations.error().message;

  Status huge = ValidateArgon2Params({kMaxArgon2MemoryKib + 1, 2});
  EXPECT_FALSE(huge.ok()) << "more than 4 GiB per hash is rejected";

  EXPECT_TRUE(ValidateArgon2Params(kOwaspMinimumParams).ok());
  EXPECT_TRUE(ValidateArgon2Params({64 * 1024, 3}).ok())
      << "stronger parameters than the minimum are accepted";
}

TEST(PasswordHash, RejectsWeakParametersWithoutHashing) {
  Result<std::string> hash = HashPassword(kPassword, {8 * 1024, 2});
  ASSERT_FALSE(hash.ok()) << "HashPassword must refuse 8 MiB";
  EXPECT_EQ(hash.error().code, ErrorCode::kInvalidPasswordParameters);
}

TEST(PasswordHash, RejectsTooLongPassword) {
  const std::string too_long(kMaxPasswordBytes + 1, 'a');
  Result<std::string> hash = HashPassword(too_long, kOwaspMinimumParams);
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.error().code, ErrorCode::kPasswordTooLong);
  EXPECT_NE(hash.error().message.find(std::to_string(too_long.size())),
            std::string::npos)
      << hash.error().message;
}

TEST(PasswordVerify, WeakerHashNeedsRehash) {
  // One pass over 8 MiB: what a laxer policy stored.
  const std::string weak = HashWith(kPassword, 1, 8 * 1024 * 1024);
  Result<PasswordCheck> check =
      VerifyPassword(kPassword, weak, kOwaspMinimumParams);
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_TRUE(check.value().needs_rehash)
      << "a hash with t=1, m=8 MiB is below the policy and needs a rehash";

  Result<PasswordCheck> wrong =
      VerifyPassword("not it", weak, kOwaspMinimumParams);
  ASSERT_FALSE(wrong.ok()) << "a weak hash still rejects a wrong password";
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidCredentials);
}

TEST(PasswordVerify, Argon2iHashNeedsRehash) {
  const std::string argon2i = HashWith(kPassword, 3, 8 * 1024 * 1024, true);
  Result<PasswordCheck> check =
      VerifyPassword(kPassword, argon2i, kOwaspMinimumParams);
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_TRUE(check.value().needs_rehash)
      << "an argon2i hash verifies but is upgraded to argon2id";
}

TEST(PasswordVerify, RejectsMalformedHashes) {
  const std::vector<std::string> malformed = {
      "",
      "plaintext",
      "$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
      "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
      std::string(200, '$'),
      std::string("$argon2id$\0", 11),
  };
  for (const std::string& hash : malformed) {
    Result<PasswordCheck> check =
        VerifyPassword(kPassword, hash, kOwaspMinimumParams);
    ASSERT_FALSE(check.ok()) << "hash '" << hash << "' must be rejected";
    EXPECT_EQ(check.error().code, ErrorCode::kMalformedPasswordHash)
        << "hash '" << hash << "': " << check.error().message;
  }
}

TEST(PasswordHasher, RejectsInvalidOptions) {
  PasswordHasherOptions no_threads;
  no_threads.threads = 0;
  Result<std::unique_ptr<PasswordHasher>> a = PasswordHasher::Create(no_threads);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(a.error().message.find("threads 0"), std::string::npos)
      << a.error().message;

  PasswordHasherOptions no_queue;
  no_queue.queue_capacity = 0;
  Result<std::unique_ptr<PasswordHasher>> b = PasswordHasher::Create(no_queue);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidOptions);

  PasswordHasherOptions weak;
  weak.params.iterations = 1;
  Result<std::unique_ptr<PasswordHasher>> c = PasswordHasher::Create(weak);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidPasswordParameters);
}

TEST(PasswordHasher, HashesAndVerifiesOnWorkers) {
  std::unique_ptr<PasswordHasher> hasher = MakeHasher();
  Result<std::string> hash = hasher->Hash(kPassword).get();
  ASSERT_TRUE(hash.ok()) << hash.error().message;

  Result<PasswordCheck> check = hasher->Verify(kPassword, hash.value()).get();
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_FALSE(check.value().needs_rehash);
}

TEST(PasswordHasher, UnknownUserFailsLikeWrongPassword) {
  std::unique_ptr<PasswordHasher> hasher = MakeHasher();
  const std::string stored = HashWith(kPassword, 2, 19 * 1024 * 1024);

  Result<LoginOutcome> unknown = hasher->Login(std::nullopt, kPassword).get();
  Result<LoginOutcome> wrong = hasher->Login(stored, "wrong password").get();

  ASSERT_FALSE(unknown.ok()) << "an unknown user must not log in";
  ASSERT_FALSE(wrong.ok()) << "a wrong password must not log in";
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidCredentials);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidCredentials);
  EXPECT_EQ(unknown.error().message, wrong.error().message)
      << "the two failures must be indistinguishable to the client";
}

TEST(PasswordHasher, LoginKeepsCurrentHash) {
  std::unique_ptr<PasswordHasher> hasher = MakeHasher();
  const std::string stored = HashWith(kPassword, 2, 19 * 1024 * 1024);

  Result<LoginOutcome> login = hasher->Login(stored, kPassword).get();
  ASSERT_TRUE(login.ok()) << login.error().message;
  EXPECT_FALSE(login.value().new_hash.has_value())
      << "a hash at the current parameters is not replaced";
}

TEST(PasswordHasher, LoginUpgradesWeakHash) {
  std::unique_ptr<PasswordHasher> hasher = MakeHasher();
  const std::string weak = HashWith(kPassword, 1, 8 * 1024 * 1024);

  Result<LoginOutcome> login = hasher->Login(weak, kPassword).get();
  ASSERT_TRUE(login.ok()) << login.error().message;
  ASSERT_TRUE(login.value().new_hash.has_value())
      << "a successful login with a weak hash must return an upgraded hash";
  const std::string& upgraded = *login.value().new_hash;
  EXPECT_EQ(upgraded.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u)
      << "the new hash must use the current parameters, got " << upgraded;

  Result<PasswordCheck> check =
      VerifyPassword(kPassword, upgraded, hasher->params());
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_FALSE(check.value().needs_rehash);
}

TEST(PasswordHasher, LoginWithWrongPasswordDoesNotUpgrade) {
  std::unique_ptr<PasswordHasher> hasher = MakeHasher();
  const std::string weak = HashWith(kPassword, 1, 8 * 1024 * 1024);

  Result<LoginOutcome> login = hasher->Login(weak, "wrong password").get();
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error().code, ErrorCode::kInvalidCredentials);
}

TEST(PasswordHasher, FullQueueFailsAtOnce) {
  PasswordHasherOptions options;
  options.threads = 1;
  options.queue_capacity = 1;
  std::unique_ptr<PasswordHasher> hasher = MakeHasher(options);

  // One worker and one queue slot: of three requests made within
  // microseconds, while a hash takes milliseconds, at most two fit.
  std::vector<std::future<Result<std::string>>> futures;
  for (int i = 0; i < 3; ++i) futures.push_back(hasher->Hash(kPassword));

  int overloaded = 0;
  int hashed = 0;
  for (auto& future : futures) {
    Result<std::string> result = future.get();
    if (result.ok()) {
      ++hashed;
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::kHasherOverloaded)
          << result.error().message;
      ++overloaded;
    }
  }
  EXPECT_GE(overloaded, 1) << "a full queue must reject, not block";
  EXPECT_GE(hashed, 1) << "the first request must be served";
}

TEST(PasswordHasher, DestructorFinishesQueuedWork) {
  std::future<Result<std::string>> first;
  std::future<Result<std::string>> second;
  {
    PasswordHasherOptions options;
    options.threads = 1;
    std::unique_ptr<PasswordHasher> hasher = MakeHasher(options);
    first = hasher->Hash(kPassword);
    second = hasher->Hash(kPassword);
  }
  EXPECT_TRUE(first.get().ok()) << "queued work must finish before shutdown";
  EXPECT_TRUE(second.get().ok()) << "queued work must finish before shutdown";
}

}  // namespace
}  // namespace auth
