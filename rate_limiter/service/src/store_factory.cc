#include "rate_limiter/service/store_factory.h"

#if RL_SERVICE_HAVE_REDIS
#include "rate_limiter/redis_store.h"
#endif

namespace rl::service {
namespace {

constexpr std::string_view kRedisScheme = "redis://";

bool IsRedis(std::string_view spec) {
  return spec.substr(0, kRedisScheme.size()) == kRedisScheme;
}

// ScriptFamily groups the algorithms by the Redis script that runs them.
int ScriptFamily(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kFixedWindow:
      return 0;
    case Algorithm::kSlidingLog:
      return 1;
    case Algorithm::kTokenBucket:
    case Algorithm::kGcra:
      return 2;
    case Algorithm::kSlidingCounter:
      return 3;
  }
  return 3;
}

}  // namespace

std::optional<std::string> CheckStoreSpec(std::string_view spec) {
  if (spec == "memory") return std::nullopt;
  if (!IsRedis(spec)) {
    return "invalid store '" + std::string(spec) +
           "': expected memory or redis://HOST:PORT, for example "
           "redis://127.0.0.1:6379";
  }
#if RL_SERVICE_HAVE_REDIS
  std::string error;
  if (!ParseRedisUrl(spec, &error)) return error;
  return std::nullopt;
#else
  return "store '" + std::string(spec) +
         "' is unavailable: this build has no Redis store "
         "(rate_limiter/redis)";
#endif
}

StoreSetup MakeStore(std::string_view spec, bool fail_open,
                     std::string* error) {
  StoreSetup setup;
  if (auto problem = CheckStoreSpec(spec)) {
    *error = *problem;
    return setup;
  }
  if (spec == "memory") {
    setup.store = std::make_unique<MemoryStore>();
    setup.errors = [] { return std::uint64_t{0}; };
    return setup;
  }
#if RL_SERVICE_HAVE_REDIS
  RedisStoreOptions options;
  options.url = std::string(spec);
  options.failure_policy =
      fail_open ? FailurePolicy::kFailOpen : FailurePolicy::kFailClosed;
  std::unique_ptr<RedisStore> redis = RedisStore::Create(options, error);
  if (redis == nullptr) return setup;
  RedisStore* raw = redis.get();
  setup.errors = [raw] {
    const RedisStoreStats stats = raw->stats();
    return static_cast<std::uint64_t>(stats.unavailable + stats.script_errors);
  };
  setup.store = std::move(redis);
#else
  (void)fail_open;
#endif
  return setup;
}

std::optional<std::string> CheckConfigForStore(const ServiceConfig& config,
                                               std::string_view spec) {
  if (!IsRedis(spec)) return std::nullopt;

  auto unsupported = [](const Limit& limit) -> std::optional<std::string> {
    if (limit.algorithm != Algorithm::kSlidingCounter) return std::nullopt;
    return "limit '" + limit.name +
           "' uses sliding_counter, which the Redis store does not support: "
           "use fixed_window, sliding_log, token_bucket or gcra";
  };
  for (const Tier& tier : config.tiers) {
    if (auto message = unsupported(tier.limit)) return message;
  }
  for (const Route& route : config.routes) {
    if (auto message = unsupported(route.limit)) return message;
    for (const Tier& tier : config.tiers) {
      if (ScriptFamily(route.limit.algorithm) ==
          ScriptFamily(tier.limit.algorithm)) {
        continue;
      }
      return "route '" + route.limit.name + "' (" +
             std::string(AlgorithmName(route.limit.algorithm)) +
             ") and tier '" + tier.limit.name + "' (" +
             std::string(AlgorithmName(tier.limit.algorithm)) +
             ") cannot be decided in one Redis script: give them algorithms "
             "from the same group (fixed_window; sliding_log; token_bucket "
             "or gcra)";
    }
  }
  return std::nullopt;
}

}  // namespace rl::service
