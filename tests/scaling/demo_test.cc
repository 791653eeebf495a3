// End-to-end test of scaling-demo --quick: it runs every step on loopback,
// writes four non-empty PNG charts and names each step as --steps does;
// bad flags are usage errors, and an unwritable --output names the fix.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "scaling/demo/process.h"

namespace scaling::demo {
namespace {

namespace fs = std::filesystem;

bool IsPng(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  char magic[8] = {};
  file.read(magic, sizeof magic);
  return file && std::string(magic, 8) == "\x89PNG\r\n\x1a\n";
}

class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scaling-demo-test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(directory_);
  }
  std::string directory_;
};

TEST_F(DemoTest, QuickRunWritesCharts) {
  CommandResult result = RunCommand(
      {SCALING_DEMO_BINARY, "--quick", "--output", directory_},
      directory_ + "/stderr.log", std::chrono::minutes(4));
  ASSERT_TRUE(result.error.empty()) << result.error << "\n" << result.output;
  ASSERT_EQ(result.exit_code, 0) << "scaling-demo --quick failed; its output:\n"
                                 << result.output << "\nstderr is in " << directory_
                                 << "/stderr.log";

  for (const char* chart : {"vertical.png", "horizontal.png", "sharding.png",
                            "simulation.png"}) {
    const fs::path path = fs::path(directory_) / chart;
    ASSERT_TRUE(fs::exists(path)) << chart << " was not written";
    EXPECT_GT(fs::file_size(path), 1000u) << chart << " is too small to hold a chart";
    EXPECT_TRUE(IsPng(path)) << chart << " is not a PNG file";
    EXPECT_NE(result.output.find(path.string()), std::string::npos)
        << "the demo must print the path of " << chart;
  }
  for (const char* text : {"USL fit", "marked DOWN", "Redis, round robin",
                           "busiest/mean", "two_choices"}) {
    EXPECT_NE(result.output.find(text), std::string::npos)
        << "the demo output lacks '" << text << "':\n" << result.output;
  }

  // Each heading names its step, so a learner can rerun it with --steps.
  for (const char* step : {"vertical", "horizontal", "failover", "keepalive",
                           "sessions", "sharding", "simulation"}) {
    const std::string heading = std::string("(step ") + step + ") ==";
    EXPECT_NE(result.output.find(heading), std::string::npos)
        << "no heading ends with '" << heading << "':\n" << result.output;
  }

  // With epsilon 0.05, bounded loads' cap binds on a ring of 10 nodes, and
  // the reading must say so from the numbers.
  EXPECT_NE(result.output.find("Bounded loads capped the busiest node"), std::string::npos)
      << "the sharding reading must report that the cap bound:\n" << result.output;
  EXPECT_NE(result.output.find("Next:"), std::string::npos)
      << "the demo must end with what to do next:\n" << result.output;
  EXPECT_NE(result.output.find("./labkit check scaling jump_hash"), std::string::npos)
      << "the demo must point at the first exercise:\n" << result.output;
}

TEST_F(DemoTest, UnwritableOutputNamesFix) {
  CommandResult result =
      RunCommand({SCALING_DEMO_BINARY, "--output", "/proc/no-such-folder", "--steps",
                  "sharding"},
                 directory_ + "/stderr.log", std::chrono::seconds(30));
  ASSERT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(result.exit_code, 1) << "an unwritable --output must fail the demo";
  std::ifstream log(directory_ + "/stderr.log");
  const std::string message((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(message.find("/proc/no-such-folder/run"), std::string::npos)
      << "the error must name the folder it could not create: " << message;
  EXPECT_NE(message.find("Choose a writable folder with --output"), std::string::npos)
      << "the error must say how to fix it: " << message;
}

TEST_F(DemoTest, InvalidFlagIsUsageError) {
  CommandResult result = RunCommand({SCALING_DEMO_BINARY, "--seconds", "0"},
                                    directory_ + "/stderr.log", std::chrono::seconds(30));
  ASSERT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(result.exit_code, 2) << "--seconds 0 is out of range";
  std::ifstream log(directory_ + "/stderr.log");
  const std::string message((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(message.find("'0' is out of range"), std::string::npos) << message;
}

}  // namespace
}  // namespace scaling::demo
