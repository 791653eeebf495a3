// Base64url exercise: the specification, step by step.
//
// Every rejected text must fail with ErrorCode::kInvalidBase64url. The
// decoder is strict because a JWS verifier compares and caches tokens by
// their text: two spellings of the same bytes would be two tokens.

#include "auth/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using auth::Base64UrlDecode;
using auth::Base64UrlEncode;
using auth::ErrorCode;

struct Vector {
  std::string bytes;
  std::string text;
};

// The RFC 4648 section 10 vectors without their '=' padding, plus bytes
// that need the two URL-safe characters '-' and '_'.
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

// ExpectRejected checks that `text` fails with kInvalidBase64url.
void ExpectRejected(const std::string& text, const std::string& reason) {
  auth::Result<std::string> decoded = Base64UrlDecode(text);
  ASSERT_FALSE(decoded.ok()) << "'" << text << "' must be rejected: " << reason;
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidBase64url)
      << "'" << text << "' must fail with kInvalidBase64url, not "
      << auth::ErrorCodeName(decoded.error().code);
}

TEST(Base64UrlExerciseTest, EncodesRfcVectorsWithoutPadding) {
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Base64UrlEncode(v.bytes), v.text)
        << "encoding the " << v.bytes.size() << " bytes '" << v.bytes
        << "' must give '" << v.text << "' (base64url, no '=' padding)";
  }
}

TEST(Base64UrlExerciseTest, DecodesRfcVectors) {
  for (const Vector& v : kVectors) {
    auth::Result<std::string> decoded = Base64UrlDecode(v.text);
    ASSERT_TRUE(decoded.ok()) << "'" << v.text << "' is valid base64url, "
                              << "but decoding failed: "
                              << decoded.error().message;
    EXPECT_EQ(decoded.value(), v.bytes)
        << "'" << v.text << "' must decode to the " << v.bytes.size()
        << " bytes '" << v.bytes << "'";
  }
}

TEST(Base64UrlExerciseTest, RoundTripsEveryByteAndLength) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);

  for (std::size_t length = 0; length <= all_bytes.size(); ++length) {
    const std::string input = all_bytes.substr(all_bytes.size() - length);
    const std::string text = Base64UrlEncode(input);
    EXPECT_EQ(text.size(), (length * 4 + 2) / 3)
        << length << " bytes must encode to " << (length * 4 + 2) / 3
        << " characters without padding";
    auth::Result<std::string> decoded = Base64UrlDecode(text);
    ASSERT_TRUE(decoded.ok()) << "the encoder's own output for " << length
                              << " bytes must decode, but got: "
                              << decoded.error().message;
    EXPECT_EQ(decoded.value(), input)
        << "decode(encode(x)) must be x for " << length << " bytes";
  }
}

TEST(Base64UrlExerciseTest, RejectsPadding) {
  ExpectRejected("Zg==", "JWS forbids '=' padding");
  ExpectRejected("Zm8=", "JWS forbids '=' padding");
  ExpectRejected("Zm9v====", "JWS forbids '=' padding");
}

TEST(Base64UrlExerciseTest, RejectsCharactersOutsideTheAlphabet) {
  ExpectRejected("Zm9v+A", "'+' belongs to standard base64, not base64url");
  ExpectRejected("Zm9v/A", "'/' belongs to standard base64, not base64url");
  ExpectRejected("Zm9v YmFy", "a space is not in the alphabet");
  ExpectRejected("Zm9v\nYmFy", "a line break is not in the alphabet");
  ExpectRejected("Zm9v.YmFy", "'.' separates JWS segments; it is not data");
  ExpectRejected("Zm\x80v", "byte 0x80 is not in the alphabet");
  ExpectRejected(std::string("Zm\0v", 4), "a NUL byte is not in the alphabet");
}

TEST(Base64UrlExerciseTest, MessageNamesCharacterAndOffset) {
  auth::Result<std::string> decoded = Base64UrlDecode("Zm9v+A");
  ASSERT_FALSE(decoded.ok()) << "'Zm9v+A' must be rejected: '+' is not "
                                "base64url";
  EXPECT_NE(decoded.error().message.find("'+' at offset 4"), std::string::npos)
      << "the message must name the character and its offset, as in "
         "\"'+' at offset 4\"; got: "
      << decoded.error().message;
}

TEST(Base64UrlExerciseTest, RejectsLengthOneModuloFour) {
  // Each text ends in 'A', whose 6 bits are zero, so a decoder that skips
  // the length check and only checks leftover bits still accepts it.
  ExpectRejected("A", "1 character carries 6 bits, less than one byte");
  ExpectRejected("Zm9vA", "5 characters is 1 more than a multiple of 4");
  ExpectRejected("Zm9vYmFyA", "9 characters is 1 more than a multiple of 4");
  ExpectRejected("Z", "1 character carries 6 bits, less than one byte");
}

TEST(Base64UrlExerciseTest, RejectsNonZeroLeftoverBits) {
  // "Zg" is the byte 'f' with 4 leftover zero bits. "Zh" to "Zv" set some of
  // those bits, so a lax decoder reads the same 'f' from 16 spellings.
  for (const char* text : {"Zh", "Zi", "Zj", "Zv"}) {
    ExpectRejected(text, "it is a non-canonical spelling of \"Zg\" (the byte "
                         "'f'): its unused low bits are not zero");
  }
  // "Zm8" is "fo" with 2 leftover zero bits; "Z_" and "Zm9vYh" end in a
  // character whose unused bits are set as well.
  for (const char* text : {"Zm9", "Zm-", "Zm_", "Z_", "Zm9vYh"}) {
    ExpectRejected(text, "its last character has non-zero unused bits");
  }
}

TEST(Base64UrlExerciseTest, EmptyTextIsEmptyBytes) {
  auth::Result<std::string> decoded = Base64UrlDecode("");
  ASSERT_TRUE(decoded.ok()) << "the empty text is valid base64url (an empty "
                               "JWS payload encodes to it)";
  EXPECT_EQ(decoded.value(), "") << "the empty text decodes to no bytes";
}

}  // namespace
