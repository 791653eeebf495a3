// The Lua scripts, embedded from rate_limiter/redis/*.lua at build time.
//
// Each script is its own generated translation unit, so a lab exercise can
// link its own sliding_log.lua in place of the reference one.
#pragma once

#include <string_view>

namespace rl::redis_scripts {

extern const char kFixedWindow[];
extern const char kSlidingLog[];
extern const char kGcra[];

}  // namespace rl::redis_scripts

namespace rl::redis_internal {

enum class Script { kFixedWindow = 0, kSlidingLog = 1, kGcra = 2 };
inline constexpr int kScriptCount = 3;

// ScriptName returns the script's file name, for messages.
inline std::string_view ScriptName(Script script) {
  switch (script) {
    case Script::kFixedWindow:
      return "fixed_window.lua";
    case Script::kSlidingLog:
      return "sliding_log.lua";
    case Script::kGcra:
      return "gcra.lua";
  }
  return "unknown script";
}

inline std::string_view ScriptText(Script script) {
  switch (script) {
    case Script::kFixedWindow:
      return redis_scripts::kFixedWindow;
    case Script::kSlidingLog:
      return redis_scripts::kSlidingLog;
    case Script::kGcra:
      return redis_scripts::kGcra;
  }
  return "";
}

}  // namespace rl::redis_internal
