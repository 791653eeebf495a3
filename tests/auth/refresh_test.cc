// Tests of refresh-token rotation, reuse detection (RFC 9700 section 4.14),
// expiry and logout, with a manual clock.
#include "auth/refresh.h"

#include <gtest/gtest.h>

#include <string>

namespace auth {
namespace {

constexpr Nanos kHour = 3'600LL * 1'000'000'000LL;

class RefreshTest : public ::testing::Test {
 protected:
  RefreshTokenService MakeService(RefreshTokenOptions options = {}) {
    Result<RefreshTokenService> service =
        RefreshTokenService::Create(store_, clock_, options);
    EXPECT_TRUE(service.ok()) << service.error().message;
    return std::move(service).value();
  }

  IssuedRefreshToken Issue(RefreshTokenService& service,
                           std::string_view subject = "user-42") {
    Result<IssuedRefreshToken> issued = service.Issue(subject);
    EXPECT_TRUE(issued.ok()) << issued.error().message;
    return std::move(issued).value();
  }

  IssuedRefreshToken RotateOk(RefreshTokenService& service,
                              const std::string& token) {
    Result<IssuedRefreshToken> rotated = service.Rotate(token);
    EXPECT_TRUE(rotated.ok()) << rotated.error().message;
    return rotated.ok() ? std::move(rotated).value() : IssuedRefreshToken{};
  }

  labkit::ManualClock clock_{1'000 * kHour};
  InMemoryTokenStore store_;
};

bool IsBase64Url(const std::string& s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST_F(RefreshTest, IssuesOpaqueRandomToken) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken first = Issue(service);
  IssuedRefreshToken second = Issue(service);

  EXPECT_EQ(first.token.size(), 43u)
      << "32 random bytes are 43 unpadded base64url characters";
  EXPECT_TRUE(IsBase64Url(first.token)) << first.token;
  EXPECT_NE(first.token, second.token);
  EXPECT_NE(first.family_id, second.family_id)
      << "each login starts its own family";
  EXPECT_EQ(first.family_id.size(), 32u);
  EXPECT_EQ(first.subject, "user-42");
  EXPECT_EQ(first.expires_at, clock_.Now() + RefreshTokenOptions{}.token_ttl);
}

TEST_F(RefreshTest, StoresOnlyTheHash) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken issued = Issue(service);

  const std::string hash = HashRefreshToken(issued.token);
  EXPECT_EQ(hash.size(), 64u) << "SHA-256 in hex is 64 characters";
  EXPECT_NE(hash, issued.token);

  Result<std::optional<TokenFamily>> by_hash = store_.FindFamily(hash);
  ASSERT_TRUE(by_hash.ok());
  ASSERT_TRUE(by_hash.value().has_value()) << "the store is keyed by the hash";
  EXPECT_EQ(by_hash.value()->id, issued.family_id);

  Result<std::optional<TokenFamily>> by_token = store_.FindFamily(issued.token);
  ASSERT_TRUE(by_token.ok());
  EXPECT_FALSE(by_token.value().has_value())
      << "the plaintext token must not be a key of the store";
}

TEST_F(RefreshTest, HashesKnownVector) {
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  EXPECT_EQ(HashRefreshToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(RefreshTest, RotateReplacesToken) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken first = Issue(service);

  IssuedRefreshToken second = RotateOk(service, first.token);
  EXPECT_NE(second.token, first.token) << "rotation must return a new token";
  EXPECT_EQ(second.family_id, first.family_id)
      << "the new token belongs to the same family";
  EXPECT_EQ(second.subject, "user-42");

  IssuedRefreshToken third = RotateOk(service, second.token);
  EXPECT_NE(third.token, second.token);
}

TEST_F(RefreshTest, ReuseRevokesWholeFamily) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken first = Issue(service);
  IssuedRefreshToken second = RotateOk(service, first.token);

  // The old token comes back, so someone has a copy.
  Result<IssuedRefreshToken> replay = service.Rotate(first.token);
  ASSERT_FALSE(replay.ok()) << "a rotated token must never rotate again";
  EXPECT_EQ(replay.error().code, ErrorCode::kRefreshTokenReused)
      << replay.error().message;
  EXPECT_EQ(OAuthErrorCode(replay.error().code), "invalid_grant");
  EXPECT_NE(replay.error().message.find(first.family_id), std::string::npos)
      << "the message names the family: " << replay.error().message;
  EXPECT_EQ(replay.error().message.find(first.token), std::string::npos)
      << "the message must never contain the token";

  // The newest token of that family is revoked too.
  Result<IssuedRefreshToken> newest = service.Rotate(second.token);
  ASSERT_FALSE(newest.ok())
      << "reuse must revoke the family's newest token as well";
  EXPECT_EQ(newest.error().code, ErrorCode::kRefreshTokenRevoked);
  EXPECT_EQ(OAuthErrorCode(newest.error().code), "invalid_grant");

  // Replaying again stays an error.
  Result<IssuedRefreshToken> again = service.Rotate(first.token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kRefreshTokenRevoked);
}

TEST_F(RefreshTest, ReuseOfOlderTokenRevokesNewest) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken t1 = Issue(service);
  IssuedRefreshToken t2 = RotateOk(service, t1.token);
  IssuedRefreshToken t3 = RotateOk(service, t2.token);
  IssuedRefreshToken t4 = RotateOk(service, t3.token);

