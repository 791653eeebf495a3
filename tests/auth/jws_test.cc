// Tests of JWS compact serialization: the RFC 7515 and RFC 8037 vectors,
// and forged or malformed tokens, each with its exact error.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/base64url.h"
#include "auth/hs256.h"
#include "auth/jwk.h"
#include "auth/jws.h"

namespace {

using auth::Algorithm;
using auth::ErrorCode;
using auth::Key;
using auth::KeySet;

// RFC 7515 Appendix A.1: HS256. The header is {"typ":"JWT",CRLF "alg":"HS256"}.
constexpr const char* kA1Header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr const char* kA1Payload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
    "\"http://example.com/is_root\":true}";
constexpr const char* kA1Key =
    R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
constexpr const char* kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// RFC 7515 Appendix A.3: ES256, same payload, header {"alg":"ES256"}.
constexpr const char* kA3Key =
    R"({"kty":"EC","crv":"P-256",)"
    R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",)"
    R"("d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})";
constexpr const char* kA3SigningInput =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr const char* kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQ"
    "xfKTUJqPP3-Kg6NU1Q";

// RFC 8037 Appendix A.4: Ed25519 signing of a plain-text payload.
constexpr const char* kEd25519Key =
    R"({"kty":"OKP","crv":"Ed25519",)"
    R"("d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char* kEd25519Token =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsP"
    "t9g7sVvpAr_MuM0KAg";

// The order n of the P-256 group, big-endian.
const std::string kP256Order =
    "\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"
    "\xbc\xe6\xfa\xad\xa7\x17\x9e\x84\xf3\xb9\xca\xc2\xfc\x63\x25\x51";

Key LoadJwk(const char* jwk) {
  auth::Result<Key> key = Key::FromJwk(jwk);
  if (!key.ok()) ADD_FAILURE() << "loading a test key: " << key.error().message;
  return std::move(key).value();
}

KeySet SetOf(std::vector<Key> keys) {
  KeySet set;
  for (Key& key : keys) {
    auth::Status added = set.Add(std::move(key));
    if (!added.ok()) ADD_FAILURE() << added.error().message;
  }
  return set;
}

// Outcome returns "verified" or the error code's name.
template <typename T>
std::string Outcome(const auth::Result<T>& result) {
  if (result.ok()) return "verified";
  return std::string(auth::ErrorCodeName(result.error().code));
}

// Forge returns BASE64URL(header).BASE64URL(payload).BASE64URL(signature).
std::string Forge(std::string_view header, std::string_view payload,
                  std::string_view signature) {
  return auth::Base64UrlEncode(header) + "." +
         auth::Base64UrlEncode(payload) + "." +
         auth::Base64UrlEncode(signature);
}

// ForgeHmac returns a token for `header` and `payload` whose HS256 MAC uses
// `secret`, whatever alg the header names.
std::string ForgeHmac(std::string_view header, std::string_view payload,
                      std::string_view secret) {
  const std::string input = auth::Base64UrlEncode(header) + "." +
                            auth::Base64UrlEncode(payload);
  auth::Result<std::string> mac = auth::SignHs256(secret, input);
  if (!mac.ok()) ADD_FAILURE() << mac.error().message;
  return input + "." + auth::Base64UrlEncode(mac.value());
}

// ---- Standard vectors ----------------------------------------------------

TEST(JwsVectorTest, Rfc7515A1Hs256Verifies) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  auth::Result<auth::VerifiedJws> jws = auth::VerifyJws(keys, kA1Token);
  ASSERT_TRUE(jws.ok()) << "the RFC 7515 A.1 token must verify over its "
                        << "bytes as received (CRLF in the header): "
                        << jws.error().message;
  EXPECT_EQ(jws.value().payload, kA1Payload) << "payload bytes, with CRLF";
  EXPECT_EQ(jws.value().header.at("alg"), "HS256");
}

