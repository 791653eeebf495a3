// ConfigFile: the strict INI-like configuration format every lab uses.
//
// The format:
//
//   # A comment runs from '#' to the end of the line, when the '#' starts
//   # the line or follows a space.
//   [service]                  a section
//   port = 8080                a key and its value
//
//   [route search]             a section with an argument (here, a name)
//   path = /api/search
//
// Section names and keys are lowercase letters, digits, '_' and '-'. A
// value is the rest of the line, trimmed; it must not be empty. Keys outside
// a section, duplicate keys in a section and duplicate sections (same name
// and argument) are errors. The reader of a section decides which keys it
// knows, and CheckKeys turns every other key into an error.
//
// Every error is a ConfigError whose message starts with "file:line:" and
// names the offending text, for example
//   ratelimit.conf:12: invalid rate '10/fortnight': expected N/s, N/min or N/h
//
// Example:
//   labkit::ConfigResult<labkit::ConfigFile> file =
//       labkit::ConfigFile::Load("ratelimit.conf");
//   if (!file.ok()) { print(file.error().message); return 1; }
//   for (const labkit::ConfigSection& section : file.value().sections()) ...
//
// Thread-safety: a ConfigFile is immutable after parsing; const use from
// several threads is safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "labkit/clock.h"

namespace labkit {

// ConfigError is one problem in a configuration, with a message ready to
// print.
struct ConfigError {
  std::string message;
};

// ConfigResult contains either a value or the ConfigError that prevented it.
template <typename T>
class ConfigResult {
 public:
  ConfigResult(T value) : state_(std::move(value)) {}
  ConfigResult(ConfigError error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  // REQUIRES: !ok().
  const ConfigError& error() const { return std::get<ConfigError>(state_); }

 private:
  std::variant<T, ConfigError> state_;
};

// ConfigEntry is one "key = value" line.
struct ConfigEntry {
  std::string key;
  std::string value;
  int line = 0;
};

// ConfigSection is one [name argument] header and the entries under it.
struct ConfigSection {
  std::string name;
  std::string argument;  // empty for [name]
  int line = 0;
  std::vector<ConfigEntry> entries;

  // Find returns the entry for `key`, or nullptr.
  const ConfigEntry* Find(std::string_view key) const;
  // Title returns the header as written: "[route search]".
  std::string Title() const;
};

class ConfigFile {
 public:
  // Parse parses `text`; `file_name` is used in error messages only.
  static ConfigResult<ConfigFile> Parse(std::string_view text,
                                        std::string file_name);
  // Load reads and parses the file at `path`. A missing or unreadable file
  // is a ConfigError naming the path.
  static ConfigResult<ConfigFile> Load(const std::string& path);

  const std::string& file_name() const { return file_name_; }
  const std::vector<ConfigSection>& sections() const { return sections_; }

  // ErrorAt returns a ConfigError "file:line: message".
  ConfigError ErrorAt(int line, std::string_view message) const;

  // InvalidValue returns "file:line: invalid WHAT 'VALUE': expected EXPECTED"
  // for `entry`.
  ConfigError InvalidValue(const ConfigEntry& entry, std::string_view what,
                           std::string_view expected) const;

  // CheckKeys returns an error naming the first key of `section` that is
  // not in `known`, with the list of known keys. Returns nullopt if every
  // key is known.
  std::optional<ConfigError> CheckKeys(
      const ConfigSection& section,
      std::initializer_list<std::string_view> known) const;

  // Require returns the entry for `key`, or an error naming the section
  // and the missing key.
  ConfigResult<const ConfigEntry*> Require(const ConfigSection& section,
                                           std::string_view key) const;

 private:
  std::string file_name_;
  std::vector<ConfigSection> sections_;
};

// Rate is `count` events per `period` nanoseconds.
struct Rate {
  std::int64_t count = 0;
  Nanos period = 0;
};

// The value parsers return nullopt when `text` is not a valid value. The
// caller then reports it with ConfigFile::InvalidValue and the expected
// form given in each comment.

// ParseInt accepts a decimal integer: "42", "-3". Expected form: "an
// integer".
std::optional<std::int64_t> ParseInt(std::string_view text);

// ParseBool accepts "true", "false", "yes", "no", "on", "off".
std::optional<bool> ParseBool(std::string_view text);

// ParseDuration accepts a positive integer with a unit: "250ms", "2s",
// "5min", "1h". Expected form: "a duration such as 250ms, 2s, 5min or 1h".
std::optional<Nanos> ParseDuration(std::string_view text);

// ParseRate accepts "N/s", "N/min" or "N/h" with N a positive integer, for
// example "100/min". Expected form: "N/s, N/min or N/h".
std::optional<Rate> ParseRate(std::string_view text);

// SplitList splits "a, b ,c" at commas and trims each item; empty items
// are dropped.
std::vector<std::string> SplitList(std::string_view text);

}  // namespace labkit
