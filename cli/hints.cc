#include "hints.h"

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

  // Collect each "## Hint N" section, keyed by N.
  static const std::regex kHintHeading(R"(^##\s+Hint\s+(\d+)\b.*$)");
  std::map<int, std::string> sections;
  int current = 0;
  std::istringstream in(text.value());
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, kHintHeading)) {
      current = std::stoi(match[1].str());
      sections[current];
    } else if (line.rfind("## ", 0) == 0 || line.rfind("# ", 0) == 0) {
      current = 0;  // another section ends the hint
    } else if (current != 0) {
      sections[current] += line + "\n";
    }
  }

  std::vector<std::string> hints;
  for (const auto& [number, body] : sections) hints.push_back(TrimBlankLines(body));
  if (hints.empty()) {
    return Status::Error("no hints yet for " + exercise.name + ": " + layout.Relative(path) +
                         " has no \"## Hint 1\" section");
  }
  return hints;
}

}  // namespace labkit::cli