TEST(JwsVectorTest, Rfc7515A1Hs256SignsByteForByte) {
  Key key = LoadJwk(kA1Key);
  auth::Result<std::string> token = auth::SignJws(key, kA1Header, kA1Payload);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token.value(), kA1Token)
      << "HMAC is deterministic, so signing the A.1 header and payload "
      << "must reproduce the A.1 token exactly";
}

TEST(JwsVectorTest, Rfc7515A3Es256Verifies) {
  KeySet keys = SetOf({LoadJwk(kA3Key)});
  const std::string token = std::string(kA3SigningInput) + "." + kA3Signature;
  auth::Result<auth::VerifiedJws> jws = auth::VerifyJws(keys, token);
  ASSERT_TRUE(jws.ok()) << "the RFC 7515 A.3 token (64-byte R||S) must "
                        << "verify: " << jws.error().message;
  EXPECT_EQ(jws.value().payload, kA1Payload);
}

TEST(JwsVectorTest, Es256SignatureIsRawRAndS) {
  Key key = LoadJwk(kA3Key);
  auth::Result<std::string> token =
      auth::SignJws(key, R"({"alg":"ES256"})", kA1Payload);
  ASSERT_TRUE(token.ok()) << token.error().message;
  const std::string signature_text =
      token.value().substr(token.value().rfind('.') + 1);
  auth::Result<std::string> signature = auth::Base64UrlDecode(signature_text);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature.value().size(), 64u)
      << "an ES256 signature is R||S, 64 bytes, never DER";
  KeySet keys = SetOf({LoadJwk(kA3Key)});
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, token.value())), "verified")
      << "a fresh ES256 signature must verify";
}

TEST(JwsVectorTest, Rfc8037A4Ed25519SignsByteForByte) {
  Key key = LoadJwk(kEd25519Key);
  auth::Result<std::string> token = auth::SignJws(
      key, R"({"alg":"EdDSA"})", "Example of Ed25519 signing");
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token.value(), kEd25519Token)
      << "Ed25519 is deterministic, so the RFC 8037 A.4 token must be "
      << "reproduced byte for byte";
}

TEST(JwsVectorTest, Rfc8037A4Ed25519Verifies) {
  KeySet keys = SetOf({LoadJwk(kEd25519Key)});
  auth::Result<auth::VerifiedJws> jws = auth::VerifyJws(keys, kEd25519Token);
  ASSERT_TRUE(jws.ok()) << jws.error().message;
  EXPECT_EQ(jws.value().payload, "Example of Ed25519 signing")
      << "the JWS layer accepts any payload bytes, plain text included";
}

// ---- Case 1: alg "none" --------------------------------------------------

TEST(JwsForgedTest, AlgNoneInEveryCaseRejected) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  for (const char* alg : {"none", "None", "NONE", "nOnE", "NoNe", "nONE"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"("})";
    const std::string token = Forge(header, kA1Payload, "");
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "AlgNone")
        << "alg '" << alg << "' with an empty signature must be rejected "
        << "while the verifier holds an HS256 key";
  }
}

TEST(JwsForgedTest, AlgNoneRejectedBeforeKeySelection) {
  // The kid names no key, and the second set is empty: if "none" were not
  // rejected first, the error would be about the key instead.
  const std::string token =
      Forge(R"({"alg":"none","kid":"missing"})", kA1Payload, "");
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "AlgNone");
  EXPECT_EQ(Outcome(auth::VerifyJws(KeySet(), token)), "AlgNone")
      << "alg none is rejected before any key is looked at";
}

TEST(JwsForgedTest, AlgNoneWithSignatureRejected) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  const std::string token =
      ForgeHmac(R"({"alg":"none"})", kA1Payload, "any secret");
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "AlgNone");
}

// ---- Case 2: algorithm/key confusion -------------------------------------

