#include "rate_limiter/redis_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <random>
#include <utility>

#include "connection.h"
#include "log_throttle.h"
#include "scripts.h"

namespace rl {
namespace {

using redis_internal::Call;
using redis_internal::kValuesPerLimit;
using redis_internal::Script;

constexpr Nanos kNanosPerMicro = 1000;
// kExactLimit is 2^53: Lua numbers are doubles, exact for integers below it.
constexpr std::int64_t kExactLimit = std::int64_t{1} << 53;

std::string_view AlgorithmText(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kFixedWindow:
      return "fixed_window";
    case Algorithm::kSlidingLog:
      return "sliding_log";
    case Algorithm::kSlidingCounter:
      return "sliding_counter";
    case Algorithm::kTokenBucket:
      return "token_bucket";
    case Algorithm::kGcra:
      return "gcra";
  }
  return "unknown";
}

std::optional<Script> ScriptFor(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kFixedWindow:
      return Script::kFixedWindow;
    case Algorithm::kSlidingLog:
      return Script::kSlidingLog;
    case Algorithm::kTokenBucket:
    case Algorithm::kGcra:
      return Script::kGcra;
    case Algorithm::kSlidingCounter:
      return std::nullopt;
  }
  return std::nullopt;
}

// Capacity is Decision::limit: the burst for bucket algorithms, the limit
// for window algorithms.
std::int64_t Capacity(const Limit& limit) {
  bool bucket = limit.algorithm == Algorithm::kGcra ||
                limit.algorithm == Algorithm::kTokenBucket;
  return bucket ? limit.quota.burst : limit.quota.limit;
}

// ValidateLimit returns why `request` cannot be sent to a script, if it
// cannot.
std::optional<std::string> ValidateLimit(const LimitRequest& request) {
  if (request.limit == nullptr) {
    return "a limit request has no limit";
  }
  const Limit& limit = *request.limit;
  const std::string name = "limit \"" + limit.name + "\"";
  const Quota& q = limit.quota;

  if (!ScriptFor(limit.algorithm)) {
    return name + " uses " + std::string(AlgorithmText(limit.algorithm)) +
           ", which RedisStore does not support; use fixed_window, "
           "sliding_log, token_bucket or gcra";
  }
  if (!ValidQuota(q)) {
    return name + " has an invalid quota (limit " + std::to_string(q.limit) +
           ", period " + std::to_string(q.period) + " ns, burst " +
           std::to_string(q.burst) + ")";
  }

  if (q.period % kNanosPerMicro != 0) {
    return name + " has period " + std::to_string(q.period) +
           " ns, which is not a whole number of microseconds";
  }
  if (request.cost <= 0) {
    return name + " has cost " + std::to_string(request.cost) +
           "; the cost must be positive";
  }
  // The scripts compute (burst + cost) * period in microseconds exactly.
  std::int64_t period_us = q.period / kNanosPerMicro;
  std::int64_t units = std::max(q.burst, q.limit);
  if (units > kExactLimit / period_us ||
      request.cost > kExactLimit / period_us - units) {
    return name + " is too large for exact arithmetic in Lua: (max(burst, "
           "limit) + cost) * period in microseconds must stay below 2^53";
  }
  return std::nullopt;
}

Nanos MicrosToNanos(long long micros) {
  if (micros < 0) {
    return kNever;
  }
  if (micros > kNever / kNanosPerMicro) {
    return kNever;
  }
  return micros * kNanosPerMicro;
}

// ChooseDeciding returns the index of the limit that decided the outcome.
// That is the rejecting limit with the longest retry_after, or when all
// allowed, the limit with the fewest remaining. Ties go to the first.
std::size_t ChooseDeciding(const MultiDecision& multi) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < multi.decisions.size(); ++i) {
    const Decision& d = multi.decisions[i];
    const Decision& b = multi.decisions[best];
    if (multi.allowed) {
      if (d.remaining < b.remaining) {
        best = i;
      }
    } else if (!d.allowed &&
               (b.allowed || d.retry_after > b.retry_after)) {
      best = i;
    }
  }
  return best;
}

