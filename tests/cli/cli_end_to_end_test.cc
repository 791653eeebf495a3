// End-to-end tests of the labkit-cli program: each test writes a small lab
// kit into a temporary directory (one lab, "toy", with two exercises and a
// demo), runs the built program on it and reads what it prints.
//
// The demo tests configure and build a two-file C project with CMake and
// Ninja in the temporary directory, which takes a few seconds.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "process.h"

namespace labkit::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kRunTimeout{60};

// A title of more than 40 characters, so a fixed-width title column would
// overflow.
constexpr const char* kLongTitle =
    "A deliberately long exercise title that runs past forty characters";

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::trunc) << text;
}

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, merged
  std::vector<std::string> lines;
};

class CliEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/labkit-cli-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr) << "cannot create a temporary directory under /tmp";
    root_ = pattern;
    WriteKit();
  }

  void TearDown() override {
    std::error_code error;
    fs::remove_all(root_, error);
  }

  // WriteKit writes the repository markers, the toy lab and its demo project.
  void WriteKit() {
    WriteText(root_ / "CMakePresets.json",
              R"({"version": 3, "configurePresets": [{"name": "default", "generator": "Ninja",
                  "binaryDir": "${sourceDir}/build/default"}]})");
    WriteText(root_ / "CMakeLists.txt",
              "cmake_minimum_required(VERSION 3.16)\nproject(toy C)\n"
              "add_executable(toy-demo demo.c)\nadd_executable(toy-tool tool.c)\n");
    // toy-demo prints each argument on its own line, and exits 3 on "fail".
    WriteText(root_ / "demo.c",
              "#include <stdio.h>\n#include <string.h>\n"
              "int main(int argc, char** argv) {\n"
              "  for (int i = 1; i < argc; ++i) {\n"
              "    printf(\"arg: %s\\n\", argv[i]);\n"
              "    if (strcmp(argv[i], \"fail\") == 0) return 3;\n"
              "  }\n"
              "  return 0;\n"
              "}\n");
    WriteText(root_ / "tool.c", "int main(void) { return 0; }\n");

    const fs::path lab = root_ / "labs" / "toy";
    WriteText(lab / "lab.json", std::string(R"({
      "lab": "toy", "title": "Toy lab",
      "demo": {"target": "toy-demo", "build": ["toy-tool"]},
      "exercises": [
        {"name": "first", "title": "Short title", "file": "first.cc",
         "reference": "toy/first.cc", "hints": "hints/first.md"},
        {"name": "second", "title": ")") + kLongTitle + R"(", "file": "second.cc",
         "reference": "toy/second.cc", "hints": "hints/second.md"}
      ]})");
    for (const char* file : {"first.cc", "second.cc"}) {
      const std::string starter = "// TODO: implement\nint Answer() { return 0; }\n";
      WriteText(lab / ".starter" / file, starter);
      WriteText(lab / file, starter);
    }
    const std::string hints = "## Hint 1\nnudge\n\n## Hint 2\nmore\n\n## Hint 3\nnearly\n";
    WriteText(lab / "hints" / "first.md", hints);
    WriteText(lab / "hints" / "second.md", hints);
  }

  // RunCli runs labkit-cli on the toy kit with `args`.
  CliResult RunCli(const std::vector<std::string>& args) {
    CliResult run;
    ProcessOptions process;
    process.argv = {LABKIT_CLI_PATH};
    process.argv.insert(process.argv.end(), args.begin(), args.end());
    process.working_dir = root_;
    process.extra_env = {{"LABKIT_ROOT", root_.string()},
                         {"LABKIT_BUILD_ROOT", (root_ / "build").string()}};
    process.timeout = kRunTimeout;
    process.on_line = [&](std::string_view line) {
      run.output.append(line).append("\n");
      run.lines.emplace_back(line);
    };
    const ProcessResult result = RunProcess(process);
    if (result.outcome == ProcessResult::Outcome::kExited) run.exit_code = result.exit_code;
    return run;
  }

  fs::path root_;
};

