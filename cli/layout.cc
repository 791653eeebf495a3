#include "layout.h"

#include <cstdlib>
#include <system_error>

namespace labkit::cli {

namespace {

bool IsRepositoryRoot(const fs::path& dir) {
  std::error_code error;
  return fs::is_regular_file(dir / "CMakePresets.json", error) &&
         fs::is_directory(dir / "labs", error);
}

}  // namespace

std::string Layout::Relative(const fs::path& path) const {
  const fs::path normal = path.lexically_normal();
  const fs::path relative = normal.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return normal.string();
  return relative.string();
}

StatusOr<Layout> FindLayout() {
  Layout layout;
  std::error_code error;

  // Take the root from the environment, else search upward.
  if (const char* root = std::getenv("LABKIT_ROOT"); root != nullptr && *root != '\0') {
    layout.root = fs::absolute(root, error).lexically_normal();
    if (!IsRepositoryRoot(layout.root)) {
      return Status::Error("LABKIT_ROOT='" + std::string(root) +
                           "' is not a labkit repository (it needs CMakePresets.json and "
                           "labs/). Unset it or point it at the repository root.");
    }
  } else {
    for (fs::path dir = fs::current_path(error); !dir.empty(); dir = dir.parent_path()) {
      if (IsRepositoryRoot(dir)) {
        layout.root = dir;
        break;
      }
      if (dir == dir.root_path()) break;
    }
    if (layout.root.empty()) {
      return Status::Error(
          "cannot find the labkit repository from " + fs::current_path(error).string() +
          ": run ./labkit from the repository root, or set LABKIT_ROOT to it.");
    }
  }

  // The build root defaults to <root>/build, next to the presets' trees.
  if (const char* build = std::getenv("LABKIT_BUILD_ROOT"); build != nullptr && *build != '\0') {
    layout.build_root = fs::absolute(build, error).lexically_normal();
  } else {
    layout.build_root = layout.root / "build";
  }
  return layout;
}

}  // namespace labkit::cli
