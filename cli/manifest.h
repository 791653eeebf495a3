// Manifest: a lab as described by labs/<lab>/lab.json.
//
// The manifest is the single source of truth about exercises: their files,
// tests, hints, mutants and benchmarks. cmake/Lab.cmake reads the same file
// to define the build targets, so the names here match the targets:
//   ex_<lab>_<exercise>_{learner,starter,reference,mutant_<mutant>}
//   verify_<lab>, bench_<lab>_<exercise>_{learner,reference}, bench_<lab>
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layout.h"
#include "status.h"

namespace labkit::cli {

struct Mutant {
  std::string name;
  std::string patch;        // relative to the lab directory
  std::string description;  // the fault it plants, in plain words
};

struct Exercise {
  std::string name;
  std::string title;
  std::string file;       // the learner's file, relative to the lab directory
  std::string reference;  // the reference file, relative to the root
  std::string hints;      // the hints file, relative to the lab directory
  std::vector<Mutant> mutants;
  bool has_bench = false;  // the exercise has an optional "bench" key
};

struct Lab {
  std::string name;
  std::string title;
  fs::path dir;  // labs/<name>
  std::vector<Exercise> exercises;
  std::string demo_target;  // from {"demo": {"target": ...}}; empty if none
  // The lab's other programs, from {"demo": {"build": [...]}}: targets that
  // `labkit demo` builds along with the demo, for the learner to run.
  std::vector<std::string> demo_builds;

  fs::path LearnerFile(const Exercise& exercise) const { return dir / exercise.file; }
  fs::path StarterFile(const Exercise& exercise) const {
    return dir / ".starter" / exercise.file;
  }
  fs::path HintsFile(const Exercise& exercise) const { return dir / exercise.hints; }

  // TargetPrefix returns "ex_<lab>_<exercise>", the stem of its build targets.
  std::string TargetPrefix(const Exercise& exercise) const {
    return "ex_" + name + "_" + exercise.name;
  }

  // ExerciseNames returns every exercise name, comma-separated, for messages.
  std::string ExerciseNames() const;
};

// ListLabNames returns the names of the directories under labs/ that contain
// a lab.json, sorted.
std::vector<std::string> ListLabNames(const Layout& layout);

// LoadLab parses labs/<name>/lab.json. An unknown name is an error that lists
// the valid ones.
StatusOr<Lab> LoadLab(const Layout& layout, std::string_view name);

// LoadLabs loads one lab, or every lab when `name` is empty.
StatusOr<std::vector<Lab>> LoadLabs(const Layout& layout, std::string_view name);

// SelectExercises returns the named exercise, or every exercise when `name`
// is empty. An unknown name is an error that lists the valid ones.
StatusOr<std::vector<const Exercise*>> SelectExercises(const Lab& lab, std::string_view name);

}  // namespace labkit::cli
