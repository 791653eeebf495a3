// Claims exercise: the specification, step by step.
//
// Every case builds the ClaimsSet that the JWT layer would copy out of a
// token, and checks the exact ErrorCode that ValidateClaims returns. The
// clock is a plain number, so each boundary is tested to the second.

#include "auth/claims.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using auth::AudienceClaim;
using auth::ClaimsPolicy;
using auth::ClaimsSet;
using auth::ErrorCode;
using auth::JsonType;
using auth::NumericDateClaim;
using auth::StringClaim;
using auth::ValidateClaims;

constexpr std::int64_t kNow = 1000;

NumericDateClaim Number(double seconds) {
  return NumericDateClaim{JsonType::kNumber, seconds};
}
StringClaim String(std::string value) {
  return StringClaim{JsonType::kString, std::move(value)};
}

ClaimsSet WithExp(double exp) {
  ClaimsSet claims;
  claims.exp = Number(exp);
  return claims;
}

ClaimsPolicy Leeway(std::int64_t seconds) {
  ClaimsPolicy policy;
  policy.leeway_seconds = seconds;
  return policy;
}

// Describe returns "ok" or the error's code name and message.
std::string Describe(const auth::Status& status) {
  if (status.ok()) return "ok";
  return std::string(auth::ErrorCodeName(status.error().code)) + " (" +
         status.error().message + ")";
}

void ExpectValid(const ClaimsSet& claims, const ClaimsPolicy& policy,
                 const std::string& reason) {
  auth::Status status = ValidateClaims(claims, policy, kNow);
  EXPECT_TRUE(status.ok()) << reason << "; got " << Describe(status);
}

void ExpectError(const ClaimsSet& claims, const ClaimsPolicy& policy,
                 ErrorCode expected, const std::string& reason) {
  auth::Status status = ValidateClaims(claims, policy, kNow);
  ASSERT_FALSE(status.ok()) << reason << "; got ok";
  EXPECT_EQ(status.error().code, expected)
      << reason << "; expected " << auth::ErrorCodeName(expected) << ", got "
      << Describe(status);
}

TEST(ClaimsExerciseTest, ExpBoundaryWithLeeway) {
  ExpectValid(WithExp(971), Leeway(30),
              "now 1000, leeway 30 s: exp 971 expires at 1001, so it is "
              "still valid");
  ExpectError(WithExp(970), Leeway(30), ErrorCode::kExpired,
              "now 1000, leeway 30 s: exp 970 expires at exactly 1000, and "
              "a token is expired from exp + leeway on");
  ExpectError(WithExp(969.5), Leeway(30), ErrorCode::kExpired,
              "now 1000, leeway 30 s: exp 969.5 expired half a second ago");
}

TEST(ClaimsExerciseTest, ExpBoundaryWithoutLeeway) {
  ExpectValid(WithExp(1001), Leeway(0), "now 1000: exp 1001 is in the future");
  ExpectError(WithExp(1000), Leeway(0), ErrorCode::kExpired,
              "now 1000, no leeway: a token is expired at exp itself");
  ExpectError(WithExp(1000), Leeway(-30), ErrorCode::kExpired,
              "a negative leeway counts as 0, so exp 1000 is expired at "
              "1000");
  ExpectValid(WithExp(1000.5), Leeway(0),
              "exp 1000.5 is half a second in the future (NumericDate may "
              "have a fraction)");
}

TEST(ClaimsExerciseTest, NbfBoundaryWithLeeway) {
  ClaimsSet claims = WithExp(5000);

  claims.nbf = Number(1030);
  ExpectValid(claims, Leeway(30),
              "now 1000, leeway 30 s: nbf 1030 is within the leeway, so the "
              "token is valid");

  claims.nbf = Number(1031);
  ExpectError(claims, Leeway(30), ErrorCode::kNotYetValid,
              "now 1000, leeway 30 s: nbf 1031 is one second past the "
              "leeway");

  claims.nbf = Number(1001);
  ExpectError(claims, Leeway(0), ErrorCode::kNotYetValid,
              "now 1000, no leeway: nbf 1001 is in the future");

  claims.nbf = Number(1000);
  ExpectValid(claims, Leeway(0), "now 1000: nbf 1000 is valid from now on");
}

TEST(ClaimsExerciseTest, ExpZeroIsExpiredNotAbsent) {
  ExpectError(WithExp(0), Leeway(30), ErrorCode::kExpired,
              "exp 0 is 1970-01-01, long expired; it is not a missing exp");

  ClaimsPolicy optional_exp = Leeway(30);
  optional_exp.require_exp = false;
  ExpectError(WithExp(0), optional_exp, ErrorCode::kExpired,
              "exp 0 is expired even when exp is optional: a present claim "
              "is always checked");
}

TEST(ClaimsExerciseTest, MissingExp) {
  ExpectError(ClaimsSet{}, Leeway(30), ErrorCode::kMissingClaim,
              "a token without exp never expires, so a policy that requires "
              "exp rejects it as a missing claim");

  ClaimsPolicy optional_exp = Leeway(30);
  optional_exp.require_exp = false;
  ExpectValid(ClaimsSet{}, optional_exp,
              "with require_exp off, a token without exp is valid");
}

