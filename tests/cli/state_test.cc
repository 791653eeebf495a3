// Tests of ProgressNote, the reason `list` and `bench` give for an exercise
// in progress.

#include "state.h"

#include <gtest/gtest.h>

namespace labkit::cli {
namespace {

TEST(ProgressNote, NamesLastCheck) {
  EXPECT_EQ(ProgressNote(ExerciseStatus::kInProgress, ""), "not checked yet");
  EXPECT_EQ(ProgressNote(ExerciseStatus::kInProgress, "not started"), "not checked yet");
  EXPECT_EQ(ProgressNote(ExerciseStatus::kInProgress, "passed"), "edited since it passed");
  EXPECT_EQ(ProgressNote(ExerciseStatus::kInProgress, "failed"), "last check: failed");
  EXPECT_EQ(ProgressNote(ExerciseStatus::kInProgress, "build error"), "last check: build error");
}

TEST(ProgressNote, EmptyUnlessInProgress) {
  EXPECT_EQ(ProgressNote(ExerciseStatus::kPassed, "passed"), "");
  EXPECT_EQ(ProgressNote(ExerciseStatus::kNotStarted, ""), "");
  EXPECT_EQ(ProgressNote(ExerciseStatus::kMissing, "failed"), "");
}

}  // namespace
}  // namespace labkit::cli
