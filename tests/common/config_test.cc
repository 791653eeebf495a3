#include "labkit/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace labkit {
namespace {

constexpr Nanos kSecond = 1'000'000'000;

ConfigFile ParseOk(std::string_view text) {
  ConfigResult<ConfigFile> result = ConfigFile::Parse(text, "test.conf");
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? result.value() : ConfigFile();
}

std::string ParseError(std::string_view text) {
  ConfigResult<ConfigFile> result = ConfigFile::Parse(text, "test.conf");
  EXPECT_FALSE(result.ok()) << "expected a parse error for:\n" << text;
  return result.ok() ? "" : result.error().message;
}

TEST(ConfigParse, SectionsKeysAndComments) {
  ConfigFile file = ParseOk(
      "# leading comment\n"
      "\n"
      "[service]\n"
      "port = 8080   # trailing comment\n"
      "  header=X-API-Key\n"
      "[route search]\n"
      "path = /api/search#fragment\n");

  ASSERT_EQ(file.sections().size(), 2u);
  const ConfigSection& service = file.sections()[0];
  EXPECT_EQ(service.name, "service");
  EXPECT_EQ(service.argument, "");
  EXPECT_EQ(service.line, 3);
  ASSERT_EQ(service.entries.size(), 2u);
  EXPECT_EQ(service.entries[0].key, "port");
  EXPECT_EQ(service.entries[0].value, "8080");
  EXPECT_EQ(service.entries[0].line, 4);
  EXPECT_EQ(service.entries[1].value, "X-API-Key");

  const ConfigSection& route = file.sections()[1];
  EXPECT_EQ(route.name, "route");
  EXPECT_EQ(route.argument, "search");
  EXPECT_EQ(route.Title(), "[route search]");
  ASSERT_NE(route.Find("path"), nullptr);
  EXPECT_EQ(route.Find("path")->value, "/api/search#fragment")
      << "a '#' inside a word is part of the value";
  EXPECT_EQ(route.Find("missing"), nullptr);
}

TEST(ConfigParse, CrlfLineEndings) {
  ConfigFile file = ParseOk("[a]\r\nkey = value\r\n");
  ASSERT_EQ(file.sections().size(), 1u);
  EXPECT_EQ(file.sections()[0].entries[0].value, "value");
}

TEST(ConfigParse, ErrorsNameFileLineAndText) {
  EXPECT_EQ(ParseError("[a]\nkey value\n"),
            "test.conf:2: invalid line 'key value': expected key = value or "
            "[section]");
  EXPECT_EQ(ParseError("key = 1\n"),
            "test.conf:1: key 'key' is outside any section: put a [section] "
            "header above it");
  EXPECT_EQ(ParseError("[a]\nkey =\n"),
            "test.conf:2: missing value for key 'key'");
  EXPECT_EQ(ParseError("[a]\nkey = 1\n\nkey = 2\n"),
            "test.conf:4: duplicate key 'key' in [a] (first set on line 2)");
  EXPECT_EQ(ParseError("[tier x]\n[tier x]\n"),
            "test.conf:2: duplicate section [tier x] (first on line 1)");
  EXPECT_EQ(ParseError("[Bad]\n"),
            "test.conf:1: invalid section name 'Bad': expected lowercase "
            "letters, digits, '_' or '-'");
  EXPECT_EQ(ParseError("[a\n"),
            "test.conf:1: invalid section header '[a': expected [name] or "
            "[name argument]");
  EXPECT_EQ(ParseError("[a]\nKey = 1\n"),
            "test.conf:2: invalid key 'Key': expected lowercase letters, "
            "digits, '_' or '-'");
}

TEST(ConfigParse, SameNameDifferentArgumentIsAllowed) {
  ConfigFile file = ParseOk("[tier a]\n[tier b]\n");
  EXPECT_EQ(file.sections().size(), 2u);
}

TEST(ConfigCheck, UnknownKeyIsAnError) {
  ConfigFile file = ParseOk("[route search]\npath = /s\nrat = 5/s\n");
  std::optional<ConfigError> error =
      file.CheckKeys(file.sections()[0], {"path", "rate"});
  ASSERT_TRUE(error.has_value()) << "'rat' is not a known key";
  EXPECT_EQ(error->message,
            "test.conf:3: unknown key 'rat' in [route search]: expected one "
            "of path, rate");
  EXPECT_FALSE(file.CheckKeys(file.sections()[0], {"path", "rat"}).has_value());
}

TEST(ConfigCheck, RequireNamesTheMissingKey) {
  ConfigFile file = ParseOk("\n[route search]\npath = /s\n");
  ConfigResult<const ConfigEntry*> path = file.Require(file.sections()[0], "path");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path.value()->value, "/s");
  ConfigResult<const ConfigEntry*> rate = file.Require(file.sections()[0], "rate");
  ASSERT_FALSE(rate.ok());
  EXPECT_EQ(rate.error().message,
            "test.conf:2: missing key 'rate' in [route search]");
}

