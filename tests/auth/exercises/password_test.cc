// Password exercise: the specification, step by step.
//
// Hashes at the current parameters come from the hasher itself. Hashes
// "from an older policy" are made here with libsodium directly: argon2id
// at weaker or stronger parameters, and argon2i. Every hash costs tens of
// milliseconds, so each test makes only the few it needs.

#include "auth/password.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using auth::Argon2Params;
using auth::ErrorCode;
using auth::LoginOutcome;
using auth::PasswordCheck;
using auth::PasswordHasher;

constexpr const char* kPassword = "correct horse battery staple";
constexpr const char* kWrongPassword = "correct horse battery stapler";

// The current policy: the OWASP minimum, 19 MiB and 2 iterations.
constexpr Argon2Params kCurrent = auth::kOwaspMinimumParams;

std::string Describe(const auth::Error& error) {
  return std::string(auth::ErrorCodeName(error.code)) + " (" + error.message +
         ")";
}

// SodiumHash returns an argon2id (or argon2i) PHC string made directly with
// libsodium, as an earlier policy would have stored it.
std::string SodiumHash(const std::string& password, bool argon2i,
                       unsigned long long iterations, std::size_t memory_kib) {
  EXPECT_GE(sodium_init(), 0) << "libsodium failed to initialize";
  char out[crypto_pwhash_STRBYTES];
  const int rc =
      argon2i ? crypto_pwhash_argon2i_str(out, password.data(),
                                          password.size(), iterations,
                                          memory_kib * 1024)
              : crypto_pwhash_argon2id_str(out, password.data(),
                                           password.size(), iterations,
                                           memory_kib * 1024);
  EXPECT_EQ(rc, 0) << "libsodium could not make the test's stored hash";
  return out;
}

class PasswordExerciseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auth::Result<std::unique_ptr<PasswordHasher>> hasher =
        PasswordHasher::Create({.threads = 2, .queue_capacity = 16,
                                .params = kCurrent});
    ASSERT_TRUE(hasher.ok()) << "PasswordHasher::Create failed: "
                             << Describe(hasher.error());
    hasher_ = std::move(hasher).value();
  }

  std::string CurrentHash(const std::string& password) {
    auth::Result<std::string> hash = hasher_->Hash(password).get();
    EXPECT_TRUE(hash.ok()) << "hashing failed: "
                           << (hash.ok() ? "" : Describe(hash.error()));
    return hash.ok() ? hash.value() : std::string();
  }

  auth::Result<LoginOutcome> Login(std::optional<std::string> stored_hash,
                                   const std::string& password) {
    return hasher_->Login(std::move(stored_hash), password).get();
  }

  std::unique_ptr<PasswordHasher> hasher_;
};

TEST_F(PasswordExerciseTest, RightPasswordVerifies) {
  const std::string hash = CurrentHash(kPassword);
  auth::Result<PasswordCheck> check =
      auth::VerifyPassword(kPassword, hash, kCurrent);
  ASSERT_TRUE(check.ok()) << "the password the hash was made from must "
                             "verify; got "
                          << Describe(check.error());
  EXPECT_FALSE(check.value().needs_rehash)
      << "a hash made with exactly the current parameters needs no rehash";
}

TEST_F(PasswordExerciseTest, WrongPasswordIsInvalidCredentials) {
  const std::string hash = CurrentHash(kPassword);
  for (const std::string& wrong :
       {std::string(kWrongPassword), std::string(""),
        std::string(kPassword).substr(0, 10)}) {
    auth::Result<PasswordCheck> check =
        auth::VerifyPassword(wrong, hash, kCurrent);
    ASSERT_FALSE(check.ok()) << "the password '" << wrong
                             << "' must not verify";
    EXPECT_EQ(check.error().code, ErrorCode::kInvalidCredentials)
        << "a wrong password is kInvalidCredentials, not "
        << Describe(check.error());
  }
}