TEST_F(CliEndToEndTest, CheckNotStartedSaysWhatToDo) {
  const CliResult run = RunCli({"check", "toy", "first"});
  EXPECT_EQ(run.exit_code, 1) << "an exercise not started is not passed\n" << run.output;
  EXPECT_NE(run.output.find("labs/toy/first.cc still matches the starter"), std::string::npos)
      << "check must name the file to edit\n" << run.output;
  EXPECT_NE(run.output.find("First hint: ./labkit hint toy first"), std::string::npos)
      << "check must name the hint command\n" << run.output;
}

TEST_F(CliEndToEndTest, VerifyUnknownLabIsUsageError) {
  const CliResult run = RunCli({"verify", "nosuch"});
  EXPECT_EQ(run.exit_code, 2) << "an unknown lab is a usage error in every verb\n" << run.output;
  EXPECT_NE(run.output.find("unknown lab 'nosuch'"), std::string::npos) << run.output;
}

TEST_F(CliEndToEndTest, ListAlignsStatusAfterLongTitle) {
  const CliResult run = RunCli({"list"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::vector<size_t> status_columns;
  for (const std::string& line : run.lines) {
    if (line.rfind("  first ", 0) == 0 || line.rfind("  second ", 0) == 0) {
      status_columns.push_back(line.find("not started"));
    }
  }
  ASSERT_EQ(status_columns.size(), 2u) << "list must show both exercises\n" << run.output;
  EXPECT_NE(status_columns[0], std::string::npos) << run.output;
  EXPECT_EQ(status_columns[0], status_columns[1])
      << "the status column must line up after a title of "
      << std::string(kLongTitle).size() << " characters\n" << run.output;
}

TEST_F(CliEndToEndTest, ResetStartsHintsOver) {
  ASSERT_NE(RunCli({"hint", "toy", "first"}).output.find("Hint 1 of 3"), std::string::npos);
  ASSERT_NE(RunCli({"hint", "toy", "first"}).output.find("Hint 2 of 3"), std::string::npos);

  WriteText(root_ / "labs" / "toy" / "first.cc", "int Answer() { return 42; }\n");
  const CliResult reset = RunCli({"reset", "toy", "first", "--yes"});
  ASSERT_EQ(reset.exit_code, 0) << reset.output;

  const CliResult hint = RunCli({"hint", "toy", "first"});
  EXPECT_NE(hint.output.find("Hint 1 of 3"), std::string::npos)
      << "after reset, hint must start again at hint 1\n" << hint.output;
}

TEST_F(CliEndToEndTest, DemoGetsArgumentsInOrder) {
  const CliResult run = RunCli({"demo", "toy", "--threads", "0", "--steps", "a"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string expected = "arg: --threads\narg: 0\narg: --steps\narg: a\n";
  EXPECT_NE(run.output.find(expected), std::string::npos)
      << "the demo must receive its arguments in the order typed\n" << run.output;
  EXPECT_NE(run.output.find("other programs are built too"), std::string::npos)
      << "a demo that succeeded ends with the lab's other programs\n" << run.output;
}

TEST_F(CliEndToEndTest, FailedDemoEndsWithoutProgramList) {
  const CliResult run = RunCli({"demo", "toy", "fail"});
  EXPECT_EQ(run.exit_code, 3) << "labkit must pass on the demo's exit code\n" << run.output;
  EXPECT_EQ(run.output.find("other programs are built too"), std::string::npos)
      << "a failed demo must end with its own error, not the list of programs\n" << run.output;
}

TEST_F(CliEndToEndTest, DemoHelpBuildsOnlyDemo) {
  const CliResult run = RunCli({"demo", "toy", "--help"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("arg: --help"), std::string::npos)
      << "--help must reach the demo\n" << run.output;
  EXPECT_EQ(run.output.find("other programs are built too"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(root_ / "build" / "default" / "toy-tool"))
      << "--help builds only the demo, not the lab's other programs";
}

}  // namespace
}  // namespace labkit::cli
