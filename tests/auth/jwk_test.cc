// Tests of keys: generation, PEM and JWK loading and export, validation of
// key material, and JWKS documents.

#include <string>

#include <gtest/gtest.h>

#include "auth/jwk.h"

namespace {

using auth::Algorithm;
using auth::ErrorCode;
using auth::Key;
using auth::KeySet;

constexpr const char* kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* kA3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr const char* kEdX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* kEdD = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

std::string EcJwk(const std::string& x, const std::string& y,
                  const std::string& extra = "") {
  return R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y + "\"" +
         extra + "}";
}

// ErrorOf returns the error code's name, or "ok".
template <typename T>
std::string ErrorOf(const auth::Result<T>& result) {
  if (result.ok()) return "ok";
  return std::string(auth::ErrorCodeName(result.error().code));
}

TEST(KeyTest, GeneratedKeysSignAndVerify) {
  for (Algorithm algorithm :
       {Algorithm::kHs256, Algorithm::kEs256, Algorithm::kEdDsa}) {
    auth::Result<Key> key = Key::Generate(algorithm, "k1");
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key.value().algorithm(), algorithm);
    EXPECT_EQ(key.value().kid(), "k1");
    EXPECT_TRUE(key.value().has_private_key());
    auth::Result<std::string> signature = key.value().Sign("input");
    ASSERT_TRUE(signature.ok()) << signature.error().message;
    EXPECT_TRUE(key.value().Verify("input", signature.value()).ok())
        << AlgorithmName(algorithm) << ": own signature must verify";
    auth::Status other = key.value().Verify("inpuT", signature.value());
    ASSERT_FALSE(other.ok())
        << AlgorithmName(algorithm) << ": signature over other bytes";
    EXPECT_EQ(other.error().code, ErrorCode::kSignatureMismatch);
  }
}

TEST(KeyTest, PublicJwkRoundTrip) {
  for (Algorithm algorithm : {Algorithm::kEs256, Algorithm::kEdDsa}) {
    auth::Result<Key> key = Key::Generate(algorithm, "rotating-1");
    ASSERT_TRUE(key.ok());
    auth::Result<std::string> jwk = key.value().PublicJwk();
    ASSERT_TRUE(jwk.ok()) << jwk.error().message;
    EXPECT_EQ(jwk.value().find("\"d\""), std::string::npos)
        << "a public JWK must not contain the private part: " << jwk.value();

    auth::Result<Key> loaded = Key::FromJwk(jwk.value());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded.value().kid(), "rotating-1");
    EXPECT_EQ(loaded.value().algorithm(), algorithm);
    EXPECT_FALSE(loaded.value().has_private_key());

    auth::Result<std::string> signature = key.value().Sign("message");
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(loaded.value().Verify("message", signature.value()).ok())
        << "the exported public key must verify the private key's "
        << "signature";
  }
}

TEST(KeyTest, PublicPemRoundTrip) {
  for (Algorithm algorithm : {Algorithm::kEs256, Algorithm::kEdDsa}) {
    auth::Result<Key> key = Key::Generate(algorithm, "pem");
    ASSERT_TRUE(key.ok());
    auth::Result<std::string> pem = key.value().PublicPem();
    ASSERT_TRUE(pem.ok()) << pem.error().message;
    EXPECT_EQ(pem.value().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);

    auth::Result<Key> loaded = Key::FromPem(algorithm, "pem", pem.value());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_FALSE(loaded.value().has_private_key());
    auth::Result<std::string> signature = key.value().Sign("message");
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(loaded.value().Verify("message", signature.value()).ok());
  }
}

TEST(KeyTest, PemOfWrongTypeRejected) {
  auth::Result<Key> ed = Key::Generate(Algorithm::kEdDsa, "ed");
  ASSERT_TRUE(ed.ok());
  auth::Result<std::string> pem = ed.value().PublicPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(ErrorOf(Key::FromPem(Algorithm::kEs256, "x", pem.value())),
            "InvalidKey")
      << "an Ed25519 PEM key is not an ES256 key";
  EXPECT_EQ(ErrorOf(Key::FromPem(Algorithm::kHs256, "x", pem.value())),
            "InvalidKey")
      << "HS256 keys never come from PEM";
  EXPECT_EQ(ErrorOf(Key::FromPem(Algorithm::kEdDsa, "x", "not pem")),
            "InvalidKey");
  EXPECT_EQ(ErrorOf(Key::FromPem(Algorithm::kEdDsa, "x",
                                 "-----BEGIN PUBLIC KEY-----\nAAAA\n"
                                 "-----END PUBLIC KEY-----\n")),
            "InvalidKey");
}

TEST(KeyTest, PublicFormOfSecretRejected) {
  auth::Result<Key> key = Key::Generate(Algorithm::kHs256, "s");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(ErrorOf(key.value().PublicJwk()), "InvalidKey")
      << "an HMAC secret has no public form";
  EXPECT_EQ(ErrorOf(key.value().PublicPem()), "InvalidKey");
}