TEST_F(PasswordExerciseTest, MalformedStoredHash) {
  const std::string good = CurrentHash(kPassword);
  const std::string cases[] = {
      "",
      "not a hash",
      "$argon2id$v=19$m=19456,t=2,p=1$garbage",
      good.substr(0, good.size() / 2),
      std::string("$argon2id$\0v=19", 15),
      "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
  };
  for (const std::string& stored : cases) {
    auth::Result<PasswordCheck> check =
        auth::VerifyPassword(kPassword, stored, kCurrent);
    ASSERT_FALSE(check.ok()) << "the stored hash '" << stored
                             << "' is not an argon2 PHC string and must be "
                                "rejected";
    EXPECT_EQ(check.error().code, ErrorCode::kMalformedPasswordHash)
        << "a stored hash that libsodium cannot read is a server fault, "
           "kMalformedPasswordHash, not "
        << Describe(check.error());
  }
}

TEST_F(PasswordExerciseTest, TooLongPassword) {
  const std::string hash = CurrentHash(kPassword);
  const std::string long_password(auth::kMaxPasswordBytes + 1, 'x');
  auth::Result<PasswordCheck> check =
      auth::VerifyPassword(long_password, hash, kCurrent);
  ASSERT_FALSE(check.ok()) << "a password of kMaxPasswordBytes + 1 bytes "
                              "must be rejected before hashing";
  EXPECT_EQ(check.error().code, ErrorCode::kPasswordTooLong)
      << "expected kPasswordTooLong, got " << Describe(check.error());
}

TEST_F(PasswordExerciseTest, OlderParametersNeedRehash) {
  struct Case {
    const char* description;
    std::string stored;
  };
  const Case cases[] = {
      {"argon2id at 8 MiB and 1 iteration (weaker than 19 MiB, 2)",
       SodiumHash(kPassword, false, 1, 8 * 1024)},
      {"argon2id at 19 MiB and 3 iterations (stronger than the current 2)",
       SodiumHash(kPassword, false, 3, 19 * 1024)},
      {"argon2i at 19 MiB and 3 iterations (another algorithm)",
       SodiumHash(kPassword, true, 3, 19 * 1024)},
  };
  for (const Case& c : cases) {
    auth::Result<PasswordCheck> check =
        auth::VerifyPassword(kPassword, c.stored, kCurrent);
    ASSERT_TRUE(check.ok()) << c.description << ": the right password must still "
                            << "verify against an older hash; got "
                            << Describe(check.error());
    EXPECT_TRUE(check.value().needs_rehash)
        << c.description << ": a hash not made with exactly the current parameters "
        << "(argon2id, 19 MiB, 2 iterations) needs a rehash";
  }
}

TEST_F(PasswordExerciseTest, LoginUpgradesAnOutdatedHash) {
  const std::string old_hash = SodiumHash(kPassword, false, 1, 8 * 1024);

  auth::Result<LoginOutcome> outcome = Login(old_hash, kPassword);
  ASSERT_TRUE(outcome.ok()) << "the right password against an outdated hash "
                               "must log in; got "
                            << Describe(outcome.error());
  ASSERT_TRUE(outcome.value().new_hash.has_value())
      << "a login with the right password and an outdated hash must return "
         "a new hash to store (rehash on login)";

  const std::string& new_hash = *outcome.value().new_hash;
  EXPECT_NE(new_hash.find("$argon2id$"), std::string::npos)
      << "the new hash must be argon2id, got " << new_hash;
  EXPECT_NE(new_hash.find("m=19456,t=2"), std::string::npos)
      << "the new hash must use the current parameters (m=19456,t=2), got "
      << new_hash;
  auth::Result<PasswordCheck> check =
      auth::VerifyPassword(kPassword, new_hash, kCurrent);
  ASSERT_TRUE(check.ok()) << "the new hash must verify the same password";
  EXPECT_FALSE(check.value().needs_rehash)
      << "the new hash is at the current parameters, so it needs no rehash";
}

