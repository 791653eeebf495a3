#include "auth/redis_token_store.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "connection.h"
#include "rate_limiter/redis_store.h"

namespace auth {
namespace redis_scripts {
// The Lua scripts, embedded from auth/redis/*.lua by the build.
extern const char kCreateFamily[];
extern const char kRotate[];
extern const char kFindFamily[];
extern const char kRevokeFamily[];
}  // namespace redis_scripts

namespace {

using redis_internal::Script;
using redis_internal::ScriptReply;

const Script& CreateFamilyScript() {
  static const Script script("create_family.lua", redis_scripts::kCreateFamily);
  return script;
}
const Script& RotateScript() {
  static const Script script("rotate.lua", redis_scripts::kRotate);
  return script;
}
const Script& FindFamilyScript() {
  static const Script script("find_family.lua", redis_scripts::kFindFamily);
  return script;
}
const Script& RevokeFamilyScript() {
  static const Script script("revoke_family.lua", redis_scripts::kRevokeFamily);
  return script;
}

// kTimeDigits is the width of a stored time: every non-negative int64 fits.
constexpr int kTimeDigits = 19;

Error StoreFailure(std::string message) {
  return MakeError(ErrorCode::kTokenStoreFailure, std::move(message));
}

// FormatTime returns `t` as 19 zero-padded decimal digits, so that the
// scripts compare times as strings. Times before the clock's epoch cannot
// be stored.
Result<std::string> FormatTime(Nanos t, std::string_view name) {
  if (t < 0) {
    return StoreFailure(std::string(name) + " " + std::to_string(t) +
                        " ns is before the clock's epoch; the Redis token "
                        "store needs non-negative times");
  }
  char text[kTimeDigits + 1];
  std::snprintf(text, sizeof text, "%019lld", static_cast<long long>(t));
  return std::string(text);
}

Result<Nanos> ParseTime(std::string_view text, std::string_view script) {
  Nanos value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return StoreFailure(std::string(script) + " returned the time '" +
                        std::string(text) + "', expected decimal digits");
  }
  return value;
}

// TtlMillis returns the Redis TTL, in whole milliseconds rounded up and at
// least 1, of a record that expires at `expires_at`.
std::string TtlMillis(Nanos expires_at, Nanos now) {
  constexpr Nanos kNanosPerMilli = 1'000'000;
  const Nanos remaining = expires_at - now;
  const Nanos millis =
      remaining <= 0 ? 1 : (remaining + kNanosPerMilli - 1) / kNanosPerMilli;
  return std::to_string(millis);
}

// ReadFamily reads {family id, subject, expires_at, revoked} from
// `elements`, starting at `first`.
Result<TokenFamily> ReadFamily(const std::vector<std::string>& elements,
                               std::size_t first, std::string_view script) {
  Result<Nanos> expires_at = ParseTime(elements[first + 2], script);
  if (!expires_at.ok()) return expires_at.error();
  TokenFamily family;
  family.id = elements[first];
  family.subject = elements[first + 1];
  family.expires_at = expires_at.value();
  family.revoked = elements[first + 3] == "1";
  return family;
}

Error WrongShape(std::string_view script, std::size_t elements) {
  return StoreFailure(std::string(script) + " returned " +
                      std::to_string(elements) +
                      " elements, which does not match the script's reply "
                      "format");
}

}  // namespace

Result<std::unique_ptr<RedisTokenStore>> RedisTokenStore::Create(
    RedisTokenStoreOptions options, const labkit::Clock& clock) {
  auto invalid = [](std::string message) {
    return MakeError(ErrorCode::kInvalidOptions, std::move(message));
  };

  std::string url_error;
  std::optional<rl::RedisAddress> address =
      rl::ParseRedisUrl(options.url, &url_error);
  if (!address) return invalid(url_error);
  if (options.key_prefix.empty()) {
    return invalid("Redis token store key_prefix is empty: give the keys a "
                   "prefix such as \"auth:refresh:\"");
  }
  if (options.connect_timeout.count() <= 0 ||
      options.command_timeout.count() <= 0) {
    return invalid("Redis token store timeouts must be > 0 ms, not " +
                   std::to_string(options.connect_timeout.count()) +
                   " ms (connect) and " +
                   std::to_string(options.command_timeout.count()) +
                   " ms (command)");
  }
  if (options.reconnect_backoff_min.count() <= 0 ||
      options.reconnect_backoff_max < options.reconnect_backoff_min) {
    return invalid("Redis token store reconnect backoff must have 0 < min "
                   "<= max, not min " +
                   std::to_string(options.reconnect_backoff_min.count()) +
                   " ms and max " +
                   std::to_string(options.reconnect_backoff_max.count()) +
                   " ms");
  }

  std::unique_ptr<RedisTokenStore> store(
      new RedisTokenStore(std::move(options), clock, nullptr));
  store->connection_ = std::make_unique<redis_internal::Connection>(
      store->options_, address->host, address->port, address->db);

  // An unreachable server is logged by the connection, and retried later.
  (void)store->connection_->TryConnect();
  return store;
}

