#include "scaling/http/service.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace scaling::http {
namespace {

// kWorkBody is the fixed handler's body, the same 3 bytes nginx returns in
// the benchmark comparison.
constexpr char kWorkBody[] = "ok\n";

timeval ToTimeval(std::chrono::milliseconds timeout) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  return value;
}

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
using RedisContextPtr = std::unique_ptr<redisContext, ContextFree>;

}  // namespace

// State contains the counters and the session stores. Redis connections are
// pooled: a handler takes one, runs its command, and returns it, so each
// server thread ends up with its own connection without thread_local state.
struct ScalingService::State {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> session_errors{0};

  std::mutex sessions_mutex;
  std::unordered_map<std::string, std::int64_t> sessions;  // sid -> visits

  std::mutex pool_mutex;
  std::vector<RedisContextPtr> pool;
};

std::optional<HandlerKind> ParseHandlerKind(std::string_view name) {
  if (name == "fixed") return HandlerKind::kFixed;
  if (name == "io") return HandlerKind::kIo;
  if (name == "cpu") return HandlerKind::kCpu;
  return std::nullopt;
}

const char* HandlerKindName(HandlerKind kind) {
  switch (kind) {
    case HandlerKind::kFixed: return "fixed";
    case HandlerKind::kIo: return "io";
    case HandlerKind::kCpu: return "cpu";
  }
  return "unknown";
}

std::uint64_t CpuWork(std::uint64_t seed, std::int64_t rounds) {
  // splitmix64's finalizer: every round depends on the previous one, so the
  // compiler can neither vectorize nor skip the loop.
  std::uint64_t x = seed;
  for (std::int64_t i = 0; i < rounds; ++i) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
  }
  return x;
}

std::string_view SessionId(std::string_view cookie_header) {
  while (!cookie_header.empty()) {
    const std::size_t end = cookie_header.find(';');
    std::string_view pair = cookie_header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, 4) == "sid=") return pair.substr(4);
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return {};
}

ScalingService::ScalingService(ServiceOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}

ScalingService::~ScalingService() = default;

ServiceStats ScalingService::stats() const {
  return ServiceStats{
      .requests = state_->requests.load(std::memory_order_relaxed),
      .session_errors = state_->session_errors.load(std::memory_order_relaxed)};
}

labkit::http::Response ScalingService::Respond(int status,
                                               std::string body) const {
  labkit::http::Response response;
  response.status = status;
  response.headers.emplace_back("X-Instance", options_.instance_name);
  response.body = std::move(body);
  return response;
}

labkit::http::Response ScalingService::Handle(
    const labkit::http::Request& request) {
  state_->requests.fetch_add(1, std::memory_order_relaxed);
  if (request.path == "/") return HandleWork();
  if (request.path == "/health") return Respond(200, "healthy\n");
  if (request.path == "/session") return HandleSession(request);
  return Respond(404, "not found: try /, /health or /session\n");
}

labkit::http::Response ScalingService::HandleWork() {
  switch (options_.handler) {
    case HandlerKind::kFixed:
      return Respond(200, kWorkBody);
    case HandlerKind::kIo:
      // A blocking wait, as a synchronous downstream call would do.
      std::this_thread::sleep_for(options_.io_delay);
      return Respond(200, kWorkBody);
    case HandlerKind::kCpu: {
      const std::uint64_t result = CpuWork(state_->requests.load(
                                               std::memory_order_relaxed),
                                           options_.cpu_rounds);
      // The result's low bit keeps the loop alive and the body 3 bytes.
      return Respond(200, (result & 1) ? "ok\n" : "OK\n");
    }
  }
  return Respond(500, "unknown handler\n");
}

labkit::http::Response ScalingService::HandleSession(
    const labkit::http::Request& request) {
  const std::string sid(SessionId(request.Header("Cookie")));
  if (sid.empty()) {
    return Respond(400, "missing session: send a cookie 'sid=<id>'\n");
  }

  std::int64_t visits = 0;
  if (options_.redis_port == 0) {
    std::lock_guard lock(state_->sessions_mutex);
    visits = ++state_->sessions[sid];
  } else {
    // Take a pooled connection, or open one.
    RedisContextPtr context;
    {
      std::lock_guard lock(state_->pool_mutex);
      if (!state_->pool.empty()) {
        context = std::move(state_->pool.back());
        state_->pool.pop_back();
      }
    }
    if (context == nullptr) {
      context.reset(redisConnectWithTimeout(
          "127.0.0.1", options_.redis_port, ToTimeval(options_.redis_timeout)));
      if (context != nullptr && context->err == 0) {
        redisSetTimeout(context.get(), ToTimeval(options_.redis_timeout));
      }
    }

    // Count the visit; a failed connection is dropped, not pooled.
    redisReply* reply = nullptr;
    if (context != nullptr && context->err == 0) {
      reply = static_cast<redisReply*>(redisCommand(
          context.get(), "INCR session:%b", sid.data(), sid.size()));
    }
    if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) {
      const std::string error =
          context == nullptr ? "out of memory"
          : context->err != 0 ? context->errstr
          : reply != nullptr  ? std::string(reply->str, reply->len)
                              : "no reply";
      if (reply != nullptr) freeReplyObject(reply);
      // Log the first failure and every 1000th, so an outage cannot flood
      // the log.
      const std::uint64_t failures =
          state_->session_errors.fetch_add(1, std::memory_order_relaxed) + 1;
      if (failures == 1 || failures % 1000 == 0) {
        spdlog::error("session {}: Redis on 127.0.0.1:{} failed: {} ({} "
                      "session errors so far)",
                      sid, options_.redis_port, error, failures);
      }
      return Respond(503, "session store unavailable\n");
    }
    visits = reply->integer;
    freeReplyObject(reply);
    std::lock_guard lock(state_->pool_mutex);
    state_->pool.push_back(std::move(context));
  }
  return Respond(200, "visits=" + std::to_string(visits) +
                          " instance=" + options_.instance_name + "\n");
}

}  // namespace scaling::http
