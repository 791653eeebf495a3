#include "labkit/config.h"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

namespace labkit {
namespace {

constexpr std::string_view kSpace = " \t\r";

std::string_view Trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

// StripComment removes a comment: '#' at the start of the line or after a
// space or tab. A '#' inside a word ("a#b") is part of the value.
std::string_view StripComment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '#') continue;
    if (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t') {
      return line.substr(0, i);
    }
  }
  return line;
}

// ValidName is true for a non-empty run of [a-z0-9_-].
bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// ParseUnsigned accepts digits only, with no sign and no overflow.
std::optional<std::int64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || text.front() == '-' || text.front() == '+') {
    return std::nullopt;
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Multiply returns a * b, or nullopt if it overflows.
std::optional<std::int64_t> Multiply(std::int64_t a, std::int64_t b) {
  if (b != 0 && a > std::numeric_limits<std::int64_t>::max() / b) {
    return std::nullopt;
  }
  return a * b;
}

struct Unit {
  std::string_view suffix;
  Nanos nanos;
};

constexpr Nanos kSecond = 1'000'000'000;
constexpr Unit kDurationUnits[] = {
    {"ms", kSecond / 1000}, {"min", 60 * kSecond}, {"s", kSecond},
    {"h", 3600 * kSecond}};
constexpr Unit kRateUnits[] = {
    {"s", kSecond}, {"min", 60 * kSecond}, {"h", 3600 * kSecond}};

}  // namespace

const ConfigEntry* ConfigSection::Find(std::string_view key) const {
  for (const ConfigEntry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::string ConfigSection::Title() const {
  if (argument.empty()) return "[" + name + "]";
  return "[" + name + " " + argument + "]";
}

ConfigResult<ConfigFile> ConfigFile::Parse(std::string_view text,
                                           std::string file_name) {
  ConfigFile file;
  file.file_name_ = std::move(file_name);

  int line_number = 0;
  while (!text.empty()) {
    // Take the next line.
    const std::size_t newline = text.find('\n');
    std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view()
                                             : text.substr(newline + 1);
    ++line_number;
    std::string_view line = Trim(StripComment(raw));
    if (line.empty()) continue;

    // A section header: [name] or [name argument].
    if (line.front() == '[') {
      if (line.back() != ']') {
        return file.ErrorAt(line_number, "invalid section header '" +
                                             std::string(line) +
                                             "': expected [name] or "
                                             "[name argument]");
      }
      std::string_view inside = Trim(line.substr(1, line.size() - 2));
      const std::size_t space = inside.find_first_of(" \t");
      ConfigSection section;
      section.line = line_number;
      section.name = std::string(inside.substr(0, space));
      if (space != std::string_view::npos) {
        section.argument = std::string(Trim(inside.substr(space)));
      }
      if (!ValidName(section.name)) {
        return file.ErrorAt(line_number,
                            "invalid section name '" + section.name +
                                "': expected lowercase letters, digits, '_' "
                                "or '-'");
      }
      for (const ConfigSection& other : file.sections_) {
        if (other.name == section.name && other.argument == section.argument) {
          return file.ErrorAt(line_number,
                              "duplicate section " + section.Title() +
                                  " (first on line " +
                                  std::to_string(other.line) + ")");
        }
      }
      file.sections_.push_back(std::move(section));
      continue;
    }

    // A key = value line, inside a section.
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return file.ErrorAt(line_number, "invalid line '" + std::string(line) +
                                           "': expected key = value or "
                                           "[section]");
    }
    std::string key(Trim(line.substr(0, equals)));
    std::string value(Trim(line.substr(equals + 1)));
    if (!ValidName(key)) {
      return file.ErrorAt(line_number, "invalid key '" + key +
                                           "': expected lowercase letters, "
                                           "digits, '_' or '-'");
    }
    if (value.empty()) {
      return file.ErrorAt(line_number, "missing value for key '" + key + "'");
    }
    if (file.sections_.empty()) {
      return file.ErrorAt(line_number,
                          "key '" + key +
                              "' is outside any section: put a [section] "
                              "header above it");
    }
    ConfigSection& section = file.sections_.back();
    if (const ConfigEntry* first = section.Find(key)) {
      return file.ErrorAt(line_number, "duplicate key '" + key + "' in " +
                                           section.Title() +
                                           " (first set on line " +
                                           std::to_string(first->line) + ")");
    }
    section.entries.push_back({std::move(key), std::move(value), line_number});
  }
  return file;
}

ConfigResult<ConfigFile> ConfigFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ConfigError{"cannot read config file '" + path +
                       "': it does not exist or is not readable"};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return ConfigError{"cannot read config file '" + path + "'"};
  }
  return Parse(text.str(), path);
}

ConfigError ConfigFile::ErrorAt(int line, std::string_view message) const {
  return ConfigError{file_name_ + ":" + std::to_string(line) + ": " +
                     std::string(message)};
}

ConfigError ConfigFile::InvalidValue(const ConfigEntry& entry,
                                     std::string_view what,
                                     std::string_view expected) const {
  return ErrorAt(entry.line, "invalid " + std::string(what) + " '" +
                                 entry.value + "': expected " +
                                 std::string(expected));
}

std::optional<ConfigError> ConfigFile::CheckKeys(
    const ConfigSection& section,
    std::initializer_list<std::string_view> known) const {
  for (const ConfigEntry& entry : section.entries) {
    bool found = false;
    for (std::string_view key : known) found = found || key == entry.key;
    if (found) continue;

    std::string list;
    for (std::string_view key : known) {
      if (!list.empty()) list += ", ";
      list += key;
    }
    return ErrorAt(entry.line, "unknown key '" + entry.key + "' in " +
                                   section.Title() + ": expected one of " +
                                   list);
  }
  return std::nullopt;
}

ConfigResult<const ConfigEntry*> ConfigFile::Require(
    const ConfigSection& section, std::string_view key) const {
  if (const ConfigEntry* entry = section.Find(key)) return entry;
  return ErrorAt(section.line, "missing key '" + std::string(key) + "' in " +
                                   section.Title());
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  if (!text.empty() && text.front() == '-') {
    std::optional<std::int64_t> magnitude = ParseUnsigned(text.substr(1));
    if (!magnitude) return std::nullopt;
    return -*magnitude;
  }
  return ParseUnsigned(text);
}

std::optional<bool> ParseBool(std::string_view text) {
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

std::optional<Nanos> ParseDuration(std::string_view text) {
  // Split the number from its unit.
  const std::size_t unit_start = text.find_first_not_of("0123456789");
  if (unit_start == 0 || unit_start == std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<std::int64_t> number = ParseUnsigned(text.substr(0, unit_start));
  std::string_view suffix = text.substr(unit_start);
  if (!number || *number <= 0) return std::nullopt;

  for (const Unit& unit : kDurationUnits) {
    if (suffix == unit.suffix) return Multiply(*number, unit.nanos);
  }
  return std::nullopt;
}

std::optional<Rate> ParseRate(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<std::int64_t> count = ParseUnsigned(Trim(text.substr(0, slash)));
  std::string_view suffix = Trim(text.substr(slash + 1));
  if (!count || *count <= 0) return std::nullopt;

  for (const Unit& unit : kRateUnits) {
    if (suffix == unit.suffix) return Rate{*count, unit.nanos};
  }
  return std::nullopt;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const std::size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return items;
}

}  // namespace labkit
