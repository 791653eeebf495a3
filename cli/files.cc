#include "files.h"

#include <cstdint>
#include <ctime>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

namespace labkit::cli {

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot read " + path.string() + ": file not found or unreadable");
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return Status::Error("failed to read " + path.string());
  return contents.str();
}

Status WriteFileAtomically(const fs::path& path, const std::string& contents) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) {
    return Status::Error("cannot create " + path.parent_path().string() + ": " + error.message());
  }

  // The process id keeps two concurrent writers off each other's temporary.
  const fs::path temporary = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out.flush()) return Status::Error("failed to write " + temporary.string());
  }
  fs::rename(temporary, path, error);
  if (error) return Status::Error("failed to replace " + path.string() + ": " + error.message());
  return Status::Ok();
}

bool FilesIdentical(const fs::path& a, const fs::path& b) {
  StatusOr<std::string> first = ReadFile(a);
  StatusOr<std::string> second = ReadFile(b);
  return first.ok() && second.ok() && first.value() == second.value();
}

std::string HashContents(const std::string& contents) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64-bit offset basis
  for (unsigned char byte : contents) {
    hash ^= byte;
    hash *= 1099511628211ULL;  // FNV-1a 64-bit prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

std::string LocalTimestamp() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

}  // namespace labkit::cli