std::string RandomHex64() {
  std::random_device device;
  std::uint64_t value =
      (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx",
                static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

std::string_view RedisOutcomeName(RedisOutcome outcome) {
  switch (outcome) {
    case RedisOutcome::kDecided:
      return "decided";
    case RedisOutcome::kUnavailable:
      return "unavailable";
    case RedisOutcome::kScriptError:
      return "script_error";
    case RedisOutcome::kInvalidRequest:
      return "invalid_request";
  }
  return "unknown";
}

std::unique_ptr<RedisStore> RedisStore::Create(RedisStoreOptions options,
                                               std::string* error) {
  std::optional<RedisAddress> address = ParseRedisUrl(options.url, error);
  if (!address) {
    return nullptr;
  }
  auto positive = [&](std::chrono::milliseconds value, const char* name) {
    if (value.count() > 0) {
      return true;
    }
    *error = std::string("RedisStoreOptions.") + name + " is " +
             std::to_string(value.count()) + " ms; it must be positive";
    return false;
  };
  if (!positive(options.connect_timeout, "connect_timeout") ||
      !positive(options.command_timeout, "command_timeout") ||
      !positive(options.reconnect_backoff_min, "reconnect_backoff_min") ||
      !positive(options.unavailable_retry_after, "unavailable_retry_after")) {
    return nullptr;
  }
  if (options.reconnect_backoff_max < options.reconnect_backoff_min) {
    *error = "RedisStoreOptions.reconnect_backoff_max (" +
             std::to_string(options.reconnect_backoff_max.count()) +
             " ms) is below reconnect_backoff_min (" +
             std::to_string(options.reconnect_backoff_min.count()) + " ms)";
    return nullptr;
  }
  if (options.max_batch == 0) {
    *error = "RedisStoreOptions.max_batch is 0; it must be positive";
    return nullptr;
  }
  return std::unique_ptr<RedisStore>(
      new RedisStore(std::move(options), std::move(*address)));
}

RedisStore::RedisStore(RedisStoreOptions options, RedisAddress address)
    : options_(std::move(options)),
      request_id_base_(RandomHex64()),
      error_log_(std::make_unique<redis_internal::LogThrottle>(
          std::chrono::seconds(1))),
      connection_(std::make_unique<redis_internal::Connection>(
          options_, std::move(address), counters_)) {
  io_thread_ = std::thread([this] { RunIoThread(); });
}

RedisStore::~RedisStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  io_thread_.join();
}

MultiDecision RedisStore::DecideAll(std::span<const LimitRequest> requests,
                                    Nanos now) {
  return DecideAllWithOutcome(requests, now).decision;
}

RedisDecision RedisStore::DecideAllWithOutcome(
    std::span<const LimitRequest> requests, Nanos now) {
  auto call = std::make_shared<Call>();
  if (std::optional<std::string> error = Encode(requests, now, *call)) {
    return Fallback(requests, RedisOutcome::kInvalidRequest,
                    std::move(*error));
  }
  std::future<void> done = call->done.get_future();
  Enqueue({&call, 1});
  done.wait();
  return Decode(requests, *call);
}

std::vector<RedisDecision> RedisStore::DecideMany(
    std::span<const LimitRequest> requests, Nanos now) {
  std::vector<RedisDecision> results(requests.size());
  std::vector<std::shared_ptr<Call>> calls(requests.size());
  std::vector<std::future<void>> done(requests.size());

  // Encode every request, and queue the valid ones together.
  std::vector<std::shared_ptr<Call>> queued;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto one = requests.subspan(i, 1);
    calls[i] = std::make_shared<Call>();
    if (std::optional<std::string> error = Encode(one, now, *calls[i])) {
      results[i] = Fallback(one, RedisOutcome::kInvalidRequest,
                            std::move(*error));
      calls[i] = nullptr;
      continue;
    }
    done[i] = calls[i]->done.get_future();
    queued.push_back(calls[i]);
  }
  Enqueue(queued);

  // The I/O thread completes queued calls in queue order, so once the last
  // one is done, every one is. Waiting for each in turn would wake this
  // thread once per call.
  for (std::size_t i = requests.size(); i-- > 0;) {
    if (calls[i] != nullptr) {
      done[i].wait();
      break;
    }
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (calls[i] != nullptr) {
      results[i] = Decode(requests.subspan(i, 1), *calls[i]);
    }
  }
  return results;
}

RedisStoreStats RedisStore::stats() const {
  RedisStoreStats stats;
  stats.calls = counters_.calls.load(std::memory_order_relaxed);
  stats.round_trips = counters_.round_trips.load(std::memory_order_relaxed);
  stats.script_loads = counters_.script_loads.load(std::memory_order_relaxed);
  stats.connects = counters_.connects.load(std::memory_order_relaxed);
  stats.unavailable = counters_.unavailable.load(std::memory_order_relaxed);
  stats.script_errors =
      counters_.script_errors.load(std::memory_order_relaxed);
  return stats;
}

std::optional<std::string> RedisStore::Encode(
    std::span<const LimitRequest> requests, Nanos now, Call& call) {
  if (requests.empty()) {
    return "the request has no limits";
  }
  for (const LimitRequest& request : requests) {
    if (std::optional<std::string> error = ValidateLimit(request)) {
      return error;
    }
  }

  // One script call decides every limit, so they must share a script.
  const Limit& first = *requests[0].limit;
  call.script = *ScriptFor(first.algorithm);
  for (const LimitRequest& request : requests) {
    if (*ScriptFor(request.limit->algorithm) != call.script) {
      return "limits \"" + first.name + "\" (" +
             std::string(AlgorithmText(first.algorithm)) + ") and \"" +
             request.limit->name + "\" (" +
             std::string(AlgorithmText(request.limit->algorithm)) +
             ") need different scripts; RedisStore decides one request's "
             "limits in one script, so they must share an algorithm family";
    }
  }

  // KEYS: one per limit. ARGV: time, request id, then four per limit.
  call.args.push_back(options_.use_caller_time
                          ? std::to_string(now / kNanosPerMicro)
                          : std::string());
  call.args.push_back(request_id_base_ + "-" +
                      std::to_string(next_request_id_.fetch_add(
                          1, std::memory_order_relaxed)));
  for (const LimitRequest& request : requests) {
    const Quota& q = request.limit->quota;
    call.keys.push_back(
        RedisKey(options_.key_prefix, request.limit->name, request.key));
    call.args.push_back(std::to_string(q.limit));
    call.args.push_back(std::to_string(q.period / kNanosPerMicro));
    call.args.push_back(std::to_string(q.burst));
    call.args.push_back(std::to_string(request.cost));
  }
  return std::nullopt;
}

