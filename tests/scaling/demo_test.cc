// End-to-end test of scaling-demo --quick: it runs every step on loopback
// and writes four non-empty PNG charts; bad flags are usage errors.

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
