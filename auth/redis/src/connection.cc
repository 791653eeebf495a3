#include "connection.h"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <utility>

namespace auth::redis_internal {
namespace {

timeval ToTimeval(std::chrono::milliseconds duration) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(duration.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return tv;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// ServerBusy is true for error replies that mean the server cannot run
// scripts right now: an outage, not a script error.
bool ServerBusy(std::string_view error) {
  return StartsWith(error, "BUSY") || StartsWith(error, "LOADING") ||
         StartsWith(error, "MASTERDOWN");
}

std::string Sha1Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0xf];
  }
  return hex;
}

Result<ScriptReply> ToScriptReply(const Script& script,
                                  const redisReply& reply) {
  ScriptReply result;
  if (reply.type == REDIS_REPLY_INTEGER) {
    result.integer = reply.integer;
    return result;
  }
  if (reply.type != REDIS_REPLY_ARRAY) {
    return MakeError(ErrorCode::kTokenStoreFailure,
                     std::string(script.name) + " returned a reply of type " +
                         std::to_string(reply.type) +
                         ", expected an integer or an array");
  }
  result.is_array = true;
  for (std::size_t i = 0; i < reply.elements; ++i) {
    const redisReply& element = *reply.element[i];
    if (element.type == REDIS_REPLY_INTEGER) {
      result.elements.push_back(std::to_string(element.integer));
    } else if (element.type == REDIS_REPLY_STRING) {
      result.elements.emplace_back(element.str, element.len);
    } else {
      return MakeError(ErrorCode::kTokenStoreFailure,
                       std::string(script.name) + " returned an element of "
                       "type " + std::to_string(element.type) +
                           " at position " + std::to_string(i + 1) +
                           ", expected an integer or a string");
    }
  }
  return result;
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

Script::Script(std::string_view script_name, std::string_view script_text)
    : name(script_name), text(script_text), sha1(Sha1Hex(script_text)) {}

Connection::Connection(const RedisTokenStoreOptions& options, std::string host,
                       int port, int db)
    : options_(options), host_(std::move(host)), port_(port), db_(db) {}

Connection::~Connection() {
  if (context_ != nullptr) redisFree(context_);
}

Result<ScriptReply> Connection::Eval(
    const Script& script, std::initializer_list<std::string_view> keys,
    std::initializer_list<std::string_view> args) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status connected = Connect(); !connected.ok()) return connected.error();

  // EVALSHA, then EVAL with the whole text if the server lost the script
  // (a restart or SCRIPT FLUSH). EVAL also caches it for the next EVALSHA.
  const std::string key_count = std::to_string(keys.size());
  std::vector<std::string_view> argv = {"EVALSHA", script.sha1, key_count};
  argv.insert(argv.end(), keys);
  argv.insert(argv.end(), args);
  ReplyPtr reply(Command(argv));
  if (reply != nullptr && reply->type == REDIS_REPLY_ERROR &&
      StartsWith(std::string_view(reply->str, reply->len), "NOSCRIPT")) {
    spdlog::info("Redis {} does not have {} (NOSCRIPT); sending it with EVAL",
                 options_.url, script.name);
    argv[0] = "EVAL";
    argv[1] = script.text;
    reply.reset(Command(argv));
  }
  if (reply == nullptr) return Unavailable(last_error_);

  if (reply->type == REDIS_REPLY_ERROR) {
    const std::string text(reply->str, reply->len);
    if (ServerBusy(text)) {
      return Unavailable("Redis " + options_.url + " is busy: " + text);
    }
    return MakeError(ErrorCode::kTokenStoreFailure,
                     std::string(script.name) + " failed on Redis " +
                         options_.url + ": " + text);
  }
  return ToScriptReply(script, *reply);
}

Status Connection::TryConnect() {
  std::lock_guard<std::mutex> lock(mu_);
  return Connect();
}

Status Connection::Connect() {
  if (context_ != nullptr) return Status();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_attempt_ - now);
    return Unavailable("not connected to Redis " + options_.url + " (" +
                       last_error_ + "); next connection attempt in " +
                       std::to_string(wait.count()) + " ms");
  }

  // Connect within connect_timeout. Every later read and write on the
  // socket is bounded by command_timeout.
  context_ = redisConnectWithTimeout(host_.c_str(), port_,
                                     ToTimeval(options_.connect_timeout));
  if (context_ == nullptr || context_->err != 0) {
    const std::string reason = context_ != nullptr
                                   ? context_->errstr
                                   : "cannot allocate a hiredis context";
    Disconnect("connecting to Redis " + options_.url + " failed: " + reason);
    return Unavailable(last_error_);
  }
  redisSetTimeout(context_, ToTimeval(options_.command_timeout));

  if (db_ != 0) {
    const std::string db = std::to_string(db_);
    ReplyPtr reply(Command({"SELECT", db}));
    if (reply == nullptr) return Unavailable(last_error_);
    if (reply->type == REDIS_REPLY_ERROR) {
      Disconnect("SELECT " + db + " on Redis " + options_.url +
                 " failed: " + std::string(reply->str, reply->len));
      return Unavailable(last_error_);
    }
  }
  spdlog::info("refresh-token store connected to Redis {}", options_.url);
  return Status();
}

void Connection::Disconnect(const std::string& error) {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  backoff_ = backoff_.count() == 0
                 ? options_.reconnect_backoff_min
                 : std::min(backoff_ * 2, options_.reconnect_backoff_max);
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  last_error_ = error;
}

redisReply* Connection::Command(const std::vector<std::string_view>& argv) {
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  for (std::string_view arg : argv) {
    pointers.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  void* reply = redisCommandArgv(context_, static_cast<int>(argv.size()),
                                 pointers.data(), lengths.data());
  if (reply != nullptr) {
    backoff_ = std::chrono::milliseconds(0);  // a reply ends the backoff
    return static_cast<redisReply*>(reply);
  }

  // A blocking hiredis socket reports a timeout as EAGAIN.
  std::string reason = context_->errstr;
  if (reason.find("temporarily unavailable") != std::string::npos) {
    reason = "timed out after " +
             std::to_string(options_.command_timeout.count()) +
             " ms (command_timeout)";
  }
  Disconnect("command to Redis " + options_.url + " failed: " + reason);
  return nullptr;
}

Error Connection::Unavailable(const std::string& error) {
  const auto now = std::chrono::steady_clock::now();
  if (!logged_ || now - last_log_ >= std::chrono::seconds(1)) {
    const std::string held_back =
        suppressed_ == 0 ? ""
                         : " (" + std::to_string(suppressed_) +
                               " similar messages suppressed)";
    spdlog::warn("refresh-token store unavailable, failing closed: {}{}",
                 error, held_back);
    logged_ = true;
    last_log_ = now;
    suppressed_ = 0;
  } else {
    ++suppressed_;
  }
  return MakeError(ErrorCode::kTokenStoreUnavailable,
                   "the refresh-token store is unavailable: " + error);
}

}  // namespace auth::redis_internal
