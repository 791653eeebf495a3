// Connection: the RedisTokenStore's one link to Redis. It runs a Lua
// script by EVALSHA, falls back to EVAL when the server has lost the script,
// and reconnects with exponential backoff after a failure.
//
// Thread-safety: Eval is safe from any thread. Calls run one at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/errors.h"
#include "auth/redis_token_store.h"

struct redisContext;
struct redisReply;

namespace auth::redis_internal {

// Script is a Lua script's text and name, and its SHA1 for EVALSHA.
struct Script {
  Script(std::string_view name, std::string_view text);

  std::string_view name;
  std::string_view text;
  std::string sha1;  // lowercase hex
};

// ScriptReply is a script's reply: an integer, or an array whose elements
// are integers or strings, each converted to text.
struct ScriptReply {
  bool is_array = false;
  long long integer = 0;
  std::vector<std::string> elements;
};

class Connection {
 public:
  Connection(const RedisTokenStoreOptions& options, std::string host,
             int port, int db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Eval runs `script` with `keys` and `args`. Errors:
  // kTokenStoreUnavailable when Redis cannot be reached, times out or is
  // busy (logged, at most one line a second), and kTokenStoreFailure for a
  // script error.
  Result<ScriptReply> Eval(const Script& script,
                           std::initializer_list<std::string_view> keys,
                           std::initializer_list<std::string_view> args);

  // TryConnect connects now unless connected or backing off, and returns
  // the error when that failed.
  Status TryConnect();

 private:
  // Connect connects if the backoff allows. REQUIRES: mu_ held.
  Status Connect();
  // Disconnect drops the connection and starts the backoff.
  // REQUIRES: mu_ held.
  void Disconnect(const std::string& error);
  // Command sends one command and returns its reply, or nullptr after an
  // I/O error or a timeout, which disconnects. REQUIRES: mu_ held.
  redisReply* Command(const std::vector<std::string_view>& argv);
  // Unavailable logs `error` (throttled) and returns it as
  // kTokenStoreUnavailable.
  Error Unavailable(const std::string& error);

  const RedisTokenStoreOptions& options_;
  const std::string host_;
  const int port_;
  const int db_;

  std::mutex mu_;
  redisContext* context_ = nullptr;                // guarded by mu_
  std::chrono::milliseconds backoff_{0};           // guarded by mu_
  std::chrono::steady_clock::time_point next_attempt_;  // guarded by mu_
  std::string last_error_;                         // guarded by mu_

  // The outage log: one line per second, counting the ones held back.
  std::chrono::steady_clock::time_point last_log_;  // guarded by mu_
  bool logged_ = false;                             // guarded by mu_
  std::int64_t suppressed_ = 0;                     // guarded by mu_
};

}  // namespace auth::redis_internal
