// Connection: the I/O thread's link to Redis. It runs a batch of script
// calls as one pipeline, reloads scripts the server has lost, and
// reconnects with exponential backoff after a failure.
//
// Thread-safety: none. Only the store's I/O thread uses a Connection.
#pragma once

#include <array>
#include <chrono>
#include <future>
#include <span>
#include <string>
#include <vector>

#include "log_throttle.h"
#include "rate_limiter/redis_store.h"
#include "scripts.h"

struct redisContext;
struct redisReply;

namespace rl::redis_internal {

// kValuesPerLimit is the number of integers a script returns per limit.
inline constexpr std::size_t kValuesPerLimit = 4;

// Call is one decision, sent as an EVALSHA of its own or as part of a
// batched one, and, once `done` is set, its result.
struct Call {
  Script script = Script::kGcra;
  std::vector<std::string> keys;
  std::vector<std::string> args;

  // Set by the I/O thread before it sets `done`.
  RedisOutcome outcome = RedisOutcome::kDecided;
  std::string error;
  // values is the script's reply when outcome is kDecided.
  std::vector<long long> values;
  std::promise<void> done;
};

class Connection {
 public:
  Connection(const RedisStoreOptions& options, RedisAddress address,
             Counters& counters);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Execute runs every call and fills in its result in one round trip, or
  // two when the server has lost a script (a restart, SCRIPT FLUSH). A
  // failed or timed-out round trip marks its calls kUnavailable.
  void Execute(std::span<Call* const> calls);

 private:
  // Connect returns true when connected, connecting if the backoff allows.
  bool Connect(std::string* error);
  // Disconnect drops the connection after an I/O error and starts backoff.
  void Disconnect(const std::string& error);
  void StartBackoff(const std::string& error);

  // AppendEval queues the one EVALSHA of `command`: one call of any
  // script, or consecutive calls of a batched script that share a time
  // argument. AppendLoad queues a SCRIPT LOAD.
  void AppendEval(std::span<Call* const> command);
  void AppendLoad(Script script);
  // ReadReply reads the next reply; nullptr after an I/O error.
  redisReply* ReadReply();
  // StoreReply sets the result of every call in `command` from its one
  // `reply`. Returns false when the reply is a NOSCRIPT error.
  bool StoreReply(std::span<Call* const> command, const redisReply& reply);
  // FailCalls marks every call in `calls` kUnavailable with `error`.
  void FailCalls(std::span<Call* const> calls, const std::string& error);

  const RedisStoreOptions& options_;
  const RedisAddress address_;
  Counters& counters_;

  redisContext* context_ = nullptr;
  // sha_ is each script's SHA1 once loaded. load_error_ is the server's
  // error when it could not compile the script.
  std::array<std::string, kScriptCount> sha_;
  std::array<std::string, kScriptCount> load_error_;

  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_;
  std::string last_error_;
  LogThrottle outage_log_{std::chrono::seconds(1)};
};

}  // namespace rl::redis_internal
