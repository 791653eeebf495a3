// Bearer middleware exercise: the specification, step by step.
//
// Every case builds a real Authorization header. Tokens are signed here
// with an HS256 key of the auth library: the header and the claims are
// written as JSON text, so each case shows exactly what the token carries.
// The clock is a plain number (kNow), so expiry is exact.

#include "auth/service/bearer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/base64url.h"
#include "auth/claims.h"
#include "auth/errors.h"
#include "auth/jwk.h"

namespace {

using auth::ClaimsPolicy;
using auth::Key;
using auth::KeySet;
using auth::service::AuthenticateBearer;
using auth::service::BearerChallenge;
using auth::service::BearerError;
using auth::service::BearerErrorName;
using auth::service::BearerResult;
using auth::service::Principal;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::string_view kKeyId = "hs-1";
// HS256 secrets of at least 32 bytes, as auth::Key requires.
constexpr std::string_view kSecret = "bearer-exercise-secret-of-32-bytes!";
constexpr std::string_view kOtherSecret = "another-secret-that-is-32-bytes-long";

// kHeader is the JOSE header of a well-formed access token.
constexpr std::string_view kHeader =
    R"({"alg":"HS256","typ":"at+jwt","kid":"hs-1"})";

// Claims returns a claims set that passes VerifyJwt (issuer, audience and
// exp, 5 minutes ahead unless given), followed by `members`, the claims
// that a case is about.
std::string Claims(std::string_view members, std::int64_t exp = kNow + 300) {
  std::string claims = R"({"iss":"labkit-auth","aud":"labkit-api","exp":)" +
                       std::to_string(exp);
  if (!members.empty()) {
    claims += ',';
    claims += members;
  }
  claims += '}';
  return claims;
}

// kGoodClaims are the claims of a valid token with every principal claim.
const std::string kGoodClaims = Claims(
    R"("sub":"u42","tenant":"acme","roles":["viewer","admin","editor"],)"
    R"("sid":"family-7","jti":"token-9")");

std::string ErrorName(BearerError error) {
  const std::string_view name = BearerErrorName(error);
  return name.empty() ? "no error code" : std::string(name);
}

class BearerExerciseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auth::Result<Key> key = Key::FromSecret(kKeyId, kSecret);
    ASSERT_TRUE(key.ok()) << "the test key could not be made: "
                          << key.error().message;
    auth::Status added = keys_.Add(std::move(key).value());
    ASSERT_TRUE(added.ok()) << "the test key could not be added to the set: "
                            << added.error().message;
    policy_.issuer = "labkit-auth";
    policy_.audience = "labkit-api";
    policy_.type = "at+jwt";
  }

  // Sign returns the compact JWS of `header` and `claims` (JSON texts),
  // signed with an HS256 key of `secret`.
  static std::string Sign(std::string_view header, std::string_view claims,
                          std::string_view secret = kSecret) {
    auth::Result<Key> key = Key::FromSecret(kKeyId, secret);
    EXPECT_TRUE(key.ok()) << "the signing key could not be made";
    if (!key.ok()) return "";
    const std::string signing_input = auth::Base64UrlEncode(header) + "." +
                                      auth::Base64UrlEncode(claims);
    auth::Result<std::string> signature = key.value().Sign(signing_input);
    EXPECT_TRUE(signature.ok()) << "the test token could not be signed";
    if (!signature.ok()) return "";
    return signing_input + "." + auth::Base64UrlEncode(signature.value());
  }

  // Token returns an access token with the claims `claims`.
  static std::string Token(std::string_view claims) {
    return Sign(kHeader, claims);
  }

  BearerResult Authenticate(std::optional<std::string> header) const {
    if (!header.has_value()) {
      return AuthenticateBearer(std::nullopt, keys_, policy_, kNow);
    }
    return AuthenticateBearer(std::string_view(*header), keys_, policy_, kNow);
  }

  // ExpectRejected checks that `header` is rejected with `status` and
  // `error` and, unless `description` is nullopt, that description. It also
  // checks what every challenge must be: free of `token`, and with a
  // description that is plain ASCII without '"' or '\'.
  void ExpectRejected(const std::string& header, int status, BearerError error,
                      std::optional<std::string_view> description,
                      std::string_view token, const std::string& why) const {
    const BearerResult result = Authenticate(header);
    ASSERT_FALSE(result.ok())
        << why << ": the header \"" << header
        << "\" must be rejected, but it was accepted";
    const BearerChallenge& challenge = result.challenge();
    EXPECT_EQ(challenge.status, status)
        << why << ": expected HTTP " << status << " for \"" << header
        << "\", got " << challenge.status;
    EXPECT_EQ(challenge.error, error)
        << why << ": expected " << ErrorName(error) << " for \"" << header
        << "\", got " << ErrorName(challenge.error);
    if (description.has_value()) {
      EXPECT_EQ(challenge.description, *description)
          << why << ": wrong error_description for \"" << header << "\"";
    }
    ExpectNoToken(challenge, token, why);
    ExpectPlainDescription(challenge, why);
  }

  // ExpectNoToken checks that neither the description nor log_detail
  // contains `token`, or the last 16 characters of a longer one (the end
  // of a JWS signature).
  static void ExpectNoToken(const BearerChallenge& challenge,
                            std::string_view token, const std::string& why) {
    if (token.empty()) return;
    std::vector<std::string_view> parts = {token};
    if (token.size() > 16) parts.push_back(token.substr(token.size() - 16));
    for (std::string_view part : parts) {
      EXPECT_EQ(challenge.description.find(part), std::string::npos)
          << why << ": the error_description is sent to the client and must "
          << "never contain the token, but it is \"" << challenge.description
          << "\"";
      EXPECT_EQ(challenge.log_detail.find(part), std::string::npos)
          << why << ": log_detail goes to the logs and must never contain "
          << "the token, but it is \"" << challenge.log_detail << "\"";
    }
  }

  static void ExpectPlainDescription(const BearerChallenge& challenge,
                                     const std::string& why) {
    const bool plain = std::all_of(
        challenge.description.begin(), challenge.description.end(),
        [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
    EXPECT_TRUE(plain)
        << why << ": the error_description goes inside a quoted string of "
        << "WWW-Authenticate, so it must be printable ASCII without '\"' or "
        << "'\\', but it is \"" << challenge.description << "\"";
  }

  // ExpectAccepted checks that `header` is accepted and returns its
  // principal.
  Principal ExpectAccepted(const std::string& header,
                           const std::string& why) const {
    const BearerResult result = Authenticate(header);
    if (!result.ok()) {
      ADD_FAILURE() << why << ": the header must be accepted, but it got HTTP "
                    << result.challenge().status << " with "
                    << ErrorName(result.challenge().error) << " ("
                    << result.challenge().log_detail << ")";
      return Principal{};
    }
    return result.principal();
  }

  KeySet keys_;
  ClaimsPolicy policy_;
};

TEST_F(BearerExerciseTest, NoHeaderGetsABareChallenge) {
  const BearerResult result = Authenticate(std::nullopt);

  ASSERT_FALSE(result.ok())
      << "a request without an Authorization header must be rejected";
  EXPECT_EQ(result.challenge().status, 401)
      << "a request without credentials gets 401, not "
      << result.challenge().status;
  EXPECT_EQ(result.challenge().error, BearerError::kNone)
      << "a request without credentials gets no error code (RFC 6750 "
         "section 3.1), not "
      << ErrorName(result.challenge().error);
  EXPECT_EQ(result.challenge().WwwAuthenticate("labkit"),
            "Bearer realm=\"labkit\"")
      << "a request without credentials gets only the realm in "
         "WWW-Authenticate";
}

TEST_F(BearerExerciseTest, OtherSchemesGetABareChallenge) {
  const std::string token = Token(kGoodClaims);
  const std::string headers[] = {
      "Basic dXNlcjpwYXNzd29yZA==",
      "Digest username=\"u42\"",
      "Token " + token,
      "Bearer-" + token,
  };
  for (const std::string& header : headers) {
    ExpectRejected(header, 401, BearerError::kNone, std::nullopt, token,
                   "a scheme other than Bearer means no bearer credentials");
  }
}

TEST_F(BearerExerciseTest, SchemeNameIgnoresCase) {
  const std::string token = Token(kGoodClaims);
  for (const std::string scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    const Principal principal = ExpectAccepted(
        scheme + " " + token,
        "auth-scheme names are case-insensitive (RFC 9110 section 11.1), so "
        "\"" + scheme + "\" is the Bearer scheme");
    EXPECT_EQ(principal.subject, "u42")
        << "the scheme \"" << scheme << "\" must give the token's subject";
  }
}

TEST_F(BearerExerciseTest, SeveralSpacesBeforeTheToken) {
  const Principal principal = ExpectAccepted(
      "Bearer   " + Token(kGoodClaims),
      "the syntax is \"Bearer\" 1*SP b64token, so three spaces are allowed");
  EXPECT_EQ(principal.subject, "u42")
      << "three spaces before the token must still give its subject";
}

TEST_F(BearerExerciseTest, MissingTokenIsInvalidRequest) {
  for (const std::string header : {"Bearer", "Bearer ", "Bearer     "}) {
    ExpectRejected(header, 400, BearerError::kInvalidRequest, std::nullopt, "",
                   "\"Bearer\" without a token is a malformed request");
  }
}

TEST_F(BearerExerciseTest, MalformedTokenIsInvalidRequest) {
  const std::string token = Token(kGoodClaims);
  const std::string tokens[] = {
      "abc$def",            // '$' is not a b64token character
      "a=b",                // '=' only at the end
      "=abc",               // '=' only after at least one character
      "==",                 // padding alone
      token + " extra",     // a space inside the credentials
      token + "\t",         // a tab after the token
      "tok\"en",            // a quote
      "t%C3%A9",            // percent-encoding
      "caf\xc3\xa9",        // a byte above 0x7f
  };
  for (const std::string& bad : tokens) {
    ExpectRejected("Bearer " + bad, 400, BearerError::kInvalidRequest,
                   std::nullopt, bad,
                   "a token outside RFC 6750 section 2.1's b64token syntax "
                   "(letters, digits, - . _ ~ + / and trailing '=') is a "
                   "malformed request, rejected before any cryptography");
  }
}

TEST_F(BearerExerciseTest, ValidSyntaxGoesToVerification) {
  for (const std::string token : {"abc=", "abc==", "a.b.c=", "x+y/z~_-."}) {
    ExpectRejected("Bearer " + token, 401, BearerError::kInvalidToken,
                   "the access token is invalid", token,
                   "\"" + token + "\" is valid b64token syntax, so it goes "
                   "to verification and fails there as an invalid token");
  }
}

TEST_F(BearerExerciseTest, VerificationFailuresAreInvalidToken) {
  struct Case {
    const char* name;
    std::string token;
    const char* description;
  };
  const Case cases[] = {
      {"a token signed with another secret", Sign(kHeader, kGoodClaims,
                                                  kOtherSecret),
       "the access token signature is invalid"},
      {"an expired token (exp is now)",
       Token(Claims(R"("sub":"u42")", kNow)),
       "the access token has expired"},
      {"a token not valid yet (nbf a minute ahead)",
       Token(Claims(R"("sub":"u42","nbf":1700000060)")),
       "the access token is not valid yet"},
      {"a token of typ JWT, not at+jwt",
       Sign(R"({"alg":"HS256","typ":"JWT","kid":"hs-1"})", kGoodClaims),
       "the access token was not issued for this API"},
      {"a token for another audience",
       Token(R"({"iss":"labkit-auth","aud":"billing","exp":1700000300,)"
             R"("sub":"u42"})"),
       "the access token was not issued for this API"},
      {"a token from another issuer",
       Token(R"({"iss":"someone-else","aud":"labkit-api","exp":1700000300,)"
             R"("sub":"u42"})"),
       "the access token was not issued for this API"},
      {"a token with an unknown kid",
       Sign(R"({"alg":"HS256","typ":"at+jwt","kid":"hs-2"})", kGoodClaims),
       "the access token was signed with an unknown key"},
      {"a token with alg none",
       auth::Base64UrlEncode(R"({"alg":"none","typ":"at+jwt"})") + "." +
           auth::Base64UrlEncode(kGoodClaims) + ".",
       "the access token is invalid"},
  };
  for (const Case& c : cases) {
    ExpectRejected("Bearer " + c.token, 401, BearerError::kInvalidToken,
                   c.description, c.token,
                   std::string(c.name) +
                       " fails verification: 401 invalid_token described by "
                       "TokenErrorDescription");
  }
}

TEST_F(BearerExerciseTest, ExpiredTokenChallengeHeader) {
  const std::string token = Token(Claims(R"("sub":"u42")", kNow - 1000));
  const BearerResult result = Authenticate("Bearer " + token);

  ASSERT_FALSE(result.ok()) << "a token that expired 1000 s ago must be "
                               "rejected";
  EXPECT_EQ(result.challenge().WwwAuthenticate("labkit"),
            "Bearer realm=\"labkit\", error=\"invalid_token\", "
            "error_description=\"the access token has expired\"")
      << "an expired token's WWW-Authenticate must name invalid_token and "
         "say that the token has expired";
  EXPECT_FALSE(result.challenge().log_detail.empty())
      << "log_detail must give the verifier's reason for the logs";
}

TEST_F(BearerExerciseTest, MalformedClaimsAreInvalidToken) {
  struct Case {
    const char* name;
    const char* members;
  };
  const Case cases[] = {
      {"no sub", R"("tenant":"acme")"},
      {"an empty sub", R"("sub":"")"},
      {"a numeric sub", R"("sub":42)"},
      {"roles as a string, not an array", R"("sub":"u42","roles":"admin")"},
      {"roles with a number", R"("sub":"u42","roles":["viewer",7])"},
      {"roles as an object", R"("sub":"u42","roles":{"admin":true})"},
      {"a numeric tenant", R"("sub":"u42","tenant":5)"},
      {"an array tenant", R"("sub":"u42","tenant":["acme"])"},
      {"a boolean sid", R"("sub":"u42","sid":true)"},
      {"a null jti", R"("sub":"u42","jti":null)"},
  };
  for (const Case& c : cases) {
    const std::string token = Token(Claims(c.members));
    ExpectRejected("Bearer " + token, 401, BearerError::kInvalidToken,
                   std::nullopt, token,
                   std::string("a signed token with ") + c.name +
                       " cannot name a principal: a claim of the wrong type "
                       "is invalid, never coerced or skipped");
  }
}

TEST_F(BearerExerciseTest, GoodTokenGivesItsPrincipal) {
  const Principal principal =
      ExpectAccepted("Bearer " + Token(kGoodClaims), "a valid access token");

  EXPECT_EQ(principal.subject, "u42") << "subject comes from sub";
  EXPECT_EQ(principal.tenant, "acme") << "tenant comes from tenant";
  EXPECT_EQ(principal.roles,
            (std::vector<std::string>{"viewer", "admin", "editor"}))
      << "roles come from the roles array, in the token's order";
  EXPECT_EQ(principal.session_id, "family-7") << "session_id comes from sid";
  EXPECT_EQ(principal.token_id, "token-9") << "token_id comes from jti";
  EXPECT_EQ(principal.expires_at, 1700000300) << "expires_at comes from exp";
}

TEST_F(BearerExerciseTest, OptionalClaimsMayBeAbsent) {
  const Principal principal = ExpectAccepted(
      "Bearer " + Token(Claims(R"("sub":"u42")")),
      "a token with sub alone (tenant, roles, sid and jti are optional)");

  EXPECT_EQ(principal.subject, "u42") << "subject comes from sub";
  EXPECT_EQ(principal.tenant, "") << "no tenant claim means an empty tenant";
  EXPECT_TRUE(principal.roles.empty()) << "no roles claim means no roles";
  EXPECT_EQ(principal.session_id, "") << "no sid claim means an empty sid";
  EXPECT_EQ(principal.token_id, "") << "no jti claim means an empty token_id";
}

TEST_F(BearerExerciseTest, EmptyRolesArrayIsNoRoles) {
  const Principal principal =
      ExpectAccepted("Bearer " + Token(Claims(R"("sub":"u42","roles":[])")),
                     "a token with an empty roles array");
  EXPECT_TRUE(principal.roles.empty())
      << "an empty roles array gives a principal without roles";
}

}  // namespace
