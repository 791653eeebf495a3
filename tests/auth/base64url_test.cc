// Tests of the strict base64url codec (RFC 4648 section 5, unpadded).

#include <string>

#include <gtest/gtest.h>

#include "auth/base64url.h"

namespace {

using auth::Base64UrlDecode;
using auth::Base64UrlEncode;
using auth::ErrorCode;

struct Vector {
  std::string bytes;
  std::string text;
};

// RFC 4648 section 10 vectors, without padding, plus bytes that use the two
// URL-safe characters.
const Vector kVectors[] = {
    {"", ""},
    {"f", "Zg"},
    {"fo", "Zm8"},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg"},
    {"fooba", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy"},
    {"\xfb\xff", "-_8"},
    {"\xff\xff\xfe", "___-"},
};

TEST(Base64UrlTest, EncodesRfcVectors) {
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Base64UrlEncode(v.bytes), v.text)
        << "encoding '" << v.bytes << "' must give '" << v.text << "'";
  }
}

TEST(Base64UrlTest, DecodesRfcVectors) {
  for (const Vector& v : kVectors) {
    auth::Result<std::string> decoded = Base64UrlDecode(v.text);
    ASSERT_TRUE(decoded.ok()) << "'" << v.text << "' is valid base64url but "
                              << "decoding failed: "
                              << decoded.error().message;
    EXPECT_EQ(decoded.value(), v.bytes)
        << "'" << v.text << "' must decode to '" << v.bytes << "'";
  }
}

TEST(Base64UrlTest, RoundTripsEveryByteAndLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t length = 0; length <= bytes.size(); ++length) {
    const std::string input = bytes.substr(bytes.size() - length);
    const std::string text = Base64UrlEncode(input);
    EXPECT_EQ(text.size(), (length * 4 + 2) / 3)
        << "unpadded length of " << length << " bytes";
    auth::Result<std::string> decoded = Base64UrlDecode(text);
    ASSERT_TRUE(decoded.ok()) << "the encoder's own output must decode ("
                              << length << " bytes): "
                              << decoded.error().message;
    EXPECT_EQ(decoded.value(), input)
        << "decode(encode(x)) must be x for " << length << " bytes";
  }
}

TEST(Base64UrlTest, RejectsPaddingAndForeignCharacters) {
  for (const char* text : {"Zg==", "Zm8=", "Zm9v+A", "Zm9v/A", "Zm9v YmFy",
                           "Zm9v\nYmFy", "Zm9v\r\nYmFy", "Zm9v.YmFy",
                           "Zm9v*", "Zm\x80v"}) {
    auth::Result<std::string> decoded = Base64UrlDecode(text);
    ASSERT_FALSE(decoded.ok()) << "'" << text << "' must be rejected: only "
                               << "A-Z a-z 0-9 - _ are base64url";
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidBase64url)
        << "wrong error code for '" << text << "'";
  }
}

TEST(Base64UrlTest, MessageNamesCharacterAndOffset) {
  auth::Result<std::string> decoded = Base64UrlDecode("Zm9v+A");
  ASSERT_FALSE(decoded.ok()) << "'+' is standard base64, not base64url";
  EXPECT_NE(decoded.error().message.find("'+' at offset 4"),
            std::string::npos)
      << "the message must name the character and offset, got: "
      << decoded.error().message;
}

TEST(Base64UrlTest, RejectsImpossibleLengths) {
  for (const char* text : {"Z", "Zm9vY", "Zm9vYmFyZ"}) {
    auth::Result<std::string> decoded = Base64UrlDecode(text);
    ASSERT_FALSE(decoded.ok())
        << "'" << text << "' has length 1 modulo 4, which no bytes encode to";
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidBase64url)
        << "wrong error code for '" << text << "'";
  }
}

TEST(Base64UrlTest, RejectsNonZeroTrailingBits) {
  // "Zg" is the canonical "f"; "Zh".."Zv" carry the same byte with non-zero
  // unused bits. Likewise "Zm8" is "fo" and "Zm9" is not canonical.
  for (const char* text : {"Zh", "Zi", "Zv", "Z_", "Zm9", "Zm-", "Zm9vYh"}) {
    auth::Result<std::string> decoded = Base64UrlDecode(text);
    ASSERT_FALSE(decoded.ok())
        << "'" << text << "' is not the canonical encoding and must be "
        << "rejected";
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidBase64url)
        << "wrong error code for '" << text << "'";
  }
}

}  // namespace
