// Tests of LoadLab: reading labs/<lab>/lab.json, and the errors that name
// what is wrong with it. Each test writes its own repository under a
// temporary directory.

#include "manifest.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    layout_.root = fs::path(::testing::TempDir()) / (std::string("labkit_manifest_") + test->name());
    layout_.build_root = layout_.root / "build";
    fs::remove_all(layout_.root);
    fs::create_directories(layout_.LabsDir());
  }
  void TearDown() override { fs::remove_all(layout_.root); }

  void WriteManifest(const std::string& lab, const std::string& text) {
    fs::create_directories(layout_.LabsDir() / lab);
    std::ofstream(layout_.LabsDir() / lab / "lab.json") << text;
  }

  Layout layout_;
};

constexpr const char* kValidManifest = R"({
  "lab": "demo_lab",
  "title": "Demo lab",
  "demo": {"target": "demo-server", "build": ["demo-tool", "demo-client"]},
  "exercises": [
    {"name": "first", "title": "First exercise", "file": "first.cc",
     "reference": "src/first.cc", "hints": "hints/first.md", "bench": ["bench/first.cc"],
     "mutants": [{"name": "off_by_one", "patch": "mutants/first/off_by_one.patch",
                  "description": "admits one too many"}]},
    {"name": "second", "file": "second.cc", "reference": "src/second.cc"}
  ]
})";

TEST_F(ManifestTest, LoadsEveryField) {
  WriteManifest("demo_lab", kValidManifest);
  StatusOr<Lab> lab = LoadLab(layout_, "demo_lab");
  ASSERT_TRUE(lab.ok()) << lab.status().message();
  EXPECT_EQ(lab->title, "Demo lab");
  EXPECT_EQ(lab->demo_target, "demo-server");
  const std::vector<std::string> builds = {"demo-tool", "demo-client"};
  EXPECT_EQ(lab->demo_builds, builds);
  ASSERT_EQ(lab->exercises.size(), 2u);

  const Exercise& first = lab->exercises[0];
  EXPECT_EQ(first.name, "first");
  EXPECT_EQ(first.title, "First exercise");
  EXPECT_EQ(lab->LearnerFile(first), layout_.LabsDir() / "demo_lab" / "first.cc");
  EXPECT_EQ(lab->StarterFile(first), layout_.LabsDir() / "demo_lab" / ".starter" / "first.cc");
  EXPECT_TRUE(first.has_bench);
  ASSERT_EQ(first.mutants.size(), 1u);
  EXPECT_EQ(first.mutants[0].name, "off_by_one");
  EXPECT_EQ(first.mutants[0].description, "admits one too many");

  const Exercise& second = lab->exercises[1];
  EXPECT_EQ(second.title, "second") << "a missing title falls back to the name";
  EXPECT_FALSE(second.has_bench);
  EXPECT_TRUE(second.mutants.empty());
  EXPECT_EQ(lab->TargetPrefix(second), "ex_demo_lab_second");
}

TEST_F(ManifestTest, DemoWithoutBuildList) {
  WriteManifest("demo_lab", R"({"demo": {"target": "d"}, "exercises": []})");
  StatusOr<Lab> lab = LoadLab(layout_, "demo_lab");
  ASSERT_TRUE(lab.ok()) << lab.status().message();
  EXPECT_EQ(lab->demo_target, "d");
  EXPECT_TRUE(lab->demo_builds.empty());
}

TEST_F(ManifestTest, UnknownLabListsValidOnes) {
  WriteManifest("alpha", kValidManifest);
  WriteManifest("beta", kValidManifest);
  StatusOr<Lab> lab = LoadLab(layout_, "gamma");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(),
            "unknown lab 'gamma': valid labs are alpha, beta. See them with ./labkit list");
}

TEST_F(ManifestTest, PathOutsideLabsIsUnknownLab) {
  WriteManifest("alpha", kValidManifest);
  StatusOr<Lab> lab = LoadLab(layout_, "../labs/alpha");
  ASSERT_FALSE(lab.ok()) << "a lab name must not reach outside labs/";
  EXPECT_EQ(lab.status().message().rfind("unknown lab '../labs/alpha'", 0), 0u)
      << lab.status().message();
}

