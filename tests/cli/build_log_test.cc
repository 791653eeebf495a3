// Tests of ExtractErrorLines: which lines of a failed build's log `labkit
// check` shows, and how it shortens them.

#include "build_step.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

using ::testing::ElementsAre;

Layout TestLayout() { return Layout{"/work/kit", "/work/kit/build"}; }

TEST(ExtractErrorLines, CompilerErrorWithSourceExcerpt) {
  const std::vector<std::string> log = {
      "[1/3] Building CXX object exercises/token_bucket.cc.o",
      "FAILED: exercises/token_bucket.cc.o",
      "/work/kit/labs/rate_limiter/token_bucket.cc: In member function 'Decide':",
      "/work/kit/labs/rate_limiter/token_bucket.cc:42:10: error: 'tokenz' was not declared",
      "   42 |   return tokenz;",
      "      |          ^~~~~~",
      "ninja: build stopped: subcommand failed.",
  };
  EXPECT_THAT(ExtractErrorLines(log, TestLayout(), 14),
              ElementsAre("labs/rate_limiter/token_bucket.cc:42:10: error: 'tokenz' was not declared",
                          "   42 |   return tokenz;", "      |          ^~~~~~"));
}

TEST(ExtractErrorLines, LinkerErrors) {
  const std::vector<std::string> log = {
      "/usr/bin/ld: token_bucket.cc.o: in function `Decide':",
      "token_bucket.cc:(.text+0x1c): undefined reference to `rl::Refill()'",
      "/usr/bin/ld: cannot find -lhiredis",
      "collect2: error: ld returned 1 exit status",
  };
  EXPECT_THAT(ExtractErrorLines(log, TestLayout(), 14),
              ElementsAre("token_bucket.cc:(.text+0x1c): undefined reference to `rl::Refill()'",
                          "/usr/bin/ld: cannot find -lhiredis",
                          "collect2: error: ld returned 1 exit status"));
}

TEST(ExtractErrorLines, CmakeErrorWithItsParagraph) {
  const std::vector<std::string> log = {
      "-- Configuring incomplete",
      "CMake Error at cmake/Lab.cmake:12 (message):",
      "  labs/rate_limiter/lab.json: exercise gcra has no \"file\"",
      "",
      "Call Stack (most recent call first):",
      "  CMakeLists.txt:40 (include)",
      "-- Generating done",
  };
  EXPECT_THAT(ExtractErrorLines(log, TestLayout(), 14),
              ElementsAre("CMake Error at cmake/Lab.cmake:12 (message):",
                          "  labs/rate_limiter/lab.json: exercise gcra has no \"file\"",
                          "Call Stack (most recent call first):", "  CMakeLists.txt:40 (include)"));
}

TEST(ExtractErrorLines, CtestFailedList) {
  const std::vector<std::string> log = {
      "90% tests passed, 1 tests failed out of 10",
      "The following tests FAILED:",
      "\t  3 - keyed_store_test (Failed)",
      "\t  7 - redis_store_test (Timeout)",
      "Errors while running CTest",
  };
  EXPECT_THAT(ExtractErrorLines(log, TestLayout(), 14),
              ElementsAre("The following tests FAILED:", "\t  3 - keyed_store_test (Failed)",
                          "\t  7 - redis_store_test (Timeout)"));
}

TEST(ExtractErrorLines, PatchFailure) {
  const std::vector<std::string> log = {
      "patching file /work/kit/build/mutants/gcra.cc",
      "Hunk #1 FAILED at 40.",
      "1 out of 1 hunk FAILED -- saving rejects",
  };
  EXPECT_THAT(ExtractErrorLines(log, TestLayout(), 14), ElementsAre("Hunk #1 FAILED at 40."));
}

TEST(ExtractErrorLines, UnknownFailureShowsLastTenLines) {
  std::vector<std::string> log;
  for (int i = 1; i <= 15; ++i) log.push_back("line " + std::to_string(i));
  const std::vector<std::string> picked = ExtractErrorLines(log, TestLayout(), 14);
  ASSERT_EQ(picked.size(), 10u);
  EXPECT_EQ(picked.front(), "line 6");
  EXPECT_EQ(picked.back(), "line 15");
}

TEST(ExtractErrorLines, StopsAtMaxLines) {
  std::vector<std::string> log;
  for (int i = 1; i <= 20; ++i) {
    log.push_back("/work/kit/a.cc:" + std::to_string(i) + ":1: error: bad " + std::to_string(i));
  }
  const std::vector<std::string> picked = ExtractErrorLines(log, TestLayout(), 5);
  ASSERT_EQ(picked.size(), 5u);
  EXPECT_EQ(picked.back(), "a.cc:5:1: error: bad 5");
}

TEST(ExtractErrorLines, DropsRepeatedLines) {
  // Two targets compiling the same broken file report the same error twice.
  const std::vector<std::string> log = {
      "/work/kit/labs/gcra.cc:3:1: error: expected ';'",
      "/work/kit/labs/gcra.cc:3:1: error: expected ';'",
  };
  EXPECT_THAT(ExtractErrorLines(log, TestLayout(), 14),
              ElementsAre("labs/gcra.cc:3:1: error: expected ';'"));
}

TEST(ExtractErrorLines, EmptyLogGivesNothing) {
  EXPECT_TRUE(ExtractErrorLines({}, TestLayout(), 14).empty());
}

}  // namespace
}  // namespace labkit::cli