TEST(KeyTest, JwkMembersValidated) {
  struct Case {
    std::string jwk;
    const char* reason;
  };
  const Case cases[] = {
      {EcJwk(kA3X, kA3X), "y is not the point's y: off the curve"},
      {EcJwk(kA3X, kA3Y, R"(,"d":")" + std::string(kEdD) + "\""),
       "d does not match x and y"},
      {EcJwk(std::string(kA3X).substr(0, 42), kA3Y), "x is 31 bytes"},
      {EcJwk(kA3X, kA3Y, R"(,"alg":"ES384")"), "alg does not fit P-256"},
      {EcJwk(kA3X, kA3Y, R"(,"alg":"HS256")"), "alg does not fit EC"},
      {EcJwk(kA3X, kA3Y, R"(,"use":"enc")"), "use is not sig"},
      {EcJwk(kA3X, kA3Y, R"(,"kid":5)"), "kid is not a string"},
      {R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})", "P-384"},
      {R"({"kty":"RSA","n":"AQAB","e":"AQAB"})", "RSA"},
      {R"({"kty":"OKP","crv":"Ed25519","x":")" + std::string(kEdX) +
           R"(","d":")" + kA3D + "\"}",
       "x is not the public key of d"},
      {R"({"kty":"OKP","crv":"X25519","x":")" + std::string(kEdX) + "\"}",
       "X25519 is for key agreement"},
      {R"({"kty":"oct","k":"c2hvcnQ"})", "5-byte HS256 secret"},
      {R"({"kty":"oct"})", "k is missing"},
      {R"({"kty":"oct","k":"AAAA="})", "padded base64url"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(Key::FromJwk(c.jwk)), "InvalidKey") << c.reason;
  }
  EXPECT_EQ(ErrorOf(Key::FromJwk(R"({"kty":"EC","kty":"oct"})")),
            "DuplicateMember");
}

TEST(KeyTest, JwkPrivateKeysLoad) {
  auth::Result<Key> ec = Key::FromJwk(EcJwk(
      kA3X, kA3Y, R"(,"d":")" + std::string(kA3D) + R"(","kid":"a3")"));
  ASSERT_TRUE(ec.ok()) << ec.error().message;
  EXPECT_TRUE(ec.value().has_private_key());
  EXPECT_EQ(ec.value().kid(), "a3");
  auth::Result<Key> ed = Key::FromJwk(
      R"({"kty":"OKP","crv":"Ed25519","alg":"EdDSA","use":"sig","x":")" +
      std::string(kEdX) + R"(","d":")" + kEdD + "\"}");
  ASSERT_TRUE(ed.ok()) << ed.error().message;
  EXPECT_TRUE(ed.value().has_private_key());
  auth::Result<std::string> jwk = ed.value().PublicJwk();
  ASSERT_TRUE(jwk.ok());
  EXPECT_NE(jwk.value().find(kEdX), std::string::npos)
      << "the exported x must be the RFC 8037 public key: " << jwk.value();
}

TEST(KeySetTest, JwksWithSeveralKeys) {
  auth::Result<Key> a = Key::Generate(Algorithm::kEs256, "a");
  auth::Result<Key> b = Key::Generate(Algorithm::kEdDsa, "b");
  auth::Result<Key> secret = Key::Generate(Algorithm::kHs256, "s");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  KeySet set;
  ASSERT_TRUE(set.Add(a.value()).ok());
  ASSERT_TRUE(set.Add(b.value()).ok());
  ASSERT_TRUE(set.Add(secret.value()).ok());

  auth::Result<std::string> jwks = set.PublicJwks();
  ASSERT_TRUE(jwks.ok()) << jwks.error().message;
  auth::Result<KeySet> loaded = KeySet::FromJwks(jwks.value());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded.value().size(), 2u)
      << "the published JWKS has the two public keys, never the secret";
  ASSERT_NE(loaded.value().Find("a"), nullptr);
  ASSERT_NE(loaded.value().Find("b"), nullptr);
  EXPECT_EQ(loaded.value().Find("s"), nullptr);

  auth::Result<std::string> signature = b.value().Sign("m");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(loaded.value().Find("b")->Verify("m", signature.value()).ok());
}

TEST(KeySetTest, KidRules) {
  auth::Result<Key> a = Key::Generate(Algorithm::kEs256, "a");
  auth::Result<Key> a_again = Key::Generate(Algorithm::kEdDsa, "a");
  auth::Result<Key> unnamed = Key::Generate(Algorithm::kEdDsa, "");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(a_again.ok()) << a_again.error().message;
  ASSERT_TRUE(unnamed.ok()) << unnamed.error().message;

  KeySet set;
  ASSERT_TRUE(set.Add(a.value()).ok());
  auth::Status duplicate = set.Add(a_again.value());
  ASSERT_FALSE(duplicate.ok()) << "two keys with kid 'a'";
  EXPECT_EQ(duplicate.error().code, ErrorCode::kInvalidKey);
  auth::Status second_unnamed = set.Add(unnamed.value());
  ASSERT_FALSE(second_unnamed.ok()) << "a key without kid in a larger set";
  EXPECT_EQ(second_unnamed.error().code, ErrorCode::kInvalidKey);

  KeySet single;
  EXPECT_TRUE(single.Add(unnamed.value()).ok())
      << "one key without a kid is a valid set";
  EXPECT_FALSE(single.Add(a.value()).ok())
      << "no key may join a set whose only key has no kid";
}

TEST(KeySetTest, MalformedJwksRejected) {
  EXPECT_EQ(ErrorOf(KeySet::FromJwks("{}")), "InvalidKey");
  EXPECT_EQ(ErrorOf(KeySet::FromJwks(R"({"keys":{}})")), "InvalidKey");
  EXPECT_EQ(ErrorOf(KeySet::FromJwks(R"({"keys":[1]})")), "InvalidKey");
  EXPECT_EQ(ErrorOf(KeySet::FromJwks(R"({"keys":[],"keys":[]})")),
            "DuplicateMember");
  EXPECT_EQ(ErrorOf(KeySet::FromJwks("[]")), "InvalidJson");
}

}  // namespace
