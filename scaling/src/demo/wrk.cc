#include "scaling/demo/wrk.h"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "scaling/demo/process.h"

namespace scaling::demo {
namespace {

// ParseCount parses a whole number that wrk printed, accepting "12.0" too
// (Lua 5.1 prints every number as a double).
bool ParseCount(const std::string& text, std::uint64_t* value) {
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 0) {
    return false;
  }
  *value = static_cast<std::uint64_t>(number);
  return true;
}

}  // namespace

double LoadRun::Share(const std::string& instance) const {
  std::uint64_t total = 0;
  for (const auto& [name, count] : by_instance) total += count;
  auto it = by_instance.find(instance);
  if (total == 0 || it == by_instance.end()) return 0;
  return static_cast<double>(it->second) / static_cast<double>(total);
}

std::optional<LoadRun> ParseWrkOutput(std::string_view output,
                                      std::string* error) {
  std::map<std::string, std::uint64_t> values;
  LoadRun run;
  std::istringstream lines{std::string(output)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, name, value, count;
    if (!(words >> tag >> name >> value) || tag != "labkit-wrk") continue;
    std::uint64_t number = 0;
    if (name == "instance") {
      if (!(words >> count) || !ParseCount(count, &number)) {
        *error = "malformed wrk line '" + line + "'";
        return std::nullopt;
      }
      run.by_instance[value] = number;
      continue;
    }
    if (!ParseCount(value, &number)) {
      *error = "malformed wrk line '" + line + "'";
      return std::nullopt;
    }
    values[name] = number;
  }

  for (const char* name : {"requests", "duration_us", "p50_us", "p99_us", "max_us",
                           "connect_errors", "read_errors", "write_errors",
                           "timeouts", "non_2xx"}) {
    if (!values.count(name)) {
      *error = std::string("wrk printed no '") + name +
               "' line: was it run with count.lua?";
      return std::nullopt;
    }
  }
  run.requests = values["requests"];
  run.seconds = static_cast<double>(values["duration_us"]) / 1e6;
  run.requests_per_second =
      run.seconds > 0 ? static_cast<double>(run.requests) / run.seconds : 0;
  run.p50_ms = static_cast<double>(values["p50_us"]) / 1000;
  run.p99_ms = static_cast<double>(values["p99_us"]) / 1000;
  run.max_ms = static_cast<double>(values["max_us"]) / 1000;
  run.connect_errors = values["connect_errors"];
  run.read_errors = values["read_errors"];
  run.write_errors = values["write_errors"];
  run.timeouts = values["timeouts"];
  run.non_2xx = values["non_2xx"];
  return run;
}

std::optional<LoadRun> RunWrk(const WrkOptions& options,
                              const std::string& log_path, std::string* error) {
  std::optional<std::string> wrk = FindProgram("wrk");
  if (!wrk) {
    *error = "wrk not found: install the Debian package wrk (scripts/setup.sh does)";
    return std::nullopt;
  }

  std::vector<std::string> argv;
  if (options.keys > 0) {
    argv = {"env", "LABKIT_WRK_KEYS=" + std::to_string(options.keys)};
  }
  if (!options.cpu_list.empty()) {
    argv.insert(argv.end(), {"taskset", "-c", options.cpu_list});
  }
  argv.insert(argv.end(),
              {*wrk, "-t" + std::to_string(options.threads),
               "-c" + std::to_string(options.connections),
               "-d" + std::to_string(options.seconds) + "s", "--timeout", "2s",
               "-s", options.script});
  for (const auto& [name, value] : options.headers) {
    argv.insert(argv.end(), {"-H", name + ": " + value});
  }
  argv.push_back("http://127.0.0.1:" + std::to_string(options.port) + options.path);

  CommandResult result = RunCommand(
      argv, log_path, std::chrono::seconds(options.seconds + 30));
  if (!result.error.empty() || result.exit_code != 0) {
    *error = result.error.empty()
                 ? Join(argv) + " exited with status " +
                       std::to_string(result.exit_code) + ": see " + log_path
                 : result.error;
    return std::nullopt;
  }
  std::optional<LoadRun> run = ParseWrkOutput(result.output, error);
  if (!run) *error = Join(argv) + ": " + *error;
  return run;
}

std::string WithThousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

std::string DescribeRun(const LoadRun& run) {
  char text[200];
  std::snprintf(text, sizeof text, "%s req/s, p99 %.2f ms, %s socket errors, %s non-2xx",
                WithThousands(static_cast<std::uint64_t>(run.requests_per_second + 0.5)).c_str(),
                run.p99_ms, WithThousands(run.socket_errors()).c_str(),
                WithThousands(run.non_2xx).c_str());
  std::string line = text;
  if (!run.valid()) line += "  INVALID (socket errors)";
  return line;
}

}  // namespace scaling::demo