TEST(JwsForgedTest, HmacWithPublicKeyPemRejected) {
  for (Algorithm algorithm : {Algorithm::kEs256, Algorithm::kEdDsa}) {
    auth::Result<Key> key = Key::Generate(algorithm, "service");
    ASSERT_TRUE(key.ok()) << key.error().message;
    auth::Result<std::string> pem = key.value().PublicPem();
    ASSERT_TRUE(pem.ok()) << pem.error().message;
    ASSERT_EQ(pem.value().back(), '\n') << "PEM text ends in a newline";
    KeySet keys = SetOf({std::move(key).value()});

    // With and without the kid, with and without the trailing newline.
    for (const char* header : {R"({"alg":"HS256","typ":"JWT"})",
                               R"({"alg":"HS256","kid":"service"})"}) {
      for (const std::string& secret :
           {pem.value(), pem.value().substr(0, pem.value().size() - 1)}) {
        EXPECT_EQ(Outcome(auth::VerifyJws(
                      keys, ForgeHmac(header, kA1Payload, secret))),
                  "AlgorithmMismatch")
            << "an HS256 token MACed with the " << AlgorithmName(algorithm)
            << " public key's PEM must be rejected: the key's own "
            << "algorithm decides, not the header";
      }
    }
  }
}

TEST(JwsForgedTest, HmacWithEmptySecretRejected) {
  auth::Result<Key> es256 = Key::Generate(Algorithm::kEs256, "service");
  ASSERT_TRUE(es256.ok());
  KeySet public_keys = SetOf({std::move(es256).value()});
  const std::string token = ForgeHmac(R"({"alg":"HS256"})", kA1Payload, "");
  EXPECT_EQ(Outcome(auth::VerifyJws(public_keys, token)), "AlgorithmMismatch")
      << "an empty-secret HS256 token against an ES256 key";

  KeySet hmac_keys = SetOf({LoadJwk(kA1Key)});
  EXPECT_EQ(Outcome(auth::VerifyJws(hmac_keys, token)), "SignatureMismatch")
      << "an empty-secret HS256 token against the real HS256 key";
}

TEST(JwsForgedTest, PemAndShortSecretsAreNotHmacKeys) {
  auth::Result<Key> es256 = Key::Generate(Algorithm::kEs256, "service");
  ASSERT_TRUE(es256.ok());
  auth::Result<std::string> pem = es256.value().PublicPem();
  ASSERT_TRUE(pem.ok());
  auth::Result<Key> from_pem = Key::FromSecret("confused", pem.value());
  ASSERT_FALSE(from_pem.ok()) << "PEM text must never become an HMAC secret";
  EXPECT_EQ(from_pem.error().code, ErrorCode::kInvalidKey);

  for (std::size_t length : {0u, 1u, 31u}) {
    auth::Result<Key> short_key =
        Key::FromSecret("short", std::string(length, 'k'));
    ASSERT_FALSE(short_key.ok())
        << "a " << length << "-byte HS256 secret is under the 32 bytes "
        << "RFC 7518 section 3.2 requires";
    EXPECT_EQ(short_key.error().code, ErrorCode::kInvalidKey);
  }
  EXPECT_TRUE(Key::FromSecret("ok", std::string(32, 'k')).ok());
}

TEST(JwsForgedTest, HeaderNeverChoosesKeyType) {
  // An ES256 token presented to an HS256 key, and the reverse.
  Key es256 = LoadJwk(kA3Key);
  auth::Result<std::string> es_token =
      auth::SignJws(es256, R"({"alg":"ES256"})", kA1Payload);
  ASSERT_TRUE(es_token.ok());
  KeySet hmac_keys = SetOf({LoadJwk(kA1Key)});
  EXPECT_EQ(Outcome(auth::VerifyJws(hmac_keys, es_token.value())),
            "AlgorithmMismatch");

  KeySet ec_keys = SetOf({LoadJwk(kA3Key)});
  EXPECT_EQ(Outcome(auth::VerifyJws(ec_keys, kA1Token)), "AlgorithmMismatch");

  KeySet ed_keys = SetOf({LoadJwk(kEd25519Key)});
  const std::string as_es256 =
      Forge(R"({"alg":"ES256"})", "x", std::string(64, '\x01'));
  EXPECT_EQ(Outcome(auth::VerifyJws(ed_keys, as_es256)), "AlgorithmMismatch")
      << "an Ed25519 key is used only for EdDSA";
}

