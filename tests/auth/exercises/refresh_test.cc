// Refresh token exercise: the specification, step by step.
//
// Time comes from a ManualClock, so every expiry is tested to the
// nanosecond. The store is the in-process InMemoryTokenStore.

#include "auth/refresh.h"

#include <gtest/gtest.h>

#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "labkit/clock.h"

namespace {

using auth::ErrorCode;
using auth::InMemoryTokenStore;
using auth::IssuedRefreshToken;
using auth::kNanosPerDay;
using auth::Nanos;
using auth::RefreshTokenOptions;
using auth::RefreshTokenService;

constexpr Nanos kStart = 1'000 * kNanosPerDay;

std::string Describe(const auth::Error& error) {
  return std::string(auth::ErrorCodeName(error.code)) + " (" + error.message +
         ")";
}

class RefreshExerciseTest : public ::testing::Test {
 protected:
  // Tokens live 10 days, and a login's family 15 days in total.
  RefreshExerciseTest() : clock_(kStart) {}

  void SetUp() override {
    auth::Result<RefreshTokenService> service = RefreshTokenService::Create(
        store_, clock_,
        RefreshTokenOptions{.token_ttl = 10 * kNanosPerDay,
                            .family_lifetime = 15 * kNanosPerDay});
    ASSERT_TRUE(service.ok()) << "RefreshTokenService::Create failed: "
                              << Describe(service.error());
    service_.emplace(std::move(service).value());
  }

  IssuedRefreshToken Login(const std::string& subject = "u42") {
    auth::Result<IssuedRefreshToken> issued = service_->Issue(subject);
    EXPECT_TRUE(issued.ok()) << "Issue failed: "
                             << (issued.ok() ? "" : Describe(issued.error()));
    return issued.ok() ? issued.value() : IssuedRefreshToken{};
  }

  // ExpectRotateFails checks that rotating `token` fails with `expected`.
  void ExpectRotateFails(const std::string& token, ErrorCode expected,
                         const std::string& reason) {
    auth::Result<IssuedRefreshToken> rotated = service_->Rotate(token);
    ASSERT_FALSE(rotated.ok()) << reason << "; but the rotation succeeded";
    EXPECT_EQ(rotated.error().code, expected)
        << reason << "; expected " << auth::ErrorCodeName(expected) << ", got "
        << Describe(rotated.error());
  }