TEST_F(ManifestTest, InvalidJsonNamesFile) {
  WriteManifest("alpha", "{\"exercises\": [");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message().rfind("labs/alpha/lab.json is not valid JSON: ", 0), 0u)
      << lab.status().message();
}

TEST_F(ManifestTest, TopLevelArrayIsError) {
  WriteManifest("alpha", "[]");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(), "labs/alpha/lab.json is not a JSON object");
}

TEST_F(ManifestTest, MissingExercisesIsError) {
  WriteManifest("alpha", R"({"title": "A"})");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(), "labs/alpha/lab.json has no \"exercises\" array");
}

TEST_F(ManifestTest, ExerciseWithoutFileIsError) {
  WriteManifest("alpha", R"({"exercises": [{"name": "gcra", "reference": "src/gcra.cc"}]})");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(), "labs/alpha/lab.json has no string \"file\"");
}

TEST_F(ManifestTest, MutantWithoutPatchIsError) {
  WriteManifest("alpha", R"({"exercises": [{"name": "gcra", "file": "gcra.cc",
      "reference": "src/gcra.cc", "mutants": [{"name": "m"}]}]})");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(), "labs/alpha/lab.json gcra mutant has no string \"patch\"");
}

TEST_F(ManifestTest, MutantsNotArrayIsError) {
  WriteManifest("alpha", R"({"exercises": [{"name": "gcra", "file": "gcra.cc",
      "reference": "src/gcra.cc", "mutants": {}}]})");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(), "labs/alpha/lab.json: \"mutants\" is not an array");
}

TEST_F(ManifestTest, DemoBuildMustListNames) {
  const std::string expected =
      "labs/alpha/lab.json: \"demo\": \"build\" must be a list of target names, such as "
      "[\"rl-service\"]";
  for (const std::string build : {R"("rl-service")", R"([1])", R"([""])", R"({})"}) {
    WriteManifest("alpha", R"({"demo": {"target": "d", "build": )" + build +
                               R"(}, "exercises": []})");
    StatusOr<Lab> lab = LoadLab(layout_, "alpha");
    ASSERT_FALSE(lab.ok()) << "\"build\": " << build << " must be rejected";
    EXPECT_EQ(lab.status().message(), expected) << "\"build\": " << build;
  }
}

TEST_F(ManifestTest, BenchKeyForms) {
  WriteManifest("alpha", R"({"exercises": [
      {"name": "a", "file": "a.cc", "reference": "a.cc", "bench": false},
      {"name": "b", "file": "b.cc", "reference": "b.cc", "bench": []},
      {"name": "c", "file": "c.cc", "reference": "c.cc", "bench": null},
      {"name": "d", "file": "d.cc", "reference": "d.cc", "bench": true}]})");
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_TRUE(lab.ok()) << lab.status().message();
  EXPECT_FALSE(lab->exercises[0].has_bench) << "false";
  EXPECT_FALSE(lab->exercises[1].has_bench) << "an empty list";
  EXPECT_FALSE(lab->exercises[2].has_bench) << "null";
  EXPECT_TRUE(lab->exercises[3].has_bench) << "true";
}

TEST_F(ManifestTest, SelectExercisesByName) {
  WriteManifest("alpha", kValidManifest);
  StatusOr<Lab> lab = LoadLab(layout_, "alpha");
  ASSERT_TRUE(lab.ok()) << lab.status().message();

  StatusOr<std::vector<const Exercise*>> all = SelectExercises(lab.value(), "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);

  StatusOr<std::vector<const Exercise*>> single = SelectExercises(lab.value(), "second");
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ(single.value()[0]->name, "second");

  StatusOr<std::vector<const Exercise*>> unknown = SelectExercises(lab.value(), "third");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "unknown exercise 'third' in lab alpha: valid exercises are first, second");
}

TEST_F(ManifestTest, NoLabsIsError) {
  StatusOr<std::vector<Lab>> labs = LoadLabs(layout_, "");
  ASSERT_FALSE(labs.ok());
  EXPECT_EQ(labs.status().message(),
            "no labs found: expected labs/<lab>/lab.json under " + layout_.root.string());
}

}  // namespace
}  // namespace labkit::cli