TEST_F(PasswordExerciseTest, LoginUpgradesArgon2i) {
  auth::Result<LoginOutcome> outcome =
      Login(SodiumHash(kPassword, true, 3, 19 * 1024), kPassword);
  ASSERT_TRUE(outcome.ok()) << "an argon2i hash still verifies; got "
                            << Describe(outcome.error());
  ASSERT_TRUE(outcome.value().new_hash.has_value())
      << "a login against an argon2i hash must return an argon2id hash";
  EXPECT_EQ(outcome.value().new_hash->rfind("$argon2id$", 0), 0u)
      << "the new hash must start with $argon2id$, got "
      << *outcome.value().new_hash;
}

TEST_F(PasswordExerciseTest, LoginKeepsACurrentHash) {
  auth::Result<LoginOutcome> outcome = Login(CurrentHash(kPassword), kPassword);
  ASSERT_TRUE(outcome.ok()) << "the right password must log in; got "
                            << Describe(outcome.error());
  EXPECT_FALSE(outcome.value().new_hash.has_value())
      << "a hash at the current parameters must not be replaced: rehashing "
         "every login doubles its cost for nothing";
}

TEST_F(PasswordExerciseTest, WrongPasswordNeverRehashes) {
  const std::string old_hash = SodiumHash(kPassword, false, 1, 8 * 1024);
  auth::Result<LoginOutcome> outcome = Login(old_hash, kWrongPassword);
  ASSERT_FALSE(outcome.ok()) << "a wrong password must not log in, even "
                                "against an outdated hash";
  EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidCredentials)
      << "expected kInvalidCredentials, got " << Describe(outcome.error());
}

TEST_F(PasswordExerciseTest, UnknownUserLooksLikeWrongPassword) {
  auth::Result<LoginOutcome> wrong =
      Login(CurrentHash(kPassword), kWrongPassword);
  auth::Result<LoginOutcome> unknown = Login(std::nullopt, kPassword);

  ASSERT_FALSE(wrong.ok()) << "a wrong password must not log in";
  ASSERT_FALSE(unknown.ok()) << "an unknown user must not log in";
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidCredentials)
      << "an unknown user is kInvalidCredentials, like a wrong password; "
         "got "
      << Describe(unknown.error());
  EXPECT_EQ(unknown.error().message, wrong.error().message)
      << "the messages for an unknown user and a wrong password must be "
         "identical, or the response tells an attacker which accounts exist";
}

TEST_F(PasswordExerciseTest, UnknownUserCostsAFullVerification) {
  const std::string stored = CurrentHash(kPassword);

  // The fastest of 3 runs of each: a loaded machine only ever adds time,
  // so the minimum is the steadiest estimate of the work done. One argon2id
  // verification at 19 MiB takes tens of milliseconds; returning at once
  // takes microseconds, so a factor of 10 separates them with room to spare.
  auto fastest_ms = [&](std::optional<std::string> hash) {
    double fastest = 0;
    for (int i = 0; i < 3; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auth::Result<LoginOutcome> outcome = Login(hash, kWrongPassword);
      const auto end = std::chrono::steady_clock::now();
      EXPECT_FALSE(outcome.ok()) << "this login must fail";
      const double ms =
          std::chrono::duration<double, std::milli>(end - start).count();
      if (i == 0 || ms < fastest) fastest = ms;
    }
    return fastest;
  };
  const double wrong_ms = fastest_ms(stored);
  const double unknown_ms = fastest_ms(std::nullopt);

  EXPECT_GE(unknown_ms, wrong_ms / 10)
      << "a login for an unknown user took " << unknown_ms
      << " ms and one with a wrong password " << wrong_ms
      << " ms: an unknown user must cost one full verification too (against "
         "a dummy hash), or the response time tells which accounts exist";
}

}  // namespace
