// Tests of the CLI's own command-line checks and their messages.

#include "arguments.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

const std::vector<std::string> kCommands = {"list", "check", "hint", "solution", "reset",
                                            "verify", "bench", "demo", "test", "setup"};

TEST(ParseHintNumber, EmptyMeansNextHint) {
  StatusOr<int> number = ParseHintNumber("");
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number.value(), 0);
}

TEST(ParseHintNumber, AcceptsWholeNumbersFromOne) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, int>>{
           {"1", 1}, {"3", 3}, {"12", 12}}) {
    StatusOr<int> number = ParseHintNumber(text);
    ASSERT_TRUE(number.ok()) << text << ": " << number.status().message();
    EXPECT_EQ(number.value(), expected) << text;
  }
}

TEST(ParseHintNumber, RejectsOtherText) {
  for (const std::string text : {"0", "-1", "abc", "2x", " 2", "1.5", "99999999999999999999"}) {
    StatusOr<int> number = ParseHintNumber(text);
    ASSERT_FALSE(number.ok()) << "'" << text << "' must be rejected";
    EXPECT_EQ(number.status().message(),
              "invalid hint number '" + text + "': expected a whole number from 1 up, such as 2");
  }
}

TEST(ClosestName, FindsTypos) {
  EXPECT_EQ(ClosestName("chek", kCommands), "check");
  EXPECT_EQ(ClosestName("lsit", kCommands), "list");
  EXPECT_EQ(ClosestName("hints", kCommands), "hint");
  EXPECT_EQ(ClosestName("sollution", kCommands), "solution");
}

TEST(ClosestName, IgnoresDistantWords) {
  EXPECT_EQ(ClosestName("frobnicate", kCommands), "");
  EXPECT_EQ(ClosestName("", kCommands), "") << "every command is more than 2 edits from ''";
  EXPECT_EQ(ClosestName("check", {}), "");
}

TEST(UnknownCommandMessage, ListsCommands) {
  EXPECT_EQ(UnknownCommandMessage("frobnicate", kCommands),
            "unknown command 'frobnicate': valid commands are list, check, hint, solution, "
            "reset, verify, bench, demo, test, setup. ./labkit --help says what each does.");
}

TEST(UnknownCommandMessage, SuggestsClosestCommand) {
  EXPECT_EQ(UnknownCommandMessage("chek", {"list", "check"}),
            "unknown command 'chek': did you mean 'check'? Valid commands are list, check. "
            "./labkit --help says what each does.");
}

TEST(MissingArgumentMessage, MissingLab) {
  EXPECT_EQ(MissingArgumentMessage("check", {}, "lab", {"rate_limiter", "queue"}),
            "missing lab name for ./labkit check: valid labs are rate_limiter, queue. "
            "For example: ./labkit check rate_limiter. Details: ./labkit check --help");
}

TEST(MissingArgumentMessage, MissingExerciseKeepsTypedWords) {
  EXPECT_EQ(MissingArgumentMessage("hint", {"rate_limiter"}, "exercise", {"gcra", "token_bucket"}),
            "missing exercise name for ./labkit hint: valid exercises are gcra, token_bucket. "
            "For example: ./labkit hint rate_limiter gcra. Details: ./labkit hint --help");
}

TEST(MissingArgumentMessage, NoValidNames) {
  EXPECT_EQ(MissingArgumentMessage("check", {}, "lab", {}),
            "missing lab name for ./labkit check: valid labs are (none). "
            "Details: ./labkit check --help");
}

TEST(UnexpectedArgumentMessage, NamesVerbAndArguments) {
  EXPECT_EQ(UnexpectedArgumentMessage("check", {"extra"}),
            "unexpected argument 'extra' for ./labkit check. Details: ./labkit check --help");
  EXPECT_EQ(UnexpectedArgumentMessage("", {"--bogus", "x"}),
            "unexpected arguments '--bogus', 'x' for ./labkit. Details: ./labkit --help");
}

TEST(IsDemoUsageError, UsageCodes) {
  EXPECT_TRUE(IsDemoUsageError(2)) << "the kit's own usage code";
  EXPECT_TRUE(IsDemoUsageError(100)) << "CLI11 IncorrectConstruction";
  EXPECT_TRUE(IsDemoUsageError(105)) << "CLI11 ValidationError (--duration abc)";
  EXPECT_TRUE(IsDemoUsageError(109)) << "CLI11 ExtrasError";
  EXPECT_TRUE(IsDemoUsageError(114)) << "CLI11 ArgumentMismatch";
}

TEST(IsDemoUsageError, OtherCodes) {
  for (int code : {0, 1, 3, 99, 115, 127, 130}) {
    EXPECT_FALSE(IsDemoUsageError(code)) << "exit code " << code << " is not a usage error";
  }
}

}  // namespace
}  // namespace labkit::cli
