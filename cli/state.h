// LabState: the learner's progress in one lab, kept in
// build/state/<lab>.json between runs of the CLI.
//
// For each exercise it stores the hash of the learner's file at the last
// passing check (so an edit after passing shows as "in progress" again), the
// last check's result and how many hints were shown. Losing the file loses
// only this bookkeeping, never the learner's code.
#pragma once

#include <map>
#include <string>

#include "layout.h"
#include "manifest.h"
#include "status.h"

namespace labkit::cli {

struct ExerciseState {
  std::string passed_hash;  // HashContents of the file at the last pass
  std::string last_result;  // "passed", "failed", "build error", "timed out", ...
  int hints_shown = 0;
};

class LabState {
 public:
  // Load reads the state file. A missing or unreadable file is an empty state.
  static LabState Load(const Layout& layout, const std::string& lab);

  // Save writes the state file atomically.
  Status Save() const;

  ExerciseState& For(const std::string& exercise) { return exercises_[exercise]; }

 private:
  std::filesystem::path path_;
  std::map<std::string, ExerciseState> exercises_;
};

enum class ExerciseStatus { kNotStarted, kInProgress, kPassed, kMissing };

// StatusOf compares the learner's file with the starter and with the hash
// of the last passing check.
ExerciseStatus StatusOf(const Lab& lab, const Exercise& exercise, LabState& state);

// ProgressNote returns why an exercise in progress has not passed, from
// its last check's result: "not checked yet", "edited since it passed" or
// "last check: failed". It returns "" for any other status.
std::string ProgressNote(ExerciseStatus status, const std::string& last_result);

// StatusName returns "not started", "in progress", "passed" or "missing".
const char* StatusName(ExerciseStatus status);

}  // namespace labkit::cli