  labkit::ManualClock clock_;
  InMemoryTokenStore store_;
  std::optional<RefreshTokenService> service_;
};

TEST_F(RefreshExerciseTest, RotationReturnsANewTokenOfTheFamily) {
  const IssuedRefreshToken first = Login();

  auth::Result<IssuedRefreshToken> second = service_->Rotate(first.token);
  ASSERT_TRUE(second.ok()) << "a fresh token must rotate; got "
                           << Describe(second.error());
  EXPECT_NE(second.value().token, first.token)
      << "a rotation must return a new token, not the presented one";
  EXPECT_EQ(second.value().token.size(), auth::kRefreshTokenChars)
      << "every refresh token is 43 base64url characters";
  EXPECT_EQ(second.value().family_id, first.family_id)
      << "the new token belongs to the same family (the same login)";
  EXPECT_EQ(second.value().subject, "u42")
      << "the new token is issued to the family's subject";
  EXPECT_EQ(second.value().expires_at, kStart + 10 * kNanosPerDay)
      << "rotated at the start, the new token lives token_ttl (10 days)";
}

TEST_F(RefreshExerciseTest, ChainOfRotations) {
  std::string token = Login().token;
  for (int i = 1; i <= 5; ++i) {
    clock_.Advance(kNanosPerDay);
    auth::Result<IssuedRefreshToken> next = service_->Rotate(token);
    ASSERT_TRUE(next.ok()) << "rotation " << i << " of 5 (one a day) must "
                           << "succeed; got " << Describe(next.error());
    token = next.value().token;
  }
}

TEST_F(RefreshExerciseTest, ReuseRevokesTheWholeFamily) {
  const IssuedRefreshToken first = Login();
  auth::Result<IssuedRefreshToken> second = service_->Rotate(first.token);
  ASSERT_TRUE(second.ok()) << "a fresh token must rotate; got "
                           << Describe(second.error());

  // An attacker who copied the first token presents it again.
  ExpectRotateFails(first.token, ErrorCode::kRefreshTokenReused,
                    "the first token was already rotated, so presenting it "
                    "again is reuse");

  // The legitimate client's newest token dies with its family.
  ExpectRotateFails(second.value().token, ErrorCode::kRefreshTokenRevoked,
                    "after a reuse the whole family is revoked, its newest "
                    "token included: the server cannot tell the client from "
                    "the attacker");
  ExpectRotateFails(first.token, ErrorCode::kRefreshTokenRevoked,
                    "once the family is revoked, every token of it is "
                    "revoked, the reused one too");
}

TEST_F(RefreshExerciseTest, ReuseAfterExpiryIsStillReuse) {
  const IssuedRefreshToken first = Login();
  clock_.Advance(9 * kNanosPerDay);
  auth::Result<IssuedRefreshToken> second = service_->Rotate(first.token);
  ASSERT_TRUE(second.ok()) << "a 9-day-old token (ttl 10 days) must rotate; "
                              "got "
                           << Describe(second.error());

  // Day 11: the first token would have expired at day 10 anyway.
  clock_.Advance(2 * kNanosPerDay);
  ExpectRotateFails(first.token, ErrorCode::kRefreshTokenReused,
                    "a rotated token presented after its expiry is still a "
                    "copied token: reuse is checked before expiry");
  ExpectRotateFails(second.value().token, ErrorCode::kRefreshTokenRevoked,
                    "the reuse must revoke the family even though the reused "
                    "token had expired");
}

TEST_F(RefreshExerciseTest, FamiliesAreIndependent) {
  const IssuedRefreshToken laptop = Login("u42");
  const IssuedRefreshToken phone = Login("u42");
  ASSERT_NE(laptop.family_id, phone.family_id)
      << "each login starts its own family";

  ASSERT_TRUE(service_->Rotate(laptop.token).ok())
      << "the laptop's token must rotate";
  ExpectRotateFails(laptop.token, ErrorCode::kRefreshTokenReused,
                    "the laptop's first token was already rotated");

  auth::Result<IssuedRefreshToken> phone_next = service_->Rotate(phone.token);
  EXPECT_TRUE(phone_next.ok())
      << "a reuse in the laptop's family must not revoke the phone's family; "
         "got "
      << (phone_next.ok() ? "" : Describe(phone_next.error()));
}

TEST_F(RefreshExerciseTest, TokenExpiresAfterItsTtl) {
  const IssuedRefreshToken first = Login();

  clock_.Set(kStart + 10 * kNanosPerDay - 1);
  auth::Result<IssuedRefreshToken> second = service_->Rotate(first.token);
  ASSERT_TRUE(second.ok()) << "one nanosecond before its 10-day ttl ends, the "
                              "token must rotate; got "
                           << Describe(second.error());

  const IssuedRefreshToken other = Login();
  clock_.Set(kStart + 10 * kNanosPerDay - 1 + 10 * kNanosPerDay);
  ExpectRotateFails(other.token, ErrorCode::kRefreshTokenExpired,
                    "a token is expired from its expiry time on");
}

TEST_F(RefreshExerciseTest, FamilyLifetimeCapsEveryToken) {
  const IssuedRefreshToken first = Login();

  // Day 9: a 10-day token would live to day 19, but the family ends at 15.
  clock_.Set(kStart + 9 * kNanosPerDay);
  auth::Result<IssuedRefreshToken> second = service_->Rotate(first.token);
  ASSERT_TRUE(second.ok()) << "a 9-day-old token must rotate; got "
                           << Describe(second.error());
  EXPECT_EQ(second.value().expires_at, kStart + 15 * kNanosPerDay)
      << "the new token must expire at the family's end (day 15), not "
         "token_ttl later (day 19): rotating must not extend a login";

  clock_.Set(kStart + 15 * kNanosPerDay);
  ExpectRotateFails(second.value().token, ErrorCode::kRefreshTokenExpired,
                    "at day 15 the family's lifetime is over");
}

TEST_F(RefreshExerciseTest, UnknownAndMalformedTokens) {
  Login();
  ExpectRotateFails(std::string(auth::kRefreshTokenChars, 'A'),
                    ErrorCode::kRefreshTokenUnknown,
                    "a well-formed token that was never issued is unknown");
  ExpectRotateFails("short", ErrorCode::kRefreshTokenUnknown,
                    "a token of the wrong length is unknown (malformed)");
  ExpectRotateFails("", ErrorCode::kRefreshTokenUnknown,
                    "the empty token is unknown");
}

TEST_F(RefreshExerciseTest, LogoutRevokesTheFamily) {
  const IssuedRefreshToken first = Login();
  auth::Result<IssuedRefreshToken> second = service_->Rotate(first.token);
  ASSERT_TRUE(second.ok()) << "a fresh token must rotate";

  auth::Status logout = service_->Logout(second.value().token);
  ASSERT_TRUE(logout.ok()) << "logout with the current token must succeed";
  ExpectRotateFails(second.value().token, ErrorCode::kRefreshTokenRevoked,
                    "after logout the family's tokens are revoked");
}

TEST_F(RefreshExerciseTest, StoreKeepsOnlyHashes) {
  const IssuedRefreshToken first = Login();
  auth::Result<std::optional<auth::TokenFamily>> by_token =
      store_.FindFamily(first.token);
  ASSERT_TRUE(by_token.ok()) << "FindFamily must not fail";
  EXPECT_FALSE(by_token.value().has_value())
      << "the store must be keyed by the token's SHA-256, never the token";
  auth::Result<std::optional<auth::TokenFamily>> by_hash =
      store_.FindFamily(auth::HashRefreshToken(first.token));
  ASSERT_TRUE(by_hash.ok()) << "FindFamily must not fail";
  EXPECT_TRUE(by_hash.value().has_value())
      << "the store must find the family by the token's hash";
}

TEST_F(RefreshExerciseTest, ConcurrentRotationsHaveOneWinner) {
  for (int round = 0; round < 20; ++round) {
    const IssuedRefreshToken token = Login();
    std::atomic<int> rotated{0};
    std::atomic<int> reused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        // An exception must not escape a thread: it would end the process.
        try {
          auth::Result<IssuedRefreshToken> result =
              service_->Rotate(token.token);
          if (result.ok()) {
            ++rotated;
          } else if (result.error().code == ErrorCode::kRefreshTokenReused ||
                     result.error().code == ErrorCode::kRefreshTokenRevoked) {
            ++reused;
          }
        } catch (const std::exception& e) {
          ADD_FAILURE() << "Rotate threw: " << e.what();
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    ASSERT_EQ(rotated.load(), 1)
        << "round " << round << ": 4 threads rotated one token at once, and "
        << "exactly one must succeed; the store must decide atomically";
    ASSERT_EQ(reused.load(), 3)
        << "round " << round << ": the other 3 rotations are reuse (or find "
        << "the family already revoked)";
  }
}

}  // namespace
