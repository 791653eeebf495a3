// Logging for every service in the kit, through spdlog.
//
// InitLogging sets the process-wide default logger once, at startup. Code
// then logs with spdlog::info / spdlog::warn / spdlog::error directly.
// Never log a secret (API keys, tokens, passwords): log a short id instead.
#pragma once

#include <string_view>

namespace labkit {

// InitLogging makes the default logger write to stderr with the given
// program name and level ("trace", "debug", "info", "warn", "error", "off").
// An unknown level is treated as "info".
void InitLogging(std::string_view program, std::string_view level = "info");

}  // namespace labkit
