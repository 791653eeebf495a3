#include "connection.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace rl::redis_internal {
namespace {

timeval ToTimeval(std::chrono::milliseconds duration) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(duration.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return tv;
}

int Index(Script script) { return static_cast<int>(script); }

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// ServerBusy is true for error replies that mean the server cannot run
// commands right now, which is an outage rather than a script error.
bool ServerBusy(std::string_view error) {
  return StartsWith(error, "BUSY") || StartsWith(error, "LOADING") ||
         StartsWith(error, "MASTERDOWN");
}

// Batched is true for the scripts that take a batch of decisions in one
// call (fixed_window.lua, gcra.lua). sliding_log.lua takes one decision,
// and its interface is what the lab's exercise implements.
bool Batched(Script script) {
  return script == Script::kFixedWindow || script == Script::kGcra;
}

// GroupCommands splits `calls` into the EVALSHA commands that run them: a
// run of consecutive calls to one batched script with the same time
// argument shares one command, and every other call gets its own. The
// order of the calls is kept, so requests for one key run in order.
std::vector<std::span<Call* const>> GroupCommands(
    std::span<Call* const> calls) {
  std::vector<std::span<Call* const>> commands;
  std::size_t begin = 0;
  for (std::size_t i = 1; i <= calls.size(); ++i) {
    const bool joins = i < calls.size() && Batched(calls[i]->script) &&
                       calls[i]->script == calls[begin]->script &&
                       calls[i]->args[0] == calls[begin]->args[0];
    if (!joins) {
      commands.push_back(calls.subspan(begin, i - begin));
      begin = i;
    }
  }
  return commands;
}

std::string_view PolicyText(FailurePolicy policy) {
  return policy == FailurePolicy::kFailOpen ? "failing open (allowing)"
                                            : "failing closed (rejecting)";
}

}  // namespace

std::string SuppressedText(std::int64_t suppressed) {
  if (suppressed == 0) {
    return "";
  }
  return " (" + std::to_string(suppressed) +
         " similar messages suppressed in the last second)";
}

Connection::Connection(const RedisStoreOptions& options, RedisAddress address,
                       Counters& counters)
    : options_(options), address_(std::move(address)), counters_(counters) {}

Connection::~Connection() {
  if (context_ != nullptr) {
    redisFree(context_);
  }
}

void Connection::Execute(std::span<Call* const> calls) {
  std::string error;
  if (!Connect(&error)) {
    FailCalls(calls, error);
    return;
  }

  // Load, once per store, each script the batch needs that was never
  // loaded: EVALSHA needs the SHA1 that SCRIPT LOAD returns.
  std::vector<Script> never_loaded;
  for (Call* call : calls) {
    int s = Index(call->script);
    if (sha_[s].empty() && load_error_[s].empty() &&
        std::find(never_loaded.begin(), never_loaded.end(), call->script) ==
            never_loaded.end()) {
      never_loaded.push_back(call->script);
    }
  }
  if (!never_loaded.empty()) {
    counters_.round_trips.fetch_add(1, std::memory_order_relaxed);
    for (Script script : never_loaded) {
      AppendLoad(script);
    }
    for (Script script : never_loaded) {
      redisReply* reply = ReadReply();
      if (reply == nullptr) {
        FailCalls(calls, last_error_);
        return;
      }
      if (reply->type == REDIS_REPLY_STRING) {
        sha_[Index(script)].assign(reply->str, reply->len);
      } else if (reply->type == REDIS_REPLY_ERROR) {
        load_error_[Index(script)] = std::string(ScriptName(script)) +
                                     " failed to load: " +
                                     std::string(reply->str, reply->len);
      }
      freeReplyObject(reply);
    }
  }

  // Round trip 1: evaluate every call whose script is loaded, batching
  // consecutive calls to a batched script into one EVALSHA.
  std::vector<Call*> sent;
  for (Call* call : calls) {
    const std::string& load_error = load_error_[Index(call->script)];
    if (!load_error.empty()) {
      call->outcome = RedisOutcome::kScriptError;
      call->error = load_error;
      continue;
    }
    sent.push_back(call);
  }
  if (sent.empty()) {
    return;
  }
  const std::vector<std::span<Call* const>> commands = GroupCommands(sent);
  for (std::span<Call* const> command : commands) {
    AppendEval(command);
  }
  counters_.round_trips.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::span<Call* const>> missing;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    redisReply* reply = ReadReply();
    if (reply == nullptr) {
      for (std::size_t j = i; j < commands.size(); ++j) {
        FailCalls(commands[j], last_error_);
      }
      for (std::span<Call* const> command : missing) {
        FailCalls(command, last_error_);
      }
      return;
    }
    if (!StoreReply(commands[i], *reply)) {
      missing.push_back(commands[i]);
    }
    freeReplyObject(reply);
  }
  if (missing.empty()) {
    return;
  }

  // Round trip 2: the server lost scripts (a restart or SCRIPT FLUSH).
  // Load them again and retry each command once, in one pipeline.
  std::vector<Script> lost;
  for (std::span<Call* const> command : missing) {
    Script script = command.front()->script;
    if (std::find(lost.begin(), lost.end(), script) == lost.end()) {
      lost.push_back(script);
    }
  }
  spdlog::info("Redis {} lost {} script(s) (NOSCRIPT); loading them again",
               options_.url, lost.size());
  counters_.round_trips.fetch_add(1, std::memory_order_relaxed);
  for (Script script : lost) {
    AppendLoad(script);
  }
  for (std::span<Call* const> command : missing) {
    AppendEval(command);
  }
  for (Script script : lost) {
    redisReply* reply = ReadReply();
    if (reply == nullptr) {
      for (std::span<Call* const> command : missing) {
        FailCalls(command, last_error_);
      }
      return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      load_error_[Index(script)] = std::string(ScriptName(script)) +
                                   " failed to load: " +
                                   std::string(reply->str, reply->len);
    }
    freeReplyObject(reply);
  }
  for (std::size_t i = 0; i < missing.size(); ++i) {
    redisReply* reply = ReadReply();
    if (reply == nullptr) {
      for (std::size_t j = i; j < missing.size(); ++j) {
        FailCalls(missing[j], last_error_);
      }
      return;
    }
    if (!StoreReply(missing[i], *reply)) {
      const Script script = missing[i].front()->script;
      const std::string& load_error = load_error_[Index(script)];
      for (Call* call : missing[i]) {
        call->outcome = RedisOutcome::kScriptError;
        call->error = !load_error.empty()
                          ? load_error
                          : std::string(ScriptName(script)) +
                                " is still missing (NOSCRIPT) after SCRIPT "
                                "LOAD";
      }
    }
    freeReplyObject(reply);
  }
}

