// Layout: where the repository and its build trees are on disk.
//
// The root is the repository (it contains labs/ and CMakePresets.json). The
// build root (default <root>/build) contains one CMake build tree per preset
// (build/default, build/release, build/asan, build/tsan, build/fuzz) and the CLI's own
// files: state/ (progress per lab), logs/ (one log per step) and backup/
// (files that `reset` overwrote).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "status.h"

namespace labkit::cli {

namespace fs = std::filesystem;

struct Layout {
  fs::path root;
  fs::path build_root;

  fs::path PresetDir(std::string_view preset) const { return build_root / preset; }
  fs::path StateDir() const { return build_root / "state"; }
  fs::path LogsDir() const { return build_root / "logs"; }
  fs::path BackupDir() const { return build_root / "backup"; }
  fs::path LabsDir() const { return root / "labs"; }

  // Relative returns `path` relative to the root when it lies inside it, so
  // messages show short paths a learner can paste ("labs/rate_limiter/gcra.cc").
  std::string Relative(const fs::path& path) const;
};

// FindLayout takes the root from $LABKIT_ROOT (the ./labkit script sets it),
// else searches upward from the working directory for CMakePresets.json next
// to labs/. $LABKIT_BUILD_ROOT overrides the build root.
StatusOr<Layout> FindLayout();

}  // namespace labkit::cli
