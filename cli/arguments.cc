#include "arguments.h"

#include <algorithm>
#include <charconv>

#include "commands.h"

namespace labkit::cli {

namespace {

// EditDistance is the Levenshtein distance: insertions, deletions and
// substitutions of one character each cost 1.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string HelpCommand(std::string_view verb) {
  std::string command = kProgramName;
  if (!verb.empty()) command += " " + std::string(verb);
  return command + " --help";
}

}  // namespace

std::string JoinWithCommas(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined.empty() ? "(none)" : joined;
}

std::string ClosestName(std::string_view word, const std::vector<std::string>& names) {
  constexpr size_t kMaxTypoEdits = 2;
  std::string closest;
  size_t closest_distance = kMaxTypoEdits + 1;
  for (const std::string& name : names) {
    const size_t distance = EditDistance(word, name);
    if (distance < closest_distance) {
      closest = name;
      closest_distance = distance;
    }
  }
  return closest;
}

std::string UnknownCommandMessage(std::string_view word, const std::vector<std::string>& commands) {
  std::string message = "unknown command '" + std::string(word) + "'";
  if (std::string closest = ClosestName(word, commands); !closest.empty()) {
    message += ": did you mean '" + closest + "'? Valid commands are ";
  } else {
    message += ": valid commands are ";
  }
  message += JoinWithCommas(commands) + ". ";
  message += HelpCommand("") + " says what each does.";
  return message;
}

std::string MissingArgumentMessage(std::string_view verb, const std::vector<std::string>& typed,
                                   std::string_view argument,
                                   const std::vector<std::string>& valid) {
  const std::string name(argument);
  std::string message = "missing " + name + " name for " + kProgramName + " " +
                        std::string(verb) + ": valid " + name + "s are " + JoinWithCommas(valid) +
                        ".";
  if (!valid.empty()) {
    std::string example = std::string(kProgramName) + " " + std::string(verb);
    for (const std::string& word : typed) example += " " + word;
    message += " For example: " + example + " " + valid.front() + ".";
  }
  return message + " Details: " + HelpCommand(verb);
}

StatusOr<int> ParseHintNumber(std::string_view text) {
  if (text.empty()) return 0;
  int number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < 1) {
    return Status::Error("invalid hint number '" + std::string(text) +
                         "': expected a whole number from 1 up, such as 2");
  }
  return number;
}

std::string UnexpectedArgumentMessage(std::string_view verb,
                                      const std::vector<std::string>& arguments) {
  std::vector<std::string> quoted;
  for (const std::string& argument : arguments) quoted.push_back("'" + argument + "'");
  std::string command = kProgramName;
  if (!verb.empty()) command += " " + std::string(verb);
  return std::string(arguments.size() == 1 ? "unexpected argument " : "unexpected arguments ") +
         JoinWithCommas(quoted) + " for " + command + ". Details: " + HelpCommand(verb);
}

bool IsDemoUsageError(int exit_code) {
  constexpr int kFirstCli11ParseError = 100;  // CLI::ExitCodes::IncorrectConstruction
  constexpr int kLastCli11ParseError = 114;   // CLI::ExitCodes::ArgumentMismatch
  return exit_code == kExitUsage ||
         (exit_code >= kFirstCli11ParseError && exit_code <= kLastCli11ParseError);
}

}  // namespace labkit::cli