bool Connection::Connect(std::string* error) {
  if (context_ != nullptr) {
    return true;
  }
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_attempt_ - now);
    *error = "not connected to " + options_.url + " (" + last_error_ +
             "); next connection attempt in " + std::to_string(wait.count()) +
             " ms";
    return false;
  }

  // Connect within connect_timeout; every later read and write on the
  // socket is bounded by command_timeout.
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                     ToTimeval(options_.connect_timeout));
  if (context_ == nullptr || context_->err != 0) {
    std::string reason = context_ != nullptr ? context_->errstr
                                             : "cannot allocate a context";
    if (context_ != nullptr) {
      redisFree(context_);
      context_ = nullptr;
    }
    StartBackoff("connecting to " + options_.url + " failed: " + reason);
    *error = last_error_;
    return false;
  }
  redisSetTimeout(context_, ToTimeval(options_.command_timeout));

  if (address_.db != 0) {
    auto* reply = static_cast<redisReply*>(
        redisCommand(context_, "SELECT %d", address_.db));
    bool selected = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
    std::string reason = reply == nullptr ? context_->errstr
                         : reply->type == REDIS_REPLY_ERROR
                             ? std::string(reply->str, reply->len)
                             : "unexpected reply";
    if (reply != nullptr) {
      freeReplyObject(reply);
    }
    if (!selected) {
      Disconnect("SELECT " + std::to_string(address_.db) + " on " +
                 options_.url + " failed: " + reason);
      *error = last_error_;
      return false;
    }
  }

  // The backoff is reset only by a successful reply, so a server that
  // accepts connections but never answers is not reconnected in a loop.
  counters_.connects.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("connected to Redis {}", options_.url);
  return true;
}

void Connection::Disconnect(const std::string& error) {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  StartBackoff(error);
}

void Connection::StartBackoff(const std::string& error) {
  backoff_ = backoff_.count() == 0
                 ? options_.reconnect_backoff_min
                 : std::min(backoff_ * 2, options_.reconnect_backoff_max);
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  last_error_ = error;
}

void Connection::AppendEval(std::span<Call* const> command) {
  const Call& first = *command.front();
  std::size_t key_count = 0;
  for (const Call* call : command) {
    key_count += call->keys.size();
  }
  const std::string numkeys = std::to_string(key_count);
  const std::string& sha = sha_[Index(first.script)];
  std::vector<const char*> argv = {"EVALSHA", sha.c_str(), numkeys.c_str()};
  std::vector<std::size_t> lengths = {7, sha.size(), numkeys.size()};
  auto push = [&](const std::string& value) {
    argv.push_back(value.data());
    lengths.push_back(value.size());
  };
  for (const Call* call : command) {
    for (const std::string& key : call->keys) push(key);
  }

  // A script of one decision takes the call's arguments as they are.
  if (!Batched(first.script)) {
    for (const std::string& arg : first.args) push(arg);
    redisAppendCommandArgv(context_, static_cast<int>(argv.size()),
                           argv.data(), lengths.data());
    return;
  }

  // A batched script takes the shared time once, then each decision's limit
  // count and its four values per limit. It takes no request id (args[1]),
  // which only sliding_log.lua uses.
  std::vector<std::string> limit_counts;
  limit_counts.reserve(command.size());
  push(first.args[0]);
  for (const Call* call : command) {
    limit_counts.push_back(std::to_string(call->keys.size()));
    push(limit_counts.back());
    for (std::size_t i = 2; i < call->args.size(); ++i) push(call->args[i]);
  }
  redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(),
                         lengths.data());
}

