// Tests of the strict JSON object parser for JOSE headers and claims sets.

#include <string>

#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "auth/json_strict.h"

namespace {

using auth::ErrorCode;
using auth::ParseStrictObject;

TEST(StrictJsonTest, ParsesObjectWithCrlf) {
  // The RFC 7515 A.1 header, with its CRLF and leading space.
  auth::Result<boost::json::object> parsed =
      ParseStrictObject("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value().at("alg"), "HS256") << "alg must be parsed";
  EXPECT_EQ(parsed.value().at("typ"), "JWT") << "typ must be parsed";
}

TEST(StrictJsonTest, RejectsDuplicateNamesAtAnyDepth) {
  struct Case {
    const char* text;
    const char* name;
  };
  const Case cases[] = {
      {R"({"alg":"HS256","alg":"none"})", "alg"},
      {R"({"alg":"none","alg":"HS256"})", "alg"},
      {R"({"alg":"HS256","\u0061lg":"none"})", "alg"},
      {R"({"exp":1,"sub":"a","exp":2})", "exp"},
      {R"({"a":{"b":1,"b":2}})", "b"},
      {R"({"a":[{"c":1},{"d":1,"d":1}]})", "d"},
      {R"({"":1,"":2})", ""},
  };
  for (const Case& c : cases) {
    auth::Result<boost::json::object> parsed = ParseStrictObject(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text << " repeats a name and must be "
                              << "rejected";
    EXPECT_EQ(parsed.error().code, ErrorCode::kDuplicateMember)
        << c.text << ": " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(std::string("'") + c.name + "'"),
              std::string::npos)
        << "the message must name the duplicate, got: "
        << parsed.error().message;
  }
}

TEST(StrictJsonTest, AcceptsSameNameInDifferentObjects) {
  auth::Result<boost::json::object> parsed =
      ParseStrictObject(R"({"a":{"x":1},"b":{"x":2},"x":[{"x":3},{"x":4}]})");
  ASSERT_TRUE(parsed.ok()) << "the same name in sibling objects is not a "
                           << "duplicate: " << parsed.error().message;
}

TEST(StrictJsonTest, RejectsNonObjectTopLevel) {
  for (const char* text : {"[]", "\"alg\"", "1", "null", "true", "[{}]"}) {
    auth::Result<boost::json::object> parsed = ParseStrictObject(text);
    ASSERT_FALSE(parsed.ok()) << text << " is not an object";
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidJson) << text;
  }
}

TEST(StrictJsonTest, RejectsInvalidJson) {
  for (const char* text :
       {"", "{", "{\"a\":1,}", "{\"a\":1}/*c*/", "{\"a\":1} x", "{\"a\":1}{}",
        "{'a':1}", "{\"a\":01}", "{\"a\":\"\xff\"}", "{\"a\":NaN}"}) {
    auth::Result<boost::json::object> parsed = ParseStrictObject(text);
    ASSERT_FALSE(parsed.ok()) << "'" << text << "' is not strict JSON";
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidJson) << text;
  }
}

TEST(StrictJsonTest, RejectsDeepNesting) {
  auth::StrictJsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(ParseStrictObject(R"({"a":{"b":{"c":{}}}})", limits).ok())
      << "depth 4 is within max_depth 4";
  auth::Result<boost::json::object> parsed =
      ParseStrictObject(R"({"a":{"b":{"c":{"d":{}}}}})", limits);
  ASSERT_FALSE(parsed.ok()) << "depth 5 is over max_depth 4";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidJson);
}

TEST(StrictJsonTest, RejectsOversizeInputBeforeParsing) {
  auth::StrictJsonLimits limits;
  limits.max_bytes = 16;
  // Invalid JSON, so only a check before parsing gives the size error.
  const std::string text(17, '{');
  auth::Result<boost::json::object> parsed = ParseStrictObject(text, limits);
  ASSERT_FALSE(parsed.ok()) << "17 bytes is over max_bytes 16";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidJson);
  EXPECT_NE(parsed.error().message.find("over the limit of 16"),
            std::string::npos)
      << parsed.error().message;
  EXPECT_TRUE(ParseStrictObject(R"({"a":"0123456"})", limits).ok())
      << "exactly 16 bytes is within the limit";
}

TEST(StrictJsonTest, KeepsNumberKinds) {
  auth::Result<boost::json::object> parsed = ParseStrictObject(
      R"({"i":-5,"u":18446744073709551615,"d":1.688117968E9})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed.value().at("i").is_int64());
  EXPECT_TRUE(parsed.value().at("u").is_uint64());
  ASSERT_TRUE(parsed.value().at("d").is_double());
  EXPECT_DOUBLE_EQ(parsed.value().at("d").as_double(), 1688117968.0);
}

}  // namespace