  Result<IssuedRefreshToken> replay = service.Rotate(t1.token);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, ErrorCode::kRefreshTokenReused);

  Result<IssuedRefreshToken> newest = service.Rotate(t4.token);
  ASSERT_FALSE(newest.ok()) << "the token three rotations later is revoked";
  EXPECT_EQ(newest.error().code, ErrorCode::kRefreshTokenRevoked);
}

TEST_F(RefreshTest, ReuseLeavesOtherFamiliesAlone) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken phone = Issue(service);
  IssuedRefreshToken laptop = Issue(service);

  RotateOk(service, phone.token);
  ASSERT_FALSE(service.Rotate(phone.token).ok());

  Result<IssuedRefreshToken> other = service.Rotate(laptop.token);
  EXPECT_TRUE(other.ok())
      << "another login of the same user keeps working: "
      << (other.ok() ? "" : other.error().message);
}

TEST_F(RefreshTest, TokenExpiresAfterTtl) {
  RefreshTokenOptions options;
  options.token_ttl = kHour;
  options.family_lifetime = 10 * kHour;
  RefreshTokenService service = MakeService(options);
  IssuedRefreshToken first = Issue(service);
  IssuedRefreshToken second = Issue(service);

  clock_.Advance(kHour - 1);
  IssuedRefreshToken rotated = RotateOk(service, first.token);
  EXPECT_EQ(rotated.expires_at, clock_.Now() + kHour)
      << "a rotated token gets a full token_ttl";

  clock_.Advance(1);
  Result<IssuedRefreshToken> late = service.Rotate(second.token);
  ASSERT_FALSE(late.ok()) << "a token is expired at exactly token_ttl";
  EXPECT_EQ(late.error().code, ErrorCode::kRefreshTokenExpired);
  EXPECT_EQ(OAuthErrorCode(late.error().code), "invalid_grant");
}

TEST_F(RefreshTest, FamilyLifetimeCapsRotation) {
  RefreshTokenOptions options;
  options.token_ttl = 4 * kHour;
  options.family_lifetime = 10 * kHour;
  RefreshTokenService service = MakeService(options);
  IssuedRefreshToken token = Issue(service);
  const Nanos family_end = clock_.Now() + 10 * kHour;

  // Rotating every 3 hours would go on forever without the family's cap.
  clock_.Advance(3 * kHour);
  token = RotateOk(service, token.token);
  clock_.Advance(3 * kHour);
  token = RotateOk(service, token.token);
  clock_.Advance(3 * kHour);
  token = RotateOk(service, token.token);
  EXPECT_EQ(token.expires_at, family_end)
      << "a token never outlives its family";

  clock_.Advance(1 * kHour);
  Result<IssuedRefreshToken> late = service.Rotate(token.token);
  ASSERT_FALSE(late.ok()) << "the family ends 10 hours after the login";
  EXPECT_EQ(late.error().code, ErrorCode::kRefreshTokenExpired);
}

TEST_F(RefreshTest, LogoutRevokesFamily) {
  RefreshTokenService service = MakeService();
  IssuedRefreshToken first = Issue(service);
  IssuedRefreshToken second = RotateOk(service, first.token);

  Status logout = service.Logout(second.token);
  ASSERT_TRUE(logout.ok()) << logout.error().message;

  Result<IssuedRefreshToken> after = service.Rotate(second.token);
  ASSERT_FALSE(after.ok()) << "after logout the family's token is dead";
  EXPECT_EQ(after.error().code, ErrorCode::kRefreshTokenRevoked);
}

