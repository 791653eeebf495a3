// Tests of ParseHints: the "## Hint N" sections of an exercise's hints file.

#include "hints.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

TEST(ParseHints, SectionsInOrderWithoutHeadings) {
  const std::string text =
      "# Token bucket hints\n"
      "\n"
      "## Hint 1\n"
      "\n"
      "Think about time.\n"
      "\n"
      "## Hint 2\n"
      "Refill first,\n"
      "then decide.\n"
      "\n"
      "## Hint 3 (nearly the answer)\n"
      "tokens = min(burst, tokens + elapsed * rate)\n";
  StatusOr<std::vector<std::string>> hints = ParseHints(text);
  ASSERT_TRUE(hints.ok()) << hints.status().message();
  const std::vector<std::string> expected = {"Think about time.", "Refill first,\nthen decide.",
                                             "tokens = min(burst, tokens + elapsed * rate)"};
  EXPECT_EQ(hints.value(), expected);
}

TEST(ParseHints, OtherHeadingEndsHint) {
  const std::string text =
      "## Hint 1\n"
      "The hint.\n"
      "## Further reading\n"
      "Not part of the hint.\n"
      "# Notes\n"
      "Nor this.\n";
  StatusOr<std::vector<std::string>> hints = ParseHints(text);
  ASSERT_TRUE(hints.ok()) << hints.status().message();
  ASSERT_EQ(hints->size(), 1u);
  EXPECT_EQ(hints.value()[0], "The hint.");
}

TEST(ParseHints, OrdersByNumberNotPosition) {
  StatusOr<std::vector<std::string>> hints = ParseHints("## Hint 2\nsecond\n## Hint 1\nfirst\n");
  ASSERT_TRUE(hints.ok()) << hints.status().message();
  const std::vector<std::string> expected = {"first", "second"};
  EXPECT_EQ(hints.value(), expected);
}

TEST(ParseHints, KeepsIndentedCode) {
  StatusOr<std::vector<std::string>> hints = ParseHints("## Hint 1\n\n    int x = 0;\n  y\n");
  ASSERT_TRUE(hints.ok()) << hints.status().message();
  ASSERT_EQ(hints->size(), 1u);
  EXPECT_EQ(hints.value()[0], "    int x = 0;\n  y");
}

TEST(ParseHints, NoSectionIsEmptyList) {
  StatusOr<std::vector<std::string>> hints = ParseHints("# Hints\n\nNothing yet.\n");
  ASSERT_TRUE(hints.ok()) << hints.status().message();
  EXPECT_TRUE(hints->empty());
}

TEST(ParseHints, GapIsError) {
  StatusOr<std::vector<std::string>> hints = ParseHints("## Hint 1\na\n## Hint 3\nc\n");
  ASSERT_FALSE(hints.ok());
  EXPECT_EQ(hints.status().message(),
            "its hint sections are numbered 1, 3: expected 1 to 2, each once");
}

TEST(ParseHints, RepeatIsError) {
  StatusOr<std::vector<std::string>> hints = ParseHints("## Hint 1\na\n## Hint 1\nb\n");
  ASSERT_FALSE(hints.ok());
  EXPECT_EQ(hints.status().message(),
            "its hint sections are numbered 1, 1: expected 1 to 2, each once");
}

TEST(ParseHints, ZeroIsError) {
  StatusOr<std::vector<std::string>> hints = ParseHints("## Hint 0\na\n## Hint 1\nb\n");
  ASSERT_FALSE(hints.ok());
  EXPECT_EQ(hints.status().message(),
            "its hint sections are numbered 0, 1: expected 1 to 2, each once");
}

TEST(ParseHints, HugeNumberIsError) {
  StatusOr<std::vector<std::string>> hints = ParseHints("## Hint 99999999999999\na\n");
  ASSERT_FALSE(hints.ok());
  EXPECT_NE(hints.status().message().find("99999999999999"), std::string::npos)
      << hints.status().message();
}

}  // namespace
}  // namespace labkit::cli