TEST(JwsForgedTest, AlgMustMatchExactly) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  for (const char* alg : {"hs256", "Hs256", "HS256 ", "HS384"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"("})";
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, ForgeHmac(header, "x",
                                                      std::string(64, 'k')))),
              "UnsupportedAlgorithm")
        << "alg '" << alg << "' is not exactly HS256, and is not implemented";
  }
}

// ---- Case 3: ES256 zero and out-of-range signatures ----------------------

TEST(JwsForgedTest, Es256ScalarsOutOfRangeRejected) {
  KeySet keys = SetOf({LoadJwk(kA3Key)});
  auth::Result<std::string> valid = auth::Base64UrlDecode(kA3Signature);
  ASSERT_TRUE(valid.ok());
  const std::string r = valid.value().substr(0, 32);
  const std::string s = valid.value().substr(32);
  const std::string zero(32, '\0');
  std::string n_plus_one = kP256Order;
  n_plus_one.back() = static_cast<char>(n_plus_one.back() + 1);
  const std::string all_ones(32, '\xff');

  struct Case {
    const char* name;
    std::string signature;
  };
  const Case cases[] = {
      {"r = s = 0", zero + zero},
      {"r = s = n", kP256Order + kP256Order},
      {"r = 0", zero + s},
      {"s = 0", r + zero},
      {"r = n", kP256Order + s},
      {"s = n", r + kP256Order},
      {"s = n + 1", r + n_plus_one},
      {"r = 2^256 - 1", all_ones + s},
  };
  for (const Case& c : cases) {
    const std::string token = std::string(kA3SigningInput) + "." +
                              auth::Base64UrlEncode(c.signature);
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "MalformedSignature")
        << "an ES256 signature with " << c.name << " must be rejected";
  }
}

TEST(JwsForgedTest, Es256AlteredSignatureMismatches) {
  KeySet keys = SetOf({LoadJwk(kA3Key)});
  auth::Result<std::string> signature = auth::Base64UrlDecode(kA3Signature);
  ASSERT_TRUE(signature.ok());
  for (std::size_t byte : {0u, 31u, 32u, 63u}) {
    std::string altered = signature.value();
    altered[byte] = static_cast<char>(altered[byte] ^ 0x01);
    const std::string token = std::string(kA3SigningInput) + "." +
                              auth::Base64UrlEncode(altered);
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "SignatureMismatch")
        << "flipping a bit of signature byte " << byte;
  }
}

// ---- Case 7: duplicate names in the header -------------------------------

TEST(JwsForgedTest, DuplicateHeaderNamesRejected) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  for (const char* header :
       {R"({"alg":"HS256","alg":"none"})", R"({"alg":"none","alg":"HS256"})",
        R"({"alg":"HS256","alg":"HS256"})",
        R"({"alg":"HS256","\u0061lg":"none"})",
        R"({"alg":"HS256","kid":"a","kid":"b"})"}) {
    const std::string token = ForgeHmac(header, kA1Payload, "any secret");
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "DuplicateMember")
        << "header " << header << " must be rejected";
  }
}

// ---- Case 8: malformed signatures, size cap ------------------------------

TEST(JwsForgedTest, ShortSignatureRejectedWithoutCrash) {
  struct Case {
    const char* header;
    const char* key;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"alg":"ES256"})", kA3Key, "MalformedSignature"},
      {R"({"alg":"EdDSA"})", kEd25519Key, "MalformedSignature"},
      {R"({"alg":"HS256"})", kA1Key, "MalformedSignature"},
      {R"({"alg":"RS256"})", kA3Key, "UnsupportedAlgorithm"},
  };
  for (const Case& c : cases) {
    KeySet keys = SetOf({LoadJwk(c.key)});
    for (const char* signature : {"AAAA", "", "AA", "AAAAAAAAAAAAAAAAAAAAAA"}) {
      const std::string token = auth::Base64UrlEncode(c.header) + "." +
                                auth::Base64UrlEncode("{}") + "." + signature;
      EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), c.expected)
          << c.header << " with signature '" << signature << "'";
    }
  }
}

