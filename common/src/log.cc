#include "labkit/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace labkit {

void InitLogging(std::string_view program, std::string_view level) {
  auto logger = spdlog::stderr_color_mt(std::string(program));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  spdlog::level::level_enum parsed =
      spdlog::level::from_str(std::string(level));
  // from_str returns "off" for unknown text; only "off" itself means off.
  if (parsed == spdlog::level::off && level != "off") {
    parsed = spdlog::level::info;
  }
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
}

}  // namespace labkit