TEST(ClaimsExerciseTest, WrongTypesAreMalformed) {
  ClaimsSet string_exp;
  string_exp.exp = NumericDateClaim{JsonType::kString, 0};
  ExpectError(string_exp, Leeway(30), ErrorCode::kMalformedClaim,
              "\"exp\":\"1300819380\" is a string, not a NumericDate: reject "
              "it, never coerce it");

  ClaimsSet bool_exp;
  bool_exp.exp = NumericDateClaim{JsonType::kBool, 0};
  ExpectError(bool_exp, Leeway(30), ErrorCode::kMalformedClaim,
              "\"exp\":true is a boolean, not a NumericDate");

  ClaimsSet null_nbf = WithExp(5000);
  null_nbf.nbf = NumericDateClaim{JsonType::kNull, 0};
  ExpectError(null_nbf, Leeway(30), ErrorCode::kMalformedClaim,
              "\"nbf\":null is not a NumericDate");

  ClaimsSet string_iat = WithExp(5000);
  string_iat.iat = NumericDateClaim{JsonType::kString, 0};
  ExpectError(string_iat, Leeway(30), ErrorCode::kMalformedClaim,
              "\"iat\":\"now\" is not a NumericDate, even though iat is only "
              "informational");

  ClaimsSet number_iss = WithExp(5000);
  number_iss.iss = StringClaim{JsonType::kNumber, ""};
  ExpectError(number_iss, Leeway(30), ErrorCode::kMalformedClaim,
              "\"iss\":42 is not a string");

  ClaimsSet object_aud = WithExp(5000);
  object_aud.aud = AudienceClaim{JsonType::kObject, {}, 0};
  ExpectError(object_aud, Leeway(30), ErrorCode::kMalformedClaim,
              "\"aud\":{} is neither a string nor an array of strings");

  ClaimsSet mixed_aud = WithExp(5000);
  mixed_aud.aud = AudienceClaim{JsonType::kArray, {"orders-api"}, 1};
  ExpectError(mixed_aud, Leeway(30), ErrorCode::kMalformedClaim,
              "\"aud\":[\"orders-api\",1] contains a non-string element");
}

TEST(ClaimsExerciseTest, TypesAreCheckedBeforeTimes) {
  ClaimsSet claims = WithExp(0);
  claims.iss = StringClaim{JsonType::kBool, ""};
  ExpectError(claims, Leeway(30), ErrorCode::kMalformedClaim,
              "the types are checked first: \"iss\":true is malformed even "
              "though exp 0 has also expired");
}

TEST(ClaimsExerciseTest, FractionalExpIsANumericDate) {
  ClaimsSet claims = WithExp(1.688117968E9);
  auth::Status status = ValidateClaims(claims, Leeway(0), 1'688'117'967);
  EXPECT_TRUE(status.ok()) << "exp 1.688117968E9 is a valid NumericDate, one "
                              "second after now (1688117967); got "
                           << Describe(status);
}

TEST(ClaimsExerciseTest, IssuerMustMatchExactly) {
  ClaimsPolicy policy = Leeway(30);
  policy.issuer = "https://id.example.com";
  ClaimsSet claims = WithExp(5000);

  claims.iss = String("https://id.example.com");
  ExpectValid(claims, policy, "iss equals the expected issuer");

  claims.iss = String("https://ID.example.com");
  ExpectError(claims, policy, ErrorCode::kIssuerMismatch,
              "iss is compared case-sensitively");

  claims.iss = String("https://id.example.com/");
  ExpectError(claims, policy, ErrorCode::kIssuerMismatch,
              "a trailing '/' makes another issuer");

  claims.iss = StringClaim{};
  ExpectError(claims, policy, ErrorCode::kMissingClaim,
              "the policy expects an issuer, and the token has no iss");
}

TEST(ClaimsExerciseTest, AudienceStringOrArray) {
  ClaimsPolicy policy = Leeway(30);
  policy.audience = "orders-api";
  ClaimsSet claims = WithExp(5000);

  claims.aud = AudienceClaim{JsonType::kString, {"orders-api"}, 0};
  ExpectValid(claims, policy, "aud \"orders-api\" is the expected audience");

  claims.aud =
      AudienceClaim{JsonType::kArray, {"billing-api", "orders-api"}, 0};
  ExpectValid(claims, policy,
              "aud [\"billing-api\",\"orders-api\"] contains the expected "
              "audience in second place");

  claims.aud = AudienceClaim{JsonType::kArray, {"billing-api"}, 0};
  ExpectError(claims, policy, ErrorCode::kAudienceMismatch,
              "aud [\"billing-api\"] does not contain \"orders-api\"");

  claims.aud = AudienceClaim{JsonType::kArray, {}, 0};
  ExpectError(claims, policy, ErrorCode::kAudienceMismatch,
              "an empty aud array contains no audience");

  claims.aud = AudienceClaim{};
  ExpectError(claims, policy, ErrorCode::kMissingClaim,
              "the policy expects an audience, and the token has no aud");
}

TEST(ClaimsExerciseTest, TypeIgnoresAsciiCase) {
  ClaimsPolicy policy = Leeway(30);
  policy.type = "at+jwt";
  ClaimsSet claims = WithExp(5000);

  claims.typ = String("AT+JWT");
  ExpectValid(claims, policy, "typ is a media type, compared ignoring case");

  claims.typ = String("JWT");
  ExpectError(claims, policy, ErrorCode::kTypeMismatch,
              "typ \"JWT\" is not an access token (\"at+jwt\")");

  claims.typ = StringClaim{};
  ExpectError(claims, policy, ErrorCode::kMissingClaim,
              "the policy expects typ \"at+jwt\", and the header has none");
}

TEST(ClaimsExerciseTest, EmptyPolicyFieldsSkipChecks) {
  ClaimsSet claims = WithExp(5000);
  claims.iss = String("anyone");
  claims.aud = AudienceClaim{JsonType::kString, {"anything"}, 0};
  claims.typ = String("JWT");
  ExpectValid(claims, Leeway(30),
              "a policy with no issuer, audience or type checks none of them");
}

}  // namespace