TEST(JwsForgedTest, HmacComparedOverAllBytes) {
  // A MAC wrong only in its last byte fails like one wrong in its first.
  // NOTE: the timing is not measured here. The comparison is CRYPTO_memcmp,
  // whose time does not depend on where the bytes differ.
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  const std::string token(kA1Token);
  const std::size_t dot = token.rfind('.');
  auth::Result<std::string> mac = auth::Base64UrlDecode(token.substr(dot + 1));
  ASSERT_TRUE(mac.ok());
  for (std::size_t byte : {0u, 15u, 31u}) {
    std::string altered = mac.value();
    altered[byte] = static_cast<char>(altered[byte] ^ 0x80);
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, token.substr(0, dot + 1) +
                                                auth::Base64UrlEncode(altered))),
              "SignatureMismatch")
        << "MAC byte " << byte << " altered";
  }
}

TEST(JwsForgedTest, OversizeTokenRejectedBeforeParsing) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  // 8 KiB + 1 of dots: parsing would report a malformed token instead.
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, std::string(8 * 1024 + 1, '.'))),
            "TokenTooLarge");
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, std::string(1 << 20, 'A'))),
            "TokenTooLarge");

  auth::JwsOptions small;
  small.max_token_bytes = 64;
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, kA1Token, small)), "TokenTooLarge")
      << "the cap is configurable";
}

TEST(JwsForgedTest, TokenAtSizeCapAccepted) {
  Key key = LoadJwk(kA1Key);
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  // Grow the payload until the token is exactly 8192 bytes.
  const std::string header = R"({"alg":"HS256"})";
  std::string padding;
  std::string token;
  while (true) {
    auth::Result<std::string> signed_token =
        auth::SignJws(key, header, R"({"p":")" + padding + "\"}");
    ASSERT_TRUE(signed_token.ok());
    token = signed_token.value();
    if (token.size() >= auth::kDefaultMaxTokenBytes) break;
    padding += 'x';
  }
  ASSERT_EQ(token.size(), auth::kDefaultMaxTokenBytes)
      << "test setup: expected a token of exactly the cap";
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, token)), "verified")
      << "a token of exactly 8192 bytes is within the cap";
}

// ---- Other malformed tokens ----------------------------------------------

TEST(JwsMalformedTest, SegmentCountAndEncoding) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  const std::string token(kA1Token);
  struct Case {
    std::string token;
    const char* expected;
  };
  const Case cases[] = {
      {"", "MalformedToken"},
      {".", "MalformedToken"},
      {"a.b", "MalformedToken"},
      {token + ".", "MalformedToken"},
      {token + ".AAAA", "MalformedToken"},
      {"..", "InvalidJson"},
      {"=" + token, "InvalidBase64url"},
      {token + "=", "InvalidBase64url"},
      {" " + token, "InvalidBase64url"},
      {token + "\n", "InvalidBase64url"},
      {"eyJhbGciOiJIUzI1NiJ9+." + token.substr(token.find('.') + 1),
       "InvalidBase64url"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, c.token)), c.expected)
        << "token '" << c.token.substr(0, 40) << "'";
  }
}

TEST(JwsMalformedTest, HeaderFields) {
  KeySet keys = SetOf({LoadJwk(kA1Key)});
  const std::string secret = "unused: these fail before the MAC is checked";
  struct Case {
    const char* header;
    const char* expected;
  };
  const Case cases[] = {
      {"[]", "InvalidJson"},
      {"\"HS256\"", "InvalidJson"},
      {"{\"alg\":\"HS256\"", "InvalidJson"},
      {"{}", "MalformedHeader"},
      {R"({"alg":null})", "MalformedHeader"},
      {R"({"alg":256})", "MalformedHeader"},
      {R"({"alg":["HS256"]})", "MalformedHeader"},
      {R"({"alg":"HS256","kid":7})", "MalformedHeader"},
      {R"({"alg":"HS256","crit":["exp"],"exp":1})", "UnsupportedCritical"},
      {R"({"alg":"HS256","kid":"other"})", "UnknownKeyId"},
      {R"({"alg":""})", "UnsupportedAlgorithm"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Outcome(auth::VerifyJws(keys, ForgeHmac(c.header, "{}", secret))),
              c.expected)
        << "header " << c.header;
  }
}

