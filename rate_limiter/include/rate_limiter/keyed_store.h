// KeyedStore: in-process rate limiting for millions of client keys.
//
// The store keeps one Limiter per (limit name, client key), created full on
// first use. It is safe to call from any number of threads: keys are spread
// over shards, each with its own mutex, so threads deciding for different
// keys rarely contend.
//
// Memory is bounded. Each shard holds at most max_keys / shards entries in
// least-recently-used order. An entry that has been idle long enough to be
// full again is equivalent to a new one, so it is dropped first; when a shard
// is over its cap, the least recently used entry is dropped even if it is not
// full, which forgets that key's usage (the key is then treated as new).
//
// Several limits per request are decided all or nothing: DecideAll locks
// every shard involved (in shard order, so two calls never deadlock), peeks
// every limit, and consumes from all of them only if all allow. A rejected
// request consumes nothing anywhere.
//
// Example:
//   rl::KeyedStore store;
//   rl::Limit per_client{"client", rl::Algorithm::kGcra,
//                        rl::Quota::PerSecond(10)};
//   rl::Decision d = store.Decide("203.0.113.7", per_client, clock.Now());
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rate_limiter/limiter.h"
#include "rate_limiter/quota.h"

namespace rl {

struct KeyedStoreOptions {
  // shards is the number of independently locked parts. REQUIRES: > 0.
  std::size_t shards = 64;
  // max_keys is the total number of entries kept, over all shards.
  // REQUIRES: >= shards.
  std::size_t max_keys = 1'000'000;
};

// LimitRequest is one (key, limit) pair of a multi-limit decision.
struct LimitRequest {
  std::string_view key;
  const Limit* limit = nullptr;
  std::int64_t cost = 1;
};

// MultiDecision is the outcome of DecideAll.
struct MultiDecision {
  // allowed is true when every limit allowed the request.
  bool allowed = false;
  // decisions[i] is the decision of requests[i]. When the request is
  // rejected, each shows what that limit alone would have answered, and
  // none consumed anything.
  std::vector<Decision> decisions;
  // deciding is the index of the limit that decided the outcome: the first
  // one that rejected (with the longest retry_after), or when allowed, the
  // one with the fewest remaining.
  std::size_t deciding = 0;
};

class KeyedStore {
 public:
  explicit KeyedStore(KeyedStoreOptions options = {});
  ~KeyedStore();
  KeyedStore(const KeyedStore&) = delete;
  KeyedStore& operator=(const KeyedStore&) = delete;

  // Decide decides one request of `cost` for `key` under `limit` at `now`.
  // The key's quota is the per-key override if one is set, else limit.quota.
  Decision Decide(std::string_view key, const Limit& limit, Nanos now,
                  std::int64_t cost = 1);

  // Peek returns what Decide would return, without consuming or creating
  // an entry.
  Decision Peek(std::string_view key, const Limit& limit, Nanos now,
                std::int64_t cost = 1);

  // DecideAll decides several limits for one request, all or nothing.
  // REQUIRES: requests is not empty and every limit pointer is set.
  MultiDecision DecideAll(std::span<const LimitRequest> requests, Nanos now);

  // SetOverride gives `key` its own quota under the limit named
  // `limit_name` (a premium client, say). Existing state for that pair is
  // dropped, so the key starts full under the new quota.
  // REQUIRES: ValidQuota(quota).
  void SetOverride(std::string_view limit_name, std::string_view key,
                   Quota quota);

  // size returns the number of entries currently kept.
  std::size_t size() const;

 private:
  struct Entry {
    std::string id;  // limit name, '\0', key
    Limiter limiter;
    Nanos last_used;
  };
  struct Shard {
    mutable std::mutex mu;
    // lru is most recently used first; index maps Entry::id into it.
    std::list<Entry> lru;
    std::unordered_map<std::string, std::list<Entry>::iterator> index;
    std::unordered_map<std::string, Quota> overrides;
  };

  Shard& ShardFor(std::string_view id);

  KeyedStoreOptions options_;
  std::size_t max_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace rl