void Connection::AppendLoad(Script script) {
  std::string_view text = ScriptText(script);
  const char* argv[] = {"SCRIPT", "LOAD", text.data()};
  std::size_t lengths[] = {6, 4, text.size()};
  redisAppendCommandArgv(context_, 3, argv, lengths);
  counters_.script_loads.fetch_add(1, std::memory_order_relaxed);
}

redisReply* Connection::ReadReply() {
  void* reply = nullptr;
  if (redisGetReply(context_, &reply) == REDIS_OK && reply != nullptr) {
    backoff_ = std::chrono::milliseconds(0);
    return static_cast<redisReply*>(reply);
  }

  // A blocking hiredis socket reports a timeout as EAGAIN.
  std::string reason = context_->errstr;
  if (reason.find("temporarily unavailable") != std::string::npos) {
    reason = "timed out after " +
             std::to_string(options_.command_timeout.count()) +
             " ms (command_timeout)";
  }
  Disconnect("command to " + options_.url + " failed: " + reason);
  return nullptr;
}

bool Connection::StoreReply(std::span<Call* const> command,
                            const redisReply& reply) {
  const std::string script(ScriptName(command.front()->script));
  auto fail_all = [&](const std::string& error) {
    for (Call* call : command) {
      call->outcome = RedisOutcome::kScriptError;
      call->error = error;
    }
  };

  if (reply.type == REDIS_REPLY_ERROR) {
    std::string_view text(reply.str, reply.len);
    if (StartsWith(text, "NOSCRIPT")) {
      return false;
    }
    if (ServerBusy(text)) {
      FailCalls(command, "Redis " + options_.url + " is busy: " +
                             std::string(text));
      return true;
    }
    fail_all(script + " failed: " + std::string(text));
    return true;
  }

  if (reply.type != REDIS_REPLY_ARRAY) {
    fail_all(script + " returned a reply of type " +
             std::to_string(reply.type) +
             "; it must return an array of integers");
    return true;
  }
  std::vector<long long> values;
  values.reserve(reply.elements);
  for (std::size_t i = 0; i < reply.elements; ++i) {
    const redisReply& element = *reply.element[i];
    if (element.type != REDIS_REPLY_INTEGER) {
      fail_all(script + " returned a non-integer at position " +
               std::to_string(i + 1) +
               "; every value must be an integer (Lua numbers are "
               "truncated, strings and booleans are not)");
      return true;
    }
    values.push_back(element.integer);
  }

  // One decision takes the whole reply; RedisStore::Decode checks its
  // length. A batch is split into kValuesPerLimit integers per limit.
  if (command.size() == 1) {
    command.front()->values = std::move(values);
    command.front()->outcome = RedisOutcome::kDecided;
    return true;
  }
  std::size_t expected = 0;
  for (const Call* call : command) {
    expected += kValuesPerLimit * call->keys.size();
  }
  if (values.size() != expected) {
    fail_all(script + " returned " + std::to_string(values.size()) +
             " integers for a batch of " + std::to_string(command.size()) +
             " decisions; it must return " + std::to_string(expected) +
             " (4 per limit)");
    return true;
  }
  auto next = values.begin();
  for (Call* call : command) {
    const auto count =
        static_cast<std::ptrdiff_t>(kValuesPerLimit * call->keys.size());
    call->values.assign(next, next + count);
    call->outcome = RedisOutcome::kDecided;
    next += count;
  }
  return true;
}

void Connection::FailCalls(std::span<Call* const> calls,
                           const std::string& error) {
  if (calls.empty()) {
    return;
  }
  for (Call* call : calls) {
    call->outcome = RedisOutcome::kUnavailable;
    call->error = error;
  }
  counters_.unavailable.fetch_add(static_cast<std::int64_t>(calls.size()),
                                  std::memory_order_relaxed);

  std::int64_t suppressed = 0;
  if (outage_log_.Admit(&suppressed)) {
    spdlog::warn("Redis unavailable: {}; {} {} request(s){}", error,
                 PolicyText(options_.failure_policy), calls.size(),
                 SuppressedText(suppressed));
  }
}

}  // namespace rl::redis_internal