RedisTokenStore::RedisTokenStore(
    RedisTokenStoreOptions options, const labkit::Clock& clock,
    std::unique_ptr<redis_internal::Connection> connection)
    : options_(std::move(options)),
      clock_(clock),
      connection_(std::move(connection)) {}

RedisTokenStore::~RedisTokenStore() = default;

std::string RedisTokenStore::TokenKey(std::string_view hash) const {
  return options_.key_prefix + "token:" + std::string(hash);
}

std::string RedisTokenStore::FamilyKey(std::string_view id) const {
  return options_.key_prefix + "family:" + std::string(id);
}

Status RedisTokenStore::CreateFamily(const TokenFamily& family,
                                     std::string_view token_hash,
                                     Nanos token_expires_at) {
  Result<std::string> family_expires =
      FormatTime(family.expires_at, "family expires_at");
  if (!family_expires.ok()) return family_expires.error();
  Result<std::string> token_expires =
      FormatTime(token_expires_at, "token expires_at");
  if (!token_expires.ok()) return token_expires.error();

  const Nanos now = clock_.Now();
  Result<ScriptReply> reply = connection_->Eval(
      CreateFamilyScript(), {FamilyKey(family.id), TokenKey(token_hash)},
      {family.id, family.subject, family_expires.value(),
       token_expires.value(), TtlMillis(family.expires_at, now),
       TtlMillis(token_expires_at, now)});
  if (!reply.ok()) return reply.error();
  if (reply.value().is_array || reply.value().integer != 1) {
    return StoreFailure("token family " + family.id +
                        " or its first token hash is already stored");
  }
  return Status();
}

Result<RotateResult> RedisTokenStore::Rotate(std::string_view old_hash,
                                             std::string_view new_hash,
                                             Nanos now, Nanos token_ttl) {
  Result<std::string> now_text = FormatTime(now, "now");
  if (!now_text.ok()) return now_text.error();
  Result<std::string> candidate = FormatTime(now + token_ttl, "now + token_ttl");
  if (!candidate.ok()) return candidate.error();

  const std::string_view script = RotateScript().name;
  Result<ScriptReply> reply = connection_->Eval(
      RotateScript(), {TokenKey(old_hash), TokenKey(new_hash)},
      {FamilyKey(""), now_text.value(), candidate.value()});
  if (!reply.ok()) return reply.error();
  const std::vector<std::string>& elements = reply.value().elements;
  if (!reply.value().is_array || elements.empty()) {
    return WrongShape(script, elements.size());
  }

  // {status} alone: unknown, or a new hash already stored.
  const std::string& status = elements[0];
  if (status == "1") return RotateResult{};
  if (status == "-1") {
    return StoreFailure("new refresh token hash is already stored");
  }
  if (elements.size() != 6) return WrongShape(script, elements.size());

  // {status, family id, subject, family expires_at, revoked, new expiry}.
  Result<TokenFamily> family = ReadFamily(elements, 1, script);
  if (!family.ok()) return family.error();
  RotateResult result;
  result.family = std::move(family).value();
  if (status == "4") {
    result.status = RotateStatus::kRevoked;
  } else if (status == "3") {
    result.status = RotateStatus::kReused;
  } else if (status == "2") {
    result.status = RotateStatus::kExpired;
  } else if (status == "0") {
    Result<Nanos> new_expires_at = ParseTime(elements[5], script);
    if (!new_expires_at.ok()) return new_expires_at.error();
    result.status = RotateStatus::kRotated;
    result.new_expires_at = new_expires_at.value();
  } else {
    return StoreFailure(std::string(script) + " returned the unknown status " +
                        status);
  }
  return result;
}

Result<std::optional<TokenFamily>> RedisTokenStore::FindFamily(
    std::string_view token_hash) {
  const std::string_view script = FindFamilyScript().name;
  Result<ScriptReply> reply = connection_->Eval(
      FindFamilyScript(), {TokenKey(token_hash)}, {FamilyKey("")});
  if (!reply.ok()) return reply.error();
  const std::vector<std::string>& elements = reply.value().elements;
  if (!reply.value().is_array) return WrongShape(script, 0);
  if (elements.empty()) return std::optional<TokenFamily>();
  if (elements.size() != 4) return WrongShape(script, elements.size());

  Result<TokenFamily> family = ReadFamily(elements, 0, script);
  if (!family.ok()) return family.error();
  return std::optional<TokenFamily>(std::move(family).value());
}

Result<bool> RedisTokenStore::RevokeFamily(std::string_view family_id) {
  Result<ScriptReply> reply = connection_->Eval(
      RevokeFamilyScript(), {FamilyKey(family_id)}, {});
  if (!reply.ok()) return reply.error();
  if (reply.value().is_array) {
    return WrongShape(RevokeFamilyScript().name,
                      reply.value().elements.size());
  }
  return reply.value().integer == 1;
}

Result<std::size_t> RedisTokenStore::PurgeExpired(Nanos) {
  return std::size_t{0};
}

}  // namespace auth
