// Tests of JWT verification end to end: signed tokens whose claims are
// malformed, expired, not yet valid, duplicated or for someone else, and
// the RFC vectors through the JWT layer.

#include <string>

#include <boost/json/object.hpp>
#include <gtest/gtest.h>

#include "auth/json_strict.h"
#include "auth/jwk.h"
#include "auth/jws.h"
#include "auth/jwt.h"

namespace {

using auth::ClaimsPolicy;
using auth::Key;
using auth::KeySet;

constexpr const char* kA1Key =
    R"({"kty":"oct","kid":"a1","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
constexpr const char* kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::int64_t kA1Exp = 1300819380;

constexpr const char* kEd25519Key =
    R"({"kty":"OKP","crv":"Ed25519",)"
    R"("d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char* kEd25519Token =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsP"
    "t9g7sVvpAr_MuM0KAg";

Key LoadJwk(const char* jwk) {
  auth::Result<Key> key = Key::FromJwk(jwk);
  if (!key.ok()) ADD_FAILURE() << "loading a test key: " << key.error().message;
  return std::move(key).value();
}

class JwtTest : public testing::Test {
 protected:
  JwtTest() { EXPECT_TRUE(keys_.Add(key_).ok()); }

  // SignPayload signs raw payload text, so tests can write JSON that no
  // serializer would produce (duplicates, strings for numbers).
  std::string SignPayload(std::string_view payload) {
    auth::Result<std::string> token =
        auth::SignJws(key_, R"({"alg":"HS256","typ":"JWT","kid":"a1"})",
                      payload);
    EXPECT_TRUE(token.ok()) << token.error().message;
    return token.ok() ? token.value() : "";
  }

  // Outcome verifies `token` at `now` and returns "verified" or the error
  // code's name.
  std::string Outcome(const std::string& token, std::int64_t now,
                      const ClaimsPolicy& policy = {}) {
    auth::Result<auth::VerifiedJwt> jwt =
        auth::VerifyJwt(keys_, token, policy, now);
    if (jwt.ok()) return "verified";
    return std::string(auth::ErrorCodeName(jwt.error().code));
  }

  Key key_ = LoadJwk(kA1Key);
  KeySet keys_;
};

ClaimsPolicy Leeway(std::int64_t seconds) {
  ClaimsPolicy policy;
  policy.leeway_seconds = seconds;
  return policy;
}

TEST_F(JwtTest, Rfc7515A1BeforeAndAtExp) {
  // The A.1 token has no kid, so the set contains only its key.
  KeySet keys;
  ASSERT_TRUE(keys.Add(key_).ok());
  auth::Result<auth::VerifiedJwt> jwt =
      auth::VerifyJwt(keys, kA1Token, ClaimsPolicy{}, kA1Exp - 1);
  ASSERT_TRUE(jwt.ok()) << "one second before exp 1300819380 the A.1 token "
                        << "is valid: " << jwt.error().message;
  EXPECT_EQ(jwt.value().claims.at("iss"), "joe");
  EXPECT_EQ(jwt.value().claims.at("http://example.com/is_root"), true);

  auth::Result<auth::VerifiedJwt> at_exp =
      auth::VerifyJwt(keys, kA1Token, ClaimsPolicy{}, kA1Exp);
  ASSERT_FALSE(at_exp.ok()) << "at exp itself the token is expired";
  EXPECT_EQ(at_exp.error().code, auth::ErrorCode::kExpired);

  ClaimsPolicy joe;
  joe.issuer = "joe";
  EXPECT_TRUE(auth::VerifyJwt(keys, kA1Token, joe, kA1Exp - 1).ok());
  joe.issuer = "Joe";
  auth::Result<auth::VerifiedJwt> other =
      auth::VerifyJwt(keys, kA1Token, joe, kA1Exp - 1);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, auth::ErrorCode::kIssuerMismatch);
}

TEST_F(JwtTest, Rfc8037PlainTextIsNotAClaimsSet) {
  KeySet keys;
  ASSERT_TRUE(keys.Add(LoadJwk(kEd25519Key)).ok());
  ASSERT_TRUE(auth::VerifyJws(keys, kEd25519Token).ok())
      << "the JWS layer accepts the RFC 8037 A.4 token";
  auth::Result<auth::VerifiedJwt> jwt =
      auth::VerifyJwt(keys, kEd25519Token, ClaimsPolicy{}, 0);
  ASSERT_FALSE(jwt.ok()) << "'Example of Ed25519 signing' is not JSON";
  EXPECT_EQ(jwt.error().code, auth::ErrorCode::kNotAClaimsSet);
}

