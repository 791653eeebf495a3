// RedisTokenStore: the refresh-token store shared by every auth-service
// instance that uses the same Redis server.
//
// Each TokenStore method is one EVALSHA of a Lua script, so each is atomic
// across instances. In one step, rotate.lua finds the presented token's
// hash and checks its family. Then it detects reuse (and revokes the
// family), or marks the token rotated and stores the new token. When two
// instances rotate the same token at the same moment, exactly one gets
// kRotated and the other gets kReused. A script the server has lost (a restart, SCRIPT FLUSH) is sent
// again with EVAL, which also caches it.
//
// Records, under options.key_prefix:
//   <prefix>token:<hash>    hash {family, expires_at, rotated}
//   <prefix>family:<id>     hash {subject, expires_at, revoked}
// Times are the TokenStore's Nanos, stored as 19-digit decimal text so that
// the scripts compare them exactly (Lua numbers are doubles, exact only to
// 2^53). Each record gets a Redis TTL from its own expiry: a token's key
// lives until the token expires, a family's until the family ends. So Redis
// deletes dead records by itself, and PurgeExpired has nothing to do.
//
// The times and the TTLs come from `clock`, which must be the clock the
// RefreshTokenService uses. Instances sharing a Redis must share that
// clock's epoch: use a wall clock (Unix time), not a steady clock.
//
// Failures: a connect or command that fails or times out makes the call
// return kTokenStoreUnavailable. The store fails closed: no token rotates
// or is issued while Redis is unreachable, because a token that was never
// stored could not be checked later. The service maps the error to HTTP
// 503. The store logs the error (repeats at most once a second, with a
// count) and reconnects on a later call, with exponential backoff.
// A script error is kTokenStoreFailure.
//
// NOTE: rotate.lua and find_family.lua build the family's key from the
// token record inside the script, so not every key they touch is declared
// in KEYS. That is fine on one Redis server, but not on Redis Cluster.
//
// Thread-safety: every method is safe from any thread. Calls share one
// connection behind a mutex, so they run one at a time, each one round
// trip.
//
// Example, with `wall_clock` a labkit::Clock that reads Unix time:
//   auto store = auth::RedisTokenStore::Create(
//       {.url = "redis://127.0.0.1:6379"}, wall_clock);
//   if (!store.ok()) { spdlog::error("{}", store.error().message); }
//   auto tokens =
//       auth::RefreshTokenService::Create(*store.value(), wall_clock, {});
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "auth/errors.h"
#include "auth/refresh.h"
#include "labkit/clock.h"

namespace auth {

struct RedisTokenStoreOptions {
  // url is "redis://HOST[:PORT][/DB]".
  std::string url = "redis://127.0.0.1:6379";
  // key_prefix starts every key this store writes.
  std::string key_prefix = "auth:refresh:";
  // connect_timeout bounds a connection attempt, command_timeout each
  // round trip. REQUIRES: > 0.
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{200};
  // After a failure, the next connection attempt waits
  // reconnect_backoff_min, doubling per failure up to reconnect_backoff_max.
  // Calls in between fail at once. REQUIRES: 0 < min <= max.
  std::chrono::milliseconds reconnect_backoff_min{50};
  std::chrono::milliseconds reconnect_backoff_max{2000};
};

namespace redis_internal {
class Connection;
}  // namespace redis_internal

class RedisTokenStore final : public TokenStore {
 public:
  // Create validates `options` (kInvalidOptions, naming the value) and tries
  // to connect once. An unreachable server is logged, not returned as an
  // error, because the store connects on a later call. `clock` must outlive the store.
  static Result<std::unique_ptr<RedisTokenStore>> Create(
      RedisTokenStoreOptions options, const labkit::Clock& clock);

  ~RedisTokenStore() override;
  RedisTokenStore(const RedisTokenStore&) = delete;
  RedisTokenStore& operator=(const RedisTokenStore&) = delete;

  Status CreateFamily(const TokenFamily& family, std::string_view token_hash,
                      Nanos token_expires_at) override;
  Result<RotateResult> Rotate(std::string_view old_hash,
                              std::string_view new_hash, Nanos now,
                              Nanos token_ttl) override;
  Result<std::optional<TokenFamily>> FindFamily(
      std::string_view token_hash) override;
  Result<bool> RevokeFamily(std::string_view family_id) override;
  // PurgeExpired returns 0, because Redis deletes each record when its TTL
  // ends.
  Result<std::size_t> PurgeExpired(Nanos now) override;

  const RedisTokenStoreOptions& options() const { return options_; }

 private:
  RedisTokenStore(RedisTokenStoreOptions options, const labkit::Clock& clock,
                  std::unique_ptr<redis_internal::Connection> connection);

  std::string TokenKey(std::string_view hash) const;
  std::string FamilyKey(std::string_view id) const;

  const RedisTokenStoreOptions options_;
  const labkit::Clock& clock_;
  std::unique_ptr<redis_internal::Connection> connection_;
};

}  // namespace auth
