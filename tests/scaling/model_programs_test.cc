// Tests of the scaling-usl-fit and scaling-lb-sim programs: their output,
// the data files the demo charts, and their usage errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using ::testing::HasSubstr;

struct Output {
  int status = -1;
  std::string text;  // stdout and stderr together
};

// RunCommand runs `command` through the shell, with a timeout, and returns
// its exit status and output.
Output RunCommand(const std::string& command) {
  Output output;
  const std::string bounded = "timeout 60 " + command + " 2>&1";
  std::FILE* pipe = popen(bounded.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer;
  size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output.text.append(buffer.data(), count);
  }
  const int status = pclose(pipe);
  output.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// DataBlocks returns the non-comment lines of each gnuplot block (blocks are
// separated by two blank lines).
std::vector<std::vector<std::string>> DataBlocks(const std::string& text) {
  std::vector<std::vector<std::string>> blocks(1);
  std::istringstream lines(text);
  std::string line;
  int blank_run = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) {
      if (++blank_run == 2 && !blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    blank_run = 0;
    if (line[0] != '#') blocks.back().push_back(line);
  }
  return blocks;
}

TEST(UslFitProgramTest, FitsCiscoData) {
  const std::string curve = ::testing::TempDir() + "usl_curve.dat";
  const Output out = RunCommand(std::string(USL_FIT_BINARY) + " " +
                         LABKIT_USL_CISCO_CSV + " --curve " + curve);
  ASSERT_EQ(out.status, 0) << out.text;
  EXPECT_THAT(out.text, HasSubstr("sigma       0.0267159"));
  EXPECT_THAT(out.text, HasSubstr("kappa       0.000769093"));
  EXPECT_THAT(out.text, HasSubstr("lambda      995.64"));
  EXPECT_THAT(out.text, HasSubstr("peak        X(35.57)"));

  const auto blocks = DataBlocks(ReadFile(curve));
  std::remove(curve.c_str());
  ASSERT_EQ(blocks.size(), 2u) << "measured points, then the fitted curve";
  EXPECT_EQ(blocks[0].size(), 32u);
  EXPECT_EQ(blocks[1].size(), 201u);
}

TEST(UslFitProgramTest, BadRowNamesLine) {
  const std::string path = ::testing::TempDir() + "usl_bad.csv";
  std::ofstream(path) << "concurrency,throughput\n1,100\n2,lots\n";
  const Output out = RunCommand(std::string(USL_FIT_BINARY) + " " + path);
  std::remove(path.c_str());
  EXPECT_EQ(out.status, 1) << out.text;
  EXPECT_THAT(out.text, HasSubstr(path + ":3"));
  EXPECT_THAT(out.text, HasSubstr("'lots'"));
}

TEST(UslFitProgramTest, MissingFileIsUsageError) {
  const Output out = RunCommand(std::string(USL_FIT_BINARY) + " /nonexistent.csv");
  EXPECT_EQ(out.status, 2) << out.text;
  EXPECT_THAT(out.text, HasSubstr("/nonexistent.csv"));
}

TEST(LbSimProgramTest, PrintsTableAndWritesData) {
  const std::string data = ::testing::TempDir() + "lb_sim.dat";
  const Output out =
      RunCommand(std::string(LB_SIM_BINARY) +
          " --servers 20 --requests 20000 --utilisation 0.5,0.9 --data " +
          data);
  ASSERT_EQ(out.status, 0) << out.text;
  for (const char* policy :
       {"round_robin", "random", "least_connections", "two_choices"}) {
    EXPECT_THAT(out.text, HasSubstr(policy));
  }

  const auto blocks = DataBlocks(ReadFile(data));
  std::remove(data.c_str());
  ASSERT_EQ(blocks.size(), 4u) << "one block per policy";
  for (const auto& block : blocks) {
    ASSERT_EQ(block.size(), 2u) << "one row per utilisation";
    std::istringstream row(block[0]);
    double utilisation = 0, p50 = 0, p99 = 0, p999 = 0, mean = 0;
    int max_queue = 0;
    ASSERT_TRUE(row >> utilisation >> p50 >> p99 >> p999 >> mean >> max_queue)
        << "row '" << block[0] << "' must have six numeric columns";
    EXPECT_DOUBLE_EQ(utilisation, 0.5);
    EXPECT_LE(p50, p99);
    EXPECT_LE(p99, p999);
  }
}

TEST(LbSimProgramTest, BadFlagsAreUsageErrors) {
  const Output utilisation =
      RunCommand(std::string(LB_SIM_BINARY) + " --utilisation 1.2");
  EXPECT_EQ(utilisation.status, 2) << utilisation.text;
  EXPECT_THAT(utilisation.text, HasSubstr("'1.2' is out of range"));

  const Output servers = RunCommand(std::string(LB_SIM_BINARY) + " --servers 0");
  EXPECT_EQ(servers.status, 2) << servers.text;
  EXPECT_THAT(servers.text, HasSubstr("'0' is out of range"));

  const Output distribution =
      RunCommand(std::string(LB_SIM_BINARY) + " --distribution normal");
  EXPECT_EQ(distribution.status, 2) << distribution.text;
  EXPECT_THAT(distribution.text, HasSubstr("'normal'"));
}

}  // namespace