TEST_F(RefreshTest, LogoutWithUnknownTokenFails) {
  RefreshTokenService service = MakeService();
  Status logout = service.Logout(std::string(43, 'A'));
  ASSERT_FALSE(logout.ok());
  EXPECT_EQ(logout.error().code, ErrorCode::kRefreshTokenUnknown);

  Status family = service.RevokeFamily("0123");
  ASSERT_FALSE(family.ok());
  EXPECT_EQ(family.error().code, ErrorCode::kRefreshTokenUnknown);
  EXPECT_NE(family.error().message.find("'0123'"), std::string::npos)
      << family.error().message;
}

TEST_F(RefreshTest, RejectsMalformedAndUnknownTokens) {
  RefreshTokenService service = MakeService();
  Issue(service);

  const std::string malformed[] = {"", "short", std::string(44, 'A'),
                                   std::string(42, 'A') + "+",
                                   std::string(42, 'A') + "="};
  for (const std::string& token : malformed) {
    Result<IssuedRefreshToken> result = service.Rotate(token);
    ASSERT_FALSE(result.ok()) << "token '" << token << "' must be rejected";
    EXPECT_EQ(result.error().code, ErrorCode::kRefreshTokenUnknown);
    EXPECT_NE(result.error().message.find(std::to_string(token.size())),
              std::string::npos)
        << "the message names the length: " << result.error().message;
  }

  Result<IssuedRefreshToken> unknown = service.Rotate(std::string(43, 'A'));
  ASSERT_FALSE(unknown.ok()) << "a well-formed token never issued";
  EXPECT_EQ(unknown.error().code, ErrorCode::kRefreshTokenUnknown);
  EXPECT_EQ(OAuthErrorCode(unknown.error().code), "invalid_grant");
}

TEST_F(RefreshTest, PurgeForgetsExpiredRecords) {
  RefreshTokenOptions options;
  options.token_ttl = kHour;
  options.family_lifetime = 2 * kHour;
  RefreshTokenService service = MakeService(options);
  IssuedRefreshToken token = Issue(service);
  RotateOk(service, token.token);
  EXPECT_EQ(store_.token_count(), 2u);

  Result<std::size_t> none = store_.PurgeExpired(clock_.Now());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0u) << "nothing has expired yet";

  clock_.Advance(2 * kHour);
  Result<std::size_t> purged = store_.PurgeExpired(clock_.Now());
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(purged.value(), 3u) << "two tokens and their family";
  EXPECT_EQ(store_.token_count(), 0u);

  Result<IssuedRefreshToken> after = service.Rotate(token.token);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kRefreshTokenUnknown);
}

TEST_F(RefreshTest, RejectsInvalidOptions) {
  RefreshTokenOptions zero_ttl;
  zero_ttl.token_ttl = 0;
  Result<RefreshTokenService> a =
      RefreshTokenService::Create(store_, clock_, zero_ttl);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(a.error().message.find("token_ttl 0"), std::string::npos)
      << a.error().message;

  RefreshTokenOptions short_family;
  short_family.token_ttl = 2 * kHour;
  short_family.family_lifetime = kHour;
  Result<RefreshTokenService> b =
      RefreshTokenService::Create(store_, clock_, short_family);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidOptions);

  RefreshTokenService service = MakeService();
  Result<IssuedRefreshToken> empty = service.Issue("");
  ASSERT_FALSE(empty.ok()) << "a family needs a subject";
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidOptions);
}

TEST(OAuthErrorCode, MapsOnlyRefreshFailuresToInvalidGrant) {
  EXPECT_EQ(OAuthErrorCode(ErrorCode::kRefreshTokenUnknown), "invalid_grant");
  EXPECT_EQ(OAuthErrorCode(ErrorCode::kRefreshTokenExpired), "invalid_grant");
  EXPECT_EQ(OAuthErrorCode(ErrorCode::kRefreshTokenReused), "invalid_grant");
  EXPECT_EQ(OAuthErrorCode(ErrorCode::kRefreshTokenRevoked), "invalid_grant");
  EXPECT_EQ(OAuthErrorCode(ErrorCode::kTokenStoreFailure), "server_error");
}

}  // namespace
}  // namespace auth