TEST(JwsMalformedTest, ErrorMessageOmitsToken) {
  KeySet keys = SetOf({LoadJwk(kA3Key)});
  auth::Result<auth::VerifiedJws> jws = auth::VerifyJws(keys, kA1Token);
  ASSERT_FALSE(jws.ok());
  EXPECT_EQ(jws.error().message.find("eyJ"), std::string::npos)
      << "an error message must not carry the token: "
      << jws.error().message;
}

// ---- Key rotation ---------------------------------------------------------

TEST(JwsKeySetTest, RotationSelectsKeyByKid) {
  auth::Result<Key> old_key = Key::Generate(Algorithm::kEs256, "2024-01");
  auth::Result<Key> new_key = Key::Generate(Algorithm::kEdDsa, "2024-02");
  ASSERT_TRUE(old_key.ok()) << old_key.error().message;
  ASSERT_TRUE(new_key.ok()) << new_key.error().message;
  auth::Result<std::string> old_token = auth::SignJws(
      old_key.value(), R"({"alg":"ES256","kid":"2024-01"})", "{}");
  auth::Result<std::string> new_token = auth::SignJws(
      new_key.value(), R"({"alg":"EdDSA","kid":"2024-02"})", "{}");
  ASSERT_TRUE(old_token.ok()) << old_token.error().message;
  ASSERT_TRUE(new_token.ok()) << new_token.error().message;

  KeySet keys = SetOf({old_key.value(), new_key.value()});
  auth::Result<auth::VerifiedJws> old_jws =
      auth::VerifyJws(keys, old_token.value());
  ASSERT_TRUE(old_jws.ok()) << old_jws.error().message;
  EXPECT_EQ(old_jws.value().key->kid(), "2024-01");
  auth::Result<auth::VerifiedJws> new_jws =
      auth::VerifyJws(keys, new_token.value());
  ASSERT_TRUE(new_jws.ok()) << new_jws.error().message;
  EXPECT_EQ(new_jws.value().key->kid(), "2024-02");

  // Without a kid, a set of two keys cannot choose.
  auth::Result<std::string> no_kid =
      auth::SignJws(new_key.value(), R"({"alg":"EdDSA"})", "{}");
  ASSERT_TRUE(no_kid.ok());
  EXPECT_EQ(Outcome(auth::VerifyJws(keys, no_kid.value())), "KeyIdRequired");

  // After the old key is retired, its tokens fail.
  KeySet rotated = SetOf({new_key.value()});
  EXPECT_EQ(Outcome(auth::VerifyJws(rotated, old_token.value())),
            "UnknownKeyId");
}

TEST(JwsKeySetTest, SignerChecksHeader) {
  Key key = LoadJwk(kA1Key);
  EXPECT_EQ(Outcome(auth::SignJws(key, R"({"alg":"ES256"})", "{}")),
            "AlgorithmMismatch")
      << "an HS256 key cannot sign a header that says ES256";
  EXPECT_EQ(Outcome(auth::SignJws(key, R"({"alg":"none"})", "{}")),
            "AlgorithmMismatch");
  EXPECT_EQ(Outcome(auth::SignJws(key, R"({"alg":"HS256","kid":"x"})", "{}")),
            "MalformedHeader")
      << "the header's kid must be the key's kid";
  auth::Result<Key> public_only =
      Key::FromJwk(R"({"kty":"EC","crv":"P-256",)"
                   R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                   R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})");
  ASSERT_TRUE(public_only.ok()) << public_only.error().message;
  EXPECT_EQ(Outcome(auth::SignJws(public_only.value(), R"({"alg":"ES256"})",
                                  "{}")),
            "InvalidKey")
      << "a public key cannot sign";
}

}  // namespace
