// Tests of labkit::ParseFlags, which every demo and service program parses
// its command line with: the exit status, and the wording of a usage error.

#include "labkit/flags.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace labkit {
namespace {

struct Parsed {
  std::optional<int> exit_status;
  std::string error_output;
};

Parsed Parse(std::vector<std::string> args) {
  CLI::App app{"test program"};
  int steps = 0;
  app.add_option("--steps", steps, "Steps to run");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());

  Parsed parsed;
  ::testing::internal::CaptureStderr();
  parsed.exit_status = ParseFlags(app, static_cast<int>(argv.size()), argv.data());
  parsed.error_output = ::testing::internal::GetCapturedStderr();
  return parsed;
}

TEST(ParseFlags, ValidArgumentsRun) {
  const Parsed parsed = Parse({"./labkit demo toy", "--steps", "3"});
  EXPECT_FALSE(parsed.exit_status.has_value()) << parsed.error_output;
}

TEST(ParseFlags, UnexpectedArgumentsInTypedOrder) {
  const Parsed parsed = Parse({"./labkit demo toy", "--threads", "0"});
  ASSERT_EQ(parsed.exit_status, 2) << "an unknown option is a usage error";
  EXPECT_NE(parsed.error_output.find("unexpected arguments: --threads 0"), std::string::npos)
      << "the arguments must appear as typed, not reversed: " << parsed.error_output;
  EXPECT_NE(parsed.error_output.find("Run ./labkit demo toy --help"), std::string::npos)
      << parsed.error_output;
}

}  // namespace
}  // namespace labkit