RedisDecision RedisStore::Decode(std::span<const LimitRequest> requests,
                                 const Call& call) {
  if (call.outcome != RedisOutcome::kDecided) {
    return Fallback(requests, call.outcome, call.error);
  }
  const std::string script(redis_internal::ScriptName(call.script));
  if (call.values.size() != kValuesPerLimit * requests.size()) {
    return Fallback(requests, RedisOutcome::kScriptError,
                    script + " returned " +
                        std::to_string(call.values.size()) +
                        " integers; it must return 4 per limit (" +
                        std::to_string(kValuesPerLimit * requests.size()) +
                        " for this request)");
  }

  RedisDecision result;
  result.decision.allowed = true;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const long long* v = &call.values[kValuesPerLimit * i];
    const std::string name = "limit \"" + requests[i].limit->name + "\"";
    if ((v[0] != 0 && v[0] != 1) || v[1] < 0 || v[2] < -1 || v[3] < 0) {
      return Fallback(
          requests, RedisOutcome::kScriptError,
          script + " returned {" + std::to_string(v[0]) + ", " +
              std::to_string(v[1]) + ", " + std::to_string(v[2]) + ", " +
              std::to_string(v[3]) + "} for " + name +
              "; expected {allowed 0 or 1, remaining >= 0, retry_after "
              ">= -1, reset_after >= 0}");
    }
    Decision d;
    d.allowed = v[0] == 1;
    d.limit = Capacity(*requests[i].limit);
    d.remaining = v[1];
    d.retry_after = d.allowed ? 0 : MicrosToNanos(v[2]);
    d.reset_after = MicrosToNanos(v[3]);
    result.decision.allowed = result.decision.allowed && d.allowed;
    result.decision.decisions.push_back(d);
  }
  result.decision.deciding = ChooseDeciding(result.decision);
  return result;
}

RedisDecision RedisStore::Fallback(std::span<const LimitRequest> requests,
                                   RedisOutcome outcome, std::string error) {
  // An outage applies the policy; a broken script or request never allows.
  bool allowed = outcome == RedisOutcome::kUnavailable &&
                 options_.failure_policy == FailurePolicy::kFailOpen;
  Nanos retry_after =
      allowed ? 0
              : std::chrono::duration_cast<std::chrono::nanoseconds>(
                    options_.unavailable_retry_after)
                    .count();

  RedisDecision result;
  result.outcome = outcome;
  result.decision.allowed = allowed;
  for (const LimitRequest& request : requests) {
    Decision d;
    d.allowed = allowed;
    d.limit = request.limit != nullptr ? Capacity(*request.limit) : 0;
    d.remaining = 0;
    d.retry_after = retry_after;
    result.decision.decisions.push_back(d);
  }

  // The connection logs outages; script and request errors are logged here.
  if (outcome != RedisOutcome::kUnavailable) {
    counters_.script_errors.fetch_add(
        outcome == RedisOutcome::kScriptError ? 1 : 0,
        std::memory_order_relaxed);
    std::int64_t suppressed = 0;
    if (error_log_->Admit(&suppressed)) {
      spdlog::error("rate-limit request rejected ({}): {}{}",
                    RedisOutcomeName(outcome), error,
                    redis_internal::SuppressedText(suppressed));
    }
  }
  result.error = std::move(error);
  return result;
}

void RedisStore::Enqueue(std::span<const std::shared_ptr<Call>> calls) {
  if (calls.empty()) {
    return;
  }
  {
    std::lock_guard lock(mu_);
    queue_.insert(queue_.end(), calls.begin(), calls.end());
  }
  queue_changed_.notify_one();
}

void RedisStore::RunIoThread() {
  std::vector<std::shared_ptr<Call>> batch;
  std::vector<Call*> pointers;
  while (true) {
    // Take up to max_batch queued calls, or stop.
    {
      std::unique_lock lock(mu_);
      queue_changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        for (auto& call : queue_) {
          call->outcome = RedisOutcome::kUnavailable;
          call->error = "the RedisStore is shutting down";
          call->done.set_value();
        }
        queue_.clear();
        return;
      }
      std::size_t n = std::min(queue_.size(), options_.max_batch);
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }

    // Run them as one pipeline and wake their callers.
    pointers.clear();
    for (auto& call : batch) {
      pointers.push_back(call.get());
    }
    connection_->Execute(pointers);
    counters_.calls.fetch_add(static_cast<std::int64_t>(batch.size()),
                              std::memory_order_relaxed);
    for (auto& call : batch) {
      call->done.set_value();
    }
    batch.clear();
  }
}

}  // namespace rl
