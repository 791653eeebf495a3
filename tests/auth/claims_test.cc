// Tests of JWT claims validation: types, times with leeway, issuer,
// audience and type.

#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "auth/claims.h"

namespace {

using auth::ClaimsPolicy;
using auth::ClaimsSet;
using auth::ErrorCode;
using auth::JsonType;
using auth::ValidateClaims;

auth::NumericDateClaim Number(double seconds) {
  return auth::NumericDateClaim{JsonType::kNumber, seconds};
}

ClaimsSet ExpiringAt(double exp) {
  ClaimsSet claims;
  claims.exp = Number(exp);
  return claims;
}

ClaimsPolicy Leeway(std::int64_t seconds) {
  ClaimsPolicy policy;
  policy.leeway_seconds = seconds;
  return policy;
}

// Outcome returns "accepted" or the error code's name.
std::string Outcome(const auth::Status& status) {
  if (status.ok()) return "accepted";
  return std::string(auth::ErrorCodeName(status.error().code));
}

TEST(ClaimsTest, ExpBoundaryWithLeeway) {
  // Clock 1000 s, leeway 30 s: expired on or after exp + 30.
  EXPECT_EQ(Outcome(ValidateClaims(ExpiringAt(971), Leeway(30), 1000)),
            "accepted")
      << "exp 971 + leeway 30 = 1001 is after now 1000: still valid";
  EXPECT_EQ(Outcome(ValidateClaims(ExpiringAt(970), Leeway(30), 1000)),
            "Expired")
      << "exp 970 + leeway 30 = 1000 is not after now 1000: expired";
  EXPECT_EQ(Outcome(ValidateClaims(ExpiringAt(1000), Leeway(0), 1000)),
            "Expired")
      << "with no leeway a token is expired at exp itself";
  EXPECT_EQ(Outcome(ValidateClaims(ExpiringAt(1000.5), Leeway(0), 1000)),
            "accepted")
      << "a fractional exp 1000.5 is after now 1000";
}

TEST(ClaimsTest, NbfBoundaryWithLeeway) {
  ClaimsSet claims = ExpiringAt(5000);
  claims.nbf = Number(1030);
  EXPECT_EQ(Outcome(ValidateClaims(claims, Leeway(30), 1000)), "accepted")
      << "nbf 1030 - leeway 30 = now 1000: valid from that instant";
  claims.nbf = Number(1031);
  EXPECT_EQ(Outcome(ValidateClaims(claims, Leeway(30), 1000)), "NotYetValid")
      << "nbf 1031 - leeway 30 = 1001 is after now 1000: not yet valid";
}

TEST(ClaimsTest, ExpZeroIsExpiredNotAbsent) {
  EXPECT_EQ(Outcome(ValidateClaims(ExpiringAt(0), Leeway(30), 1000)),
            "Expired")
      << "exp 0 is 1970-01-01, long expired; it is not a missing exp";
}

TEST(ClaimsTest, MissingExpRejectedWhenRequired) {
  ClaimsSet claims;
  EXPECT_EQ(Outcome(ValidateClaims(claims, ClaimsPolicy{}, 1000)),
            "MissingClaim")
      << "an access token without exp never expires, so it is rejected";
  ClaimsPolicy optional_exp;
  optional_exp.require_exp = false;
  EXPECT_EQ(Outcome(ValidateClaims(claims, optional_exp, 1000)), "accepted")
      << "require_exp = false allows a token without exp";
}

TEST(ClaimsTest, NonNumberTimesAreMalformed) {
  for (JsonType type : {JsonType::kString, JsonType::kBool, JsonType::kNull,
                        JsonType::kArray, JsonType::kObject}) {
    for (auto field : {&ClaimsSet::exp, &ClaimsSet::nbf, &ClaimsSet::iat}) {
      ClaimsSet claims = ExpiringAt(5000);
      (claims.*field) = auth::NumericDateClaim{type, 0};
      EXPECT_EQ(Outcome(ValidateClaims(claims, Leeway(0), 1000)),
                "MalformedClaim")
          << "a NumericDate that is not a JSON number is malformed (type "
          << static_cast<int>(type) << ")";
    }
  }
}

TEST(ClaimsTest, NonFiniteTimeIsMalformed) {
  ClaimsSet claims = ExpiringAt(std::numeric_limits<double>::infinity());
  EXPECT_EQ(Outcome(ValidateClaims(claims, Leeway(0), 1000)),
            "MalformedClaim")
      << "an infinite exp would never expire";
}

TEST(ClaimsTest, MalformedTypeWinsOverExpiry) {
  // A wrong type is reported even when the token would also be expired.
  ClaimsSet claims = ExpiringAt(0);
  claims.iat = auth::NumericDateClaim{JsonType::kString, 0};
  EXPECT_EQ(Outcome(ValidateClaims(claims, Leeway(0), 1000)),
            "MalformedClaim");
}

TEST(ClaimsTest, IssuerMustMatchExactly) {
  ClaimsPolicy policy;
  policy.issuer = "https://id.example.com";
  ClaimsSet claims = ExpiringAt(5000);
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "MissingClaim")
      << "the policy requires iss and the token has none";
  claims.iss = {JsonType::kString, "https://id.example.com"};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "accepted");
  claims.iss = {JsonType::kString, "https://ID.example.com"};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "IssuerMismatch")
      << "iss is compared case-sensitively";
  claims.iss = {JsonType::kArray, ""};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "MalformedClaim")
      << "iss must be a string";
}

TEST(ClaimsTest, AudienceStringOrArray) {
  ClaimsPolicy policy;
  policy.audience = "orders-api";
  ClaimsSet claims = ExpiringAt(5000);
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "MissingClaim");

  claims.aud = {JsonType::kString, {"orders-api"}, 0};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "accepted");
  claims.aud = {JsonType::kArray, {"billing", "orders-api"}, 0};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "accepted")
      << "an aud array passes when one element matches";
  claims.aud = {JsonType::kArray, {"billing"}, 0};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "AudienceMismatch");
  claims.aud = {JsonType::kArray, {}, 0};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "AudienceMismatch")
      << "an empty aud array contains no audience";
  claims.aud = {JsonType::kArray, {"orders-api"}, 1};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "MalformedClaim")
      << "an aud array with a non-string element is malformed";
  claims.aud = {JsonType::kNumber, {}, 0};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "MalformedClaim");
}

TEST(ClaimsTest, TypeComparedIgnoringCase) {
  ClaimsPolicy policy;
  policy.type = "at+jwt";
  ClaimsSet claims = ExpiringAt(5000);
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "MissingClaim");
  claims.typ = {JsonType::kString, "AT+JWT"};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "accepted")
      << "typ is a media type, compared ignoring case";
  claims.typ = {JsonType::kString, "JWT"};
  EXPECT_EQ(Outcome(ValidateClaims(claims, policy, 1000)), "TypeMismatch")
      << "an ID token (typ JWT) is not an access token (at+jwt)";
}

TEST(ClaimsTest, ExpiredMessageNamesValues) {
  auth::Status status = ValidateClaims(ExpiringAt(970), Leeway(30), 1000);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("exp 970"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("now (1000)"), std::string::npos)
      << status.error().message;
}

}  // namespace
