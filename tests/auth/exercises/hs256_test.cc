// HS256 exercise: the specification, step by step.
//
// Signing is checked against published vectors. Verification is checked
// against every way a forged MAC can differ from the real one: any single
// byte, a shortened MAC, a longer one, another key, another input.

#include "auth/hs256.h"

#include <gtest/gtest.h>

#include <string>

#include "auth/base64url.h"

namespace {

using auth::ErrorCode;
using auth::SignHs256;
using auth::VerifyHs256;

// ToHex returns the lowercase hex of `bytes`, as RFC 4231 prints MACs.
std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

struct Vector {
  const char* name;
  std::string key;
  std::string data;
  const char* mac_hex;
};

// RFC 4231 section 4: HMAC-SHA-256 test cases 1, 2 and 6 (a key longer
// than SHA-256's 64-byte block, which HMAC hashes first).
const Vector kRfc4231[] = {
    {"RFC 4231 test case 1", std::string(20, '\x0b'), "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"RFC 4231 test case 2", "Jefe", "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"RFC 4231 test case 6", std::string(131, '\xaa'),
     "Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
};

// RFC 7515 Appendix A.1: the signing input is the two segments as sent (the
// header JSON contains CRLF), and the key is the JWK's "k", base64url.
constexpr const char* kA1SigningInput =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr const char* kA1KeyBase64 =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUu"
    "TwjAzZr1Z9CAow";
constexpr const char* kA1Signature =
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

std::string A1Key() { return auth::Base64UrlDecode(kA1KeyBase64).value(); }

constexpr const char* kSecret = "a 32-byte secret for HS256 tests";
constexpr const char* kInput = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1NDIifQ";

// RealMac returns the MAC of kInput under kSecret (RFC 4231 vectors above
// pin SignHs256 down, so the verify tests may rely on it).
std::string RealMac() {
  auth::Result<std::string> mac = SignHs256(kSecret, kInput);
  EXPECT_TRUE(mac.ok()) << "SignHs256 must succeed for any secret and input";
  return mac.ok() ? mac.value() : std::string();
}

TEST(Hs256ExerciseTest, SignsRfc4231Vectors) {
  for (const Vector& v : kRfc4231) {
    auth::Result<std::string> mac = SignHs256(v.key, v.data);
    ASSERT_TRUE(mac.ok()) << v.name << ": SignHs256 failed: "
                          << mac.error().message;
    EXPECT_EQ(mac.value().size(), auth::kHs256MacBytes)
        << v.name << ": an HS256 MAC is 32 bytes";
    EXPECT_EQ(ToHex(mac.value()), v.mac_hex)
        << v.name << ": HMAC-SHA-256 of the data under the key is wrong "
                     "(is the key the HMAC key, and the data the message?)";
  }
}

TEST(Hs256ExerciseTest, SignsRfc7515AppendixA1) {
  auth::Result<std::string> mac = SignHs256(A1Key(), kA1SigningInput);
  ASSERT_TRUE(mac.ok()) << "SignHs256 failed: " << mac.error().message;
  EXPECT_EQ(auth::Base64UrlEncode(mac.value()), kA1Signature)
      << "signing the RFC 7515 A.1 header and payload segments with its key "
         "must give the appendix's signature, byte for byte";
}

TEST(Hs256ExerciseTest, EmptySecretAndInputStillSign) {
  auth::Result<std::string> mac = SignHs256("", "");
  ASSERT_TRUE(mac.ok()) << "HMAC is defined for an empty key and message; "
                           "the Key type, not this function, rejects short "
                           "secrets";
  EXPECT_EQ(ToHex(mac.value()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
      << "HMAC-SHA-256 of the empty message under the empty key is wrong";
}

TEST(Hs256ExerciseTest, VerifiesRfc7515AppendixA1) {
  const std::string mac = auth::Base64UrlDecode(kA1Signature).value();
  auth::Status status = VerifyHs256(A1Key(), kA1SigningInput, mac);
  EXPECT_TRUE(status.ok()) << "the RFC 7515 A.1 signature must verify with "
                              "its key; got: "
                           << (status.ok() ? "" : status.error().message);
}

TEST(Hs256ExerciseTest, RejectsEveryFlippedByte) {
  const std::string mac = RealMac();
  ASSERT_EQ(mac.size(), auth::kHs256MacBytes)
      << "SignHs256 must return 32 bytes";

  for (std::size_t i = 0; i < mac.size(); ++i) {
    std::string forged = mac;
    forged[i] = static_cast<char>(forged[i] ^ 0x01);
    auth::Status status = VerifyHs256(kSecret, kInput, forged);
    ASSERT_FALSE(status.ok())
        << "a MAC with byte " << i << " of 32 changed must be rejected: "
        << "compare all 32 bytes, not a prefix";
    EXPECT_EQ(status.error().code, ErrorCode::kSignatureMismatch)
        << "a 32-byte MAC that differs in byte " << i
        << " is kSignatureMismatch, not "
        << auth::ErrorCodeName(status.error().code);
  }
}

TEST(Hs256ExerciseTest, RejectsWrongLengths) {
  const std::string mac = RealMac();
  ASSERT_EQ(mac.size(), auth::kHs256MacBytes)
      << "SignHs256 must return 32 bytes";

  struct Case {
    std::string mac;
    const char* description;
  };
  const Case cases[] = {
      {"", "the empty MAC (a token ending in '.')"},
      {mac.substr(0, 1), "the first byte of the real MAC alone"},
      {mac.substr(0, 16), "the first 16 bytes of the real MAC"},
      {mac.substr(0, 31), "the real MAC without its last byte"},
      {mac + '\0', "the real MAC with one byte appended"},
      {mac + mac, "the real MAC twice (64 bytes)"},
  };
  for (const Case& c : cases) {
    auth::Status status = VerifyHs256(kSecret, kInput, c.mac);
    ASSERT_FALSE(status.ok()) << c.description << " must be rejected: only the full "
                              << "32-byte MAC verifies";
    EXPECT_EQ(status.error().code, ErrorCode::kMalformedSignature)
        << c.description << " (" << c.mac.size()
        << " bytes) is kMalformedSignature, not "
        << auth::ErrorCodeName(status.error().code);
  }
}

TEST(Hs256ExerciseTest, RejectsOtherKeyAndOtherInput) {
  const std::string mac = RealMac();

  auth::Status other_key =
      VerifyHs256("a different secret of 32 bytes!!", kInput, mac);
  ASSERT_FALSE(other_key.ok()) << "a MAC made with another secret must not "
                                  "verify";
  EXPECT_EQ(other_key.error().code, ErrorCode::kSignatureMismatch)
      << "another secret is kSignatureMismatch, not "
      << auth::ErrorCodeName(other_key.error().code);

  auth::Status other_input =
      VerifyHs256(kSecret, std::string(kInput) + "x", mac);
  ASSERT_FALSE(other_input.ok()) << "a MAC must not verify for a changed "
                                    "signing input";
  EXPECT_EQ(other_input.error().code, ErrorCode::kSignatureMismatch)
      << "a changed input is kSignatureMismatch, not "
      << auth::ErrorCodeName(other_input.error().code);
}

TEST(Hs256ExerciseTest, AcceptsTheRealMac) {
  auth::Status status = VerifyHs256(kSecret, kInput, RealMac());
  EXPECT_TRUE(status.ok()) << "the MAC that SignHs256 returned must verify "
                              "with the same secret and input; got: "
                           << (status.ok() ? "" : status.error().message);
}

}  // namespace
