// RedisStore: rate-limit state shared by every service instance that uses
// the same Redis server.
//
// Each decision is one round trip: an EVALSHA of a Lua script that reads the
// state, decides, and writes the new state atomically inside Redis. Three
// scripts implement the algorithms:
//
//   Algorithm::kFixedWindow                  fixed_window.lua
//   Algorithm::kSlidingLog                   sliding_log.lua
//   Algorithm::kGcra, Algorithm::kTokenBucket gcra.lua (GCRA is a token
//                                            bucket that stores one time)
//
// Algorithm::kSlidingCounter is not supported: such a request is rejected
// with RedisOutcome::kInvalidRequest, and the logged error names the limit.
//
// Time comes from the Redis server (TIME inside the script), so the clocks
// of the service instances do not matter and the `now` argument of DecideAll
// is ignored. The scripts work in whole microseconds: a quota's period must
// be a whole number of microseconds, and waits are rounded up to one.
//
// Several limits for one request are decided all or nothing inside one
// script call, so a rejected request consumes nothing anywhere. All limits
// of one call must map to the same script (see the table above).
//
// Pipelining: callers on any number of threads enqueue their call; one I/O
// thread writes every queued call, then reads every reply. N concurrent
// callers cost about one round trip. DecideMany sends a whole batch at once.
// Consecutive queued calls to fixed_window.lua or gcra.lua go in one
// EVALSHA that decides them one after another, so Redis pays the cost of a
// script call once per batch instead of once per decision. Each decision
// stays atomic and all or nothing, because the whole script is.
//
// NOTE: a Lua error in a batched EVALSHA (a key of the wrong type, say)
// rejects every decision of that batch with kScriptError, not only the one
// whose key is broken.
//
// Failures: a connect or command that fails or times out is an outage. The
// store then applies its FailurePolicy (allow or reject), logs the error
// (repeats are rate-limited), and reconnects with exponential backoff. A
// Lua error is not an outage: the request is rejected whatever the policy,
// with RedisOutcome::kScriptError, so a broken script cannot open the gate.
//
// NOTE: a command that timed out may still run once the server catches up,
// so a request reported kUnavailable can have consumed quota.
//
// Thread-safety: every public method is safe to call from any thread.
//
// Example:
//   std::string error;
//   auto store = rl::RedisStore::Create({.url = "redis://127.0.0.1:6379"},
//                                       &error);
//   if (store == nullptr) { spdlog::error("{}", error); return 1; }
//   rl::Limit api{"api", rl::Algorithm::kGcra, rl::Quota::PerSecond(100)};
//   rl::LimitRequest request{.key = "203.0.113.7", .limit = &api};
//   rl::MultiDecision d = store->DecideAll({&request, 1}, 0);
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "rate_limiter/keyed_store.h"
#include "rate_limiter/store.h"

namespace rl {

// FailurePolicy is what a decision returns while Redis is unreachable.
enum class FailurePolicy {
  // kFailOpen allows every request: availability over strictness.
  kFailOpen,
  // kFailClosed rejects every request: strictness over availability.
  kFailClosed,
};

struct RedisStoreOptions {
  // url is "redis://HOST[:PORT][/DB]"; PORT defaults to 6379, DB to 0.
  std::string url = "redis://127.0.0.1:6379";
  // key_prefix starts every key the store writes.
  std::string key_prefix = "rl:";
  // connect_timeout bounds one connection attempt.
  std::chrono::milliseconds connect_timeout{200};
  // command_timeout bounds each socket read or write of a round trip.
  std::chrono::milliseconds command_timeout{100};
  FailurePolicy failure_policy = FailurePolicy::kFailOpen;
  // After a failure, the store waits reconnect_backoff_min before the next
  // connection attempt, doubling after each failed attempt up to
  // reconnect_backoff_max. Decisions made while waiting fail at once.
  std::chrono::milliseconds reconnect_backoff_min{50};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  // unavailable_retry_after is the retry_after of a request rejected
  // because of an outage or a script error.
  std::chrono::milliseconds unavailable_retry_after{1000};
  // max_batch is the most calls written in one round trip.
  std::size_t max_batch = 512;
  // TEST HOOK: when true, the scripts use the `now` passed to DecideAll,
  // read as nanoseconds since the Unix epoch, instead of Redis TIME. Key
  // expiry still runs on the server's clock. Never set this in a service.
  bool use_caller_time = false;
};

// RedisOutcome is the way a decision was reached.
enum class RedisOutcome {
  // kDecided: the script ran, and the decision is its result.
  kDecided,
  // kUnavailable: Redis was unreachable or timed out; the failure policy
  // decided.
  kUnavailable,
  // kScriptError: the script failed to load or run, or returned a reply of
  // the wrong shape. The request is rejected whatever the policy.
  kScriptError,
  // kInvalidRequest: the request cannot be expressed in a script (an
  // unsupported algorithm, mixed scripts, a period that is not whole
  // microseconds, a non-positive cost). The request is rejected.
  kInvalidRequest,
};

// RedisOutcomeName returns "decided", "unavailable", "script_error" or
// "invalid_request".
std::string_view RedisOutcomeName(RedisOutcome outcome);

// RedisDecision is a decision with how it was reached.
struct RedisDecision {
  MultiDecision decision;
  RedisOutcome outcome = RedisOutcome::kDecided;
  // error is the reason when outcome is not kDecided, else empty.
  std::string error;
};

// RedisStoreStats are counters since construction.
struct RedisStoreStats {
  // calls is the number of script calls completed (one per DecideAll, one
  // per element of DecideMany), whatever their outcome.
  std::int64_t calls = 0;
  // round_trips is the number of pipelines written and read.
  std::int64_t round_trips = 0;
  // script_loads is the number of SCRIPT LOAD commands sent.
  std::int64_t script_loads = 0;
  // connects is the number of successful connections.
  std::int64_t connects = 0;
  std::int64_t unavailable = 0;
  std::int64_t script_errors = 0;
};

// RedisAddress is a parsed Redis URL.
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
};

