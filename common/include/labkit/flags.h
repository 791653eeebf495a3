// Command-line checks shared by every program of the kit (the services and
// demos of each lab), on CLI11.
//
// CLI11's own messages for a bad value are misleading ("Value abc not in
// range 1 to 120" for a value that is not a number) and its exit statuses
// vary by error kind. These validators name the value and what is expected,
// and ParseFlags reports every usage error the same way, with exit status 2:
//
//   rl-demo: --duration: 'abc' is not a whole number. Expected a whole
//   number of seconds from 1 to 120.
//   Run rl-demo --help to see every option.
//
// Header-only: a program that includes it links CLI11::CLI11.
#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace labkit {


// WholeNumber returns a validator that accepts a whole number from `min` to
// `max`. `what` names the expected value, for example "a port number".
inline CLI::Validator WholeNumber(std::int64_t min, std::int64_t max,
                                  std::string what) {
  const std::string expected = "Expected " + what + " from " +
                               std::to_string(min) + " to " +
                               std::to_string(max) + ".";
  return CLI::Validator(
      [min, max, expected](std::string& text) -> std::string {
        std::int64_t value = 0;
        const char* end = text.data() + text.size();
        auto [stop, ec] = std::from_chars(text.data(), end, value);
        const bool too_large = ec == std::errc::result_out_of_range;
        if ((ec != std::errc() && !too_large) || stop != end) {
          return "'" + text + "' is not a whole number. " + expected;
        }
        if (too_large || value < min || value > max) {
          return "'" + text + "' is out of range. " + expected;
        }
        return "";
      },
      "");
}

// OneOf returns a validator that accepts exactly one of `choices`.
inline CLI::Validator OneOf(std::vector<std::string> choices) {
  std::string expected;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) expected += i + 1 == choices.size() ? " or " : ", ";
    expected += choices[i];
  }
  return CLI::Validator(
      [choices, expected](std::string& text) -> std::string {
        for (const std::string& choice : choices) {
          if (text == choice) return "";
        }
        return "invalid value '" + text + "'. Expected " + expected + ".";
      },
      "");
}

// ExistingFile returns a validator that accepts the path of a regular file.
inline CLI::Validator ExistingFile() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        if (CLI::ExistingFile(path).empty()) return "";
        return "file '" + path + "' not found.";
      },
      "");
}

// ParseFlags parses the command line into `app`. It returns nullopt when
// the program should run, or the exit status: 0 after --help, 2 after a
// usage error, which it prints as "PROGRAM: MESSAGE" with a pointer to
// --help. PROGRAM, also shown in the usage line, is argv[0] without its
// directory, or argv[0] whole when it is a command with spaces, as
// `./labkit demo rate_limiter` passes it.
inline std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv) {
  std::string program = argc > 0 ? argv[0] : "";
  if (program.find(' ') == std::string::npos) {
    program = program.substr(program.rfind('/') + 1);
  }
  app.name(program);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::string message = e.what();
    // CLI11 2.1 lists unexpected arguments in reverse order: list them as typed.
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      const std::vector<std::string> extras = app.remaining(true);
      message = extras.size() == 1 ? "unexpected argument:" : "unexpected arguments:";
      for (const std::string& extra : extras) message += " " + extra;
    }
    std::fprintf(stderr, "%s: %s\nRun %s --help to see every option.\n",
                 program.c_str(), message.c_str(), program.c_str());
    return 2;
  }
  return std::nullopt;
}

}  // namespace labkit
