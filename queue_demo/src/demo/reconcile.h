// The reconciliation: what the sinks hold compared with what was produced.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace queue_demo::demo {

// EffectCount compares a sink's effects table with the keys expected in it.
struct EffectCount {
  std::int64_t rows = 0;
  std::int64_t distinct = 0;    // distinct keys among the rows
  std::int64_t lost = 0;        // expected keys with no row
  std::int64_t duplicated = 0;  // rows beyond the first for a key
  std::int64_t unexpected = 0;  // distinct keys that were not expected
  std::string first_lost;       // an example of each, for the report
  std::string first_duplicated;
  std::string first_unexpected;
  std::string error;            // set when the database could not be read

  bool exact() const { return error.empty() && lost == 0 && duplicated == 0 && unexpected == 0; }
};

// CountEffects reads the effects table of the SQLite sink at `path`.
EffectCount CountEffects(const std::string& path, const std::set<std::string>& expected);

// DistinctEffectKeys returns the number of distinct effect keys, or -1 when
// the database cannot be read. It is cheap enough to poll.
std::int64_t DistinctEffectKeys(const std::string& path);

}  // namespace queue_demo::demo