// ParseRedisUrl parses "redis://HOST[:PORT][/DB]". On failure it returns
// nullopt and sets *error to a message that names the invalid value.
std::optional<RedisAddress> ParseRedisUrl(std::string_view url,
                                          std::string* error);

// RedisKey returns the key of `client_key` under the limit named
// `limit_name`: prefix + limit_name + ":" + client_key. The fixed-window
// script appends ":" and the window number to it.
//
// NOTE: Redis Cluster runs a script only when all its keys hash to one slot.
// Keys of one request then need a shared hash tag, for example the client
// key in braces ("{203.0.113.7}"); this store targets a single Redis.
std::string RedisKey(std::string_view prefix, std::string_view limit_name,
                     std::string_view client_key);

namespace redis_internal {
class Connection;
class LogThrottle;
struct Call;

// Counters back RedisStoreStats; the store and its connection update them.
struct Counters {
  std::atomic<std::int64_t> calls{0};
  std::atomic<std::int64_t> round_trips{0};
  std::atomic<std::int64_t> script_loads{0};
  std::atomic<std::int64_t> connects{0};
  std::atomic<std::int64_t> unavailable{0};
  std::atomic<std::int64_t> script_errors{0};
};
}  // namespace redis_internal

class RedisStore final : public Store {
 public:
  // Create validates the options and starts the I/O thread; it connects on
  // the first decision. On invalid options it returns nullptr and sets
  // *error to a message that names the invalid value.
  static std::unique_ptr<RedisStore> Create(RedisStoreOptions options,
                                            std::string* error);

  // The destructor stops the I/O thread. Calls still queued return
  // kUnavailable.
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  // DecideAll decides several limits for one request, all or nothing, in
  // one script call. `now` is ignored unless options.use_caller_time is set.
  // Never throws.
  MultiDecision DecideAll(std::span<const LimitRequest> requests,
                          Nanos now) override;

  // DecideAllWithOutcome is DecideAll that also returns how the decision
  // was reached.
  RedisDecision DecideAllWithOutcome(std::span<const LimitRequest> requests,
                                     Nanos now);

  // DecideMany decides each request on its own (one limit each), in
  // pipelines of up to options.max_batch calls. result[i] belongs to
  // requests[i], and requests for the same key are decided in order.
  std::vector<RedisDecision> DecideMany(std::span<const LimitRequest> requests,
                                        Nanos now);

  // Name returns the URL.
  std::string_view Name() const override { return options_.url; }

  RedisStoreStats stats() const;

 private:
  RedisStore(RedisStoreOptions options, RedisAddress address);

  // Encode fills `call` for one script call, or returns the reason it
  // cannot.
  std::optional<std::string> Encode(std::span<const LimitRequest> requests,
                                    Nanos now, redis_internal::Call& call);
  // Decode turns the script's reply in `call` into a decision.
  RedisDecision Decode(std::span<const LimitRequest> requests,
                       const redis_internal::Call& call);
  // Fallback returns the decision when the script did not decide: the
  // failure policy for kUnavailable, a rejection otherwise.
  RedisDecision Fallback(std::span<const LimitRequest> requests,
                         RedisOutcome outcome, std::string error);
  void Enqueue(std::span<const std::shared_ptr<redis_internal::Call>> calls);
  void RunIoThread();

  const RedisStoreOptions options_;
  // request_id_base_ makes sliding-log members unique across instances.
  const std::string request_id_base_;
  std::atomic<std::uint64_t> next_request_id_{0};

  std::mutex mu_;
  std::condition_variable queue_changed_;
  std::deque<std::shared_ptr<redis_internal::Call>> queue_;  // guarded by mu_
  bool stopping_ = false;                                    // guarded by mu_

  redis_internal::Counters counters_;
  // error_log_ throttles the log lines of script errors and invalid
  // requests; the connection throttles its own.
  std::unique_ptr<redis_internal::LogThrottle> error_log_;
  // connection_ is used only by the I/O thread.
  std::unique_ptr<redis_internal::Connection> connection_;

  std::thread io_thread_;
};

}  // namespace rl
