#include "hints.h"

#include <charconv>
#include <map>
#include <regex>
#include <sstream>

#include "files.h"

namespace labkit::cli {

namespace {

std::string TrimBlankLines(const std::string& text) {
  const size_t first = text.find_first_not_of("\n");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of("\n \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

StatusOr<std::vector<std::string>> ParseHints(const std::string& text) {
  // Collect each "## Hint N" section, keyed by N.
  static const std::regex kHintHeading(R"(^##\s+Hint\s+(\d+)\b.*$)");
  std::map<int, std::string> sections;
  std::vector<std::string> numbers;  // as written, for the error message
  int current = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, kHintHeading)) {
      const std::string number = match[1].str();
      numbers.push_back(number);
      const std::errc error = std::from_chars(number.data(), number.data() + number.size(), current).ec;
      if (error != std::errc() || current < 1 || sections.count(current) != 0) {
        current = -1;  // reported below
        continue;
      }
      sections[current];
    } else if (line.rfind("## ", 0) == 0 || line.rfind("# ", 0) == 0) {
      current = 0;  // another heading ends the hint
    } else if (current > 0) {
      sections[current] += line + "\n";
    }
  }

  // The numbers must run 1, 2, 3 ... with no gap or repeat.
  const bool numbered_in_sequence =
      sections.size() == numbers.size() &&
      (sections.empty() || sections.rbegin()->first == static_cast<int>(sections.size()));
  if (!numbered_in_sequence) {
    std::string written;
    for (const std::string& number : numbers) written += (written.empty() ? "" : ", ") + number;
    return Status::Error("its hint sections are numbered " + written + ": expected 1 to " +
                         std::to_string(numbers.size()) + ", each once");
  }

  std::vector<std::string> hints;
  for (const auto& [number, body] : sections) hints.push_back(TrimBlankLines(body));
  return hints;
}

StatusOr<std::vector<std::string>> LoadHints(const Layout& layout, const Lab& lab,
                                             const Exercise& exercise) {
  if (exercise.hints.empty()) {
    return Status::Error("exercise " + exercise.name + " has no \"hints\" file in " +
                         layout.Relative(lab.dir / "lab.json"));
  }
  const fs::path path = lab.HintsFile(exercise);
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return Status::Error("no hints yet for " + exercise.name + ": " +
                                       layout.Relative(path) + " is missing");

  StatusOr<std::vector<std::string>> hints = ParseHints(text.value());
  if (!hints.ok()) {
    return Status::Error("invalid hints file " + layout.Relative(path) + ": " +
                         hints.status().message());
  }
  if (hints->empty()) {
    return Status::Error("no hints yet for " + exercise.name + ": " + layout.Relative(path) +
                         " has no \"## Hint 1\" section");
  }
  return hints;
}

}  // namespace labkit::cli
