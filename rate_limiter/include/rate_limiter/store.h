// Store: where the HTTP service keeps rate-limit state.
//
// Two implementations: MemoryStore (this process only, a KeyedStore) and
// RedisStore (rate_limiter/redis: shared by every service instance that uses
// the same Redis). The service depends only on Store&, not on which one it
// is given.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "rate_limiter/keyed_store.h"

namespace rl {

class Store {
 public:
  virtual ~Store() = default;

  // DecideAll decides several limits for one request, all or nothing; see
  // KeyedStore::DecideAll. `now` is the caller's monotonic time; a store
  // that keeps its own clock (Redis) ignores it. Never throws: a store that
  // cannot reach its backend applies its failure policy and logs the
  // failure.
  virtual MultiDecision DecideAll(std::span<const LimitRequest> requests,
                                  Nanos now) = 0;

  // Name returns a short description for logs: "memory", "redis://...".
  virtual std::string_view Name() const = 0;
};

// MemoryStore is a Store backed by an in-process KeyedStore.
class MemoryStore final : public Store {
 public:
  explicit MemoryStore(KeyedStoreOptions options = {}) : store_(options) {}
  MultiDecision DecideAll(std::span<const LimitRequest> requests,
                          Nanos now) override {
    return store_.DecideAll(requests, now);
  }
  std::string_view Name() const override { return "memory"; }
  KeyedStore& keyed_store() { return store_; }

 private:
  KeyedStore store_;
};

}  // namespace rl
