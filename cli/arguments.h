// Arguments: the command-line checks the CLI makes itself, so that every
// usage error names the bad value, lists the valid ones and exits with
// kExitUsage (2).
//
// CLI11 parses the options. Required positionals and the hint number are
// checked here instead, because CLI11's own messages ("lab is required",
// "Value 0 not in range 0.000000 to 1.79...e+308") name neither the valid
// values nor the next command to type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace labkit::cli {

// kProgramName is the name usage lines show: the bootstrap script, which is
// what the learner types, never the path of the built executable.
inline constexpr const char* kProgramName = "./labkit";

// JoinWithCommas returns "a, b, c", or "(none)" for an empty list.
std::string JoinWithCommas(const std::vector<std::string>& names);

// ClosestName returns the name in `names` nearest to `word` by edit
// distance, when at most 2 edits apart (a typo), else an empty string.
std::string ClosestName(std::string_view word, const std::vector<std::string>& names);

// UnknownCommandMessage returns the error for a verb that does not exist:
// "unknown command 'chek': did you mean 'check'? Valid commands are ...".
std::string UnknownCommandMessage(std::string_view word, const std::vector<std::string>& commands);

// MissingArgumentMessage returns the error for a verb run without a required
// positional argument. `typed` contains the arguments the learner gave after
// the verb; `argument` names the missing one ("lab", "exercise"); `valid`
// lists the values it may take. The message names them, shows a complete
// command with the first valid value and points at `./labkit VERB --help`.
std::string MissingArgumentMessage(std::string_view verb, const std::vector<std::string>& typed,
                                   std::string_view argument,
                                   const std::vector<std::string>& valid);

// ParseHintNumber reads the optional hint number of `./labkit hint`. An
// empty text is 0 (the next hint not shown yet). Anything but a whole
// number from 1 up is an error naming the text.
StatusOr<int> ParseHintNumber(std::string_view text);

// UnexpectedArgumentMessage returns the error for arguments a verb does not
// take. `verb` is empty for arguments before any verb.
std::string UnexpectedArgumentMessage(std::string_view verb,
                                      const std::vector<std::string>& arguments);

// IsDemoUsageError is true for the exit code of a demo program that rejected
// its arguments: 2 (the kit's usage code) or a CLI11 parse error, 100 to 114
// in CLI11 2.1 (104 conversion, 105 validation, 109 unexpected argument).
bool IsDemoUsageError(int exit_code);

}  // namespace labkit::cli
