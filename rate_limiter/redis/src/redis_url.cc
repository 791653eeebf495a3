#include <charconv>
#include <string>

#include "rate_limiter/redis_store.h"

namespace rl {
namespace {

// ParseNumber parses all of `text` as a decimal integer in [min, max].
std::optional<int> ParseNumber(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<RedisAddress> ParseRedisUrl(std::string_view url,
                                          std::string* error) {
  const std::string quoted = "\"" + std::string(url) + "\"";
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    *error = "Redis URL " + quoted +
             " is invalid: it must start with redis:// (for example "
             "redis://127.0.0.1:6379)";
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());

  // Split "host[:port]" from an optional "/db".
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view db_text;
  if (authority.size() < rest.size()) {
    db_text = rest.substr(authority.size() + 1);
  }
  if (authority.find('@') != std::string_view::npos) {
    *error = "Redis URL " + quoted +
             " is invalid: credentials (user:password@) are not supported";
    return std::nullopt;
  }

  RedisAddress address;
  std::size_t colon = authority.rfind(':');
  address.host = std::string(authority.substr(0, colon));
  if (address.host.empty()) {
    *error = "Redis URL " + quoted + " is invalid: the host is missing";
    return std::nullopt;
  }
  if (colon != std::string_view::npos) {
    std::string_view port_text = authority.substr(colon + 1);
    std::optional<int> port = ParseNumber(port_text, 1, 65535);
    if (!port) {
      *error = "Redis URL " + quoted + " is invalid: port \"" +
               std::string(port_text) + "\" is not a number from 1 to 65535";
      return std::nullopt;
    }
    address.port = *port;
  }
  if (!db_text.empty()) {
    std::optional<int> db = ParseNumber(db_text, 0, 1'000'000);
    if (!db) {
      *error = "Redis URL " + quoted + " is invalid: database \"" +
               std::string(db_text) + "\" is not a non-negative number";
      return std::nullopt;
    }
    address.db = *db;
  }
  return address;
}

std::string RedisKey(std::string_view prefix, std::string_view limit_name,
                     std::string_view client_key) {
  std::string key;
  key.reserve(prefix.size() + limit_name.size() + 1 + client_key.size());
  key.append(prefix);
  key.append(limit_name);
  key.push_back(':');
  key.append(client_key);
  return key;
}

}  // namespace rl