TEST(ConfigCheck, InvalidValueMessage) {
  ConfigFile file = ParseOk("[a]\n\n\n\n\n\n\n\n\n\n\nrate = 10/fortnight\n");
  const ConfigEntry& entry = file.sections()[0].entries[0];
  EXPECT_FALSE(ParseRate(entry.value).has_value());
  EXPECT_EQ(file.InvalidValue(entry, "rate", "N/s, N/min or N/h").message,
            "test.conf:12: invalid rate '10/fortnight': expected N/s, N/min "
            "or N/h");
}

TEST(ConfigLoad, MissingFileNamesThePath) {
  ConfigResult<ConfigFile> result =
      ConfigFile::Load("/nonexistent/labkit/ratelimit.conf");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "cannot read config file '/nonexistent/labkit/ratelimit.conf': it "
            "does not exist or is not readable");
}

TEST(ConfigLoad, ErrorsUseThePath) {
  const std::string path = ::testing::TempDir() + "labkit_config_test.conf";
  {
    std::ofstream out(path);
    out << "[a]\nbroken\n";
  }
  ConfigResult<ConfigFile> result = ConfigFile::Load(path);
  std::remove(path.c_str());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            path + ":2: invalid line 'broken': expected key = value or "
                   "[section]");
}

TEST(ConfigValues, ParseInt) {
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_EQ(ParseInt("-3"), -3);
  EXPECT_EQ(ParseInt("0"), 0);
  EXPECT_FALSE(ParseInt("").has_value());
  EXPECT_FALSE(ParseInt("+1").has_value());
  EXPECT_FALSE(ParseInt("12abc").has_value());
  EXPECT_FALSE(ParseInt("1.5").has_value());
  EXPECT_FALSE(ParseInt("99999999999999999999").has_value())
      << "a value that overflows 64 bits is invalid, not truncated";
}

TEST(ConfigValues, ParseBool) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("on"), true);
  EXPECT_EQ(ParseBool("no"), false);
  EXPECT_FALSE(ParseBool("maybe").has_value());
  EXPECT_FALSE(ParseBool("True").has_value());
}

TEST(ConfigValues, ParseDuration) {
  EXPECT_EQ(ParseDuration("250ms"), 250'000'000);
  EXPECT_EQ(ParseDuration("2s"), 2 * kSecond);
  EXPECT_EQ(ParseDuration("5min"), 300 * kSecond);
  EXPECT_EQ(ParseDuration("1h"), 3600 * kSecond);
  EXPECT_FALSE(ParseDuration("0s").has_value()) << "durations are positive";
  EXPECT_FALSE(ParseDuration("5").has_value()) << "a unit is required";
  EXPECT_FALSE(ParseDuration("s").has_value());
  EXPECT_FALSE(ParseDuration("5 s").has_value());
  EXPECT_FALSE(ParseDuration("1fortnight").has_value());
  EXPECT_FALSE(ParseDuration("9999999999999h").has_value())
      << "a duration that overflows nanoseconds is invalid";
}

TEST(ConfigValues, ParseRate) {
  std::optional<Rate> per_second = ParseRate("100/s");
  ASSERT_TRUE(per_second.has_value());
  EXPECT_EQ(per_second->count, 100);
  EXPECT_EQ(per_second->period, kSecond);

  std::optional<Rate> per_minute = ParseRate("3/min");
  ASSERT_TRUE(per_minute.has_value());
  EXPECT_EQ(per_minute->count, 3);
  EXPECT_EQ(per_minute->period, 60 * kSecond);

  std::optional<Rate> per_hour = ParseRate("5000/h");
  ASSERT_TRUE(per_hour.has_value());
  EXPECT_EQ(per_hour->period, 3600 * kSecond);

  EXPECT_FALSE(ParseRate("0/s").has_value()) << "a rate of zero is invalid";
  EXPECT_FALSE(ParseRate("-1/s").has_value());
  EXPECT_FALSE(ParseRate("10").has_value());
  EXPECT_FALSE(ParseRate("10/fortnight").has_value());
  EXPECT_FALSE(ParseRate("/s").has_value());
}

TEST(ConfigValues, SplitList) {
  EXPECT_EQ(SplitList("a, b ,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitList("one"), (std::vector<std::string>{"one"}));
  EXPECT_EQ(SplitList(" , a,,"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(SplitList("").empty());
}

}  // namespace
}  // namespace labkit
