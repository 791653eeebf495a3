// Small file helpers: whole-file reads, atomic writes, content hashes.
#pragma once

#include <filesystem>
#include <string>

#include "status.h"

namespace labkit::cli {

namespace fs = std::filesystem;

// ReadFile returns the whole file, or an error naming the path.
StatusOr<std::string> ReadFile(const fs::path& path);

// WriteFileAtomically writes to a temporary file beside `path`, then renames
// it over `path`, so a reader never sees a half-written file. Creates the
// parent directories.
Status WriteFileAtomically(const fs::path& path, const std::string& contents);

// FilesIdentical is true when both files exist and have the same bytes.
bool FilesIdentical(const fs::path& a, const fs::path& b);

// HashContents returns a 64-bit FNV-1a hash as 16 hex digits. It detects
// edits, not tampering.
std::string HashContents(const std::string& contents);

// LocalTimestamp returns the local time as "20261204-195630", safe in paths.
std::string LocalTimestamp();

}  // namespace labkit::cli