TEST_F(JwtTest, PayloadMustBeObject) {
  for (const char* payload : {"[]", "\"exp\"", "5000", "null", "", "{"}) {
    EXPECT_EQ(Outcome(SignPayload(payload), 1000), "NotAClaimsSet")
        << "payload '" << payload << "'";
  }
}

TEST_F(JwtTest, ExpOfWrongTypeIsMalformed) {
  for (const char* payload :
       {R"({"exp":"1300819380"})", R"({"exp":true})", R"({"exp":false})",
        R"({"exp":null})", R"({"exp":[1300819380]})",
        R"({"exp":{"t":1300819380}})", R"({"exp":5000,"nbf":"0"})",
        R"({"exp":5000,"iat":true})", R"({"exp":5000,"iss":7})",
        R"({"exp":5000,"aud":[1]})"}) {
    EXPECT_EQ(Outcome(SignPayload(payload), 1000), "MalformedClaim")
        << "payload " << payload;
  }
}

TEST_F(JwtTest, FractionalExpAccepted) {
  const std::string token = SignPayload(R"({"exp":1.688117968E9})");
  EXPECT_EQ(Outcome(token, 1688117967), "verified")
      << "NumericDate may have a fraction: 1.688117968E9 is 1688117968 s";
  EXPECT_EQ(Outcome(token, 1688117968), "Expired");
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":1000.25})"), 1000), "verified")
      << "exp 1000.25 is after now 1000";
}

TEST_F(JwtTest, ExpZeroAndMissingExp) {
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":0})"), 1000), "Expired")
      << "exp 0 is expired, not absent";
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":-1})"), 1000), "Expired");
  EXPECT_EQ(Outcome(SignPayload(R"({"sub":"alice"})"), 1000), "MissingClaim")
      << "a token without exp is rejected";
}

TEST_F(JwtTest, BoundariesWithLeeway) {
  const ClaimsPolicy policy = Leeway(30);
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":971})"), 1000, policy), "verified");
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":970})"), 1000, policy), "Expired");
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":5000,"nbf":1030})"), 1000, policy),
            "verified");
  EXPECT_EQ(Outcome(SignPayload(R"({"exp":5000,"nbf":1031})"), 1000, policy),
            "NotYetValid");
}

TEST_F(JwtTest, DuplicateClaimsRejected) {
  for (const char* payload :
       {R"({"exp":5000,"exp":1})", R"({"exp":5000,"sub":"a","sub":"b"})",
        R"({"exp":5000,"aud":"a","\u0061ud":"b"})",
        R"({"exp":5000,"ctx":{"role":"user","role":"admin"}})"}) {
    EXPECT_EQ(Outcome(SignPayload(payload), 1000), "DuplicateMember")
        << "payload " << payload;
  }
}

TEST_F(JwtTest, AudienceAndType) {
  ClaimsPolicy policy;
  policy.audience = "orders-api";
  policy.type = "at+jwt";
  auto sign = [&](std::string_view typ, std::string_view payload) {
    auth::Result<boost::json::object> claims =
        auth::ParseStrictObject(payload);
    EXPECT_TRUE(claims.ok());
    auth::Result<std::string> token = auth::SignJwt(key_, claims.value(), typ);
    EXPECT_TRUE(token.ok()) << token.error().message;
    return token.value();
  };
  EXPECT_EQ(Outcome(sign("at+jwt", R"({"exp":5000,"aud":"orders-api"})"),
                    1000, policy),
            "verified");
  EXPECT_EQ(Outcome(sign("at+jwt", R"({"exp":5000,"aud":["x","orders-api"]})"),
                    1000, policy),
            "verified");
  EXPECT_EQ(Outcome(sign("at+jwt", R"({"exp":5000,"aud":"billing"})"), 1000,
                    policy),
            "AudienceMismatch");
  EXPECT_EQ(Outcome(sign("JWT", R"({"exp":5000,"aud":"orders-api"})"), 1000,
                    policy),
            "TypeMismatch");
  EXPECT_EQ(Outcome(sign("", R"({"exp":5000,"aud":"orders-api"})"), 1000,
                    policy),
            "MissingClaim")
      << "the policy requires typ and the header has none";
}

TEST_F(JwtTest, SignatureCheckedBeforeClaims) {
  // An expired token with a forged MAC reports the MAC, not the expiry.
  const std::string token = SignPayload(R"({"exp":1})");
  const std::string forged = token.substr(0, token.rfind('.') + 1) +
                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_EQ(Outcome(forged, 1000), "SignatureMismatch");
}

}  // namespace
