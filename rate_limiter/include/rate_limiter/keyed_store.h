// KeyedStore: in-process rate limiting for millions of client keys.
//
// The store keeps one Limiter per (limit name, client key), created full on
// first use. It is safe to call from any number of threads: keys are spread
// over shards, each with its own mutex, so threads deciding for different
// keys rarely contend.
//
// Memory is bounded. Each shard keeps at most max_keys / shards entries. An
// entry that has been idle long enough to be full again is equivalent to a
// new one, so it is dropped first. When a shard is at its cap, an entry that
// was used long ago is dropped even if it is not full, which forgets that
// key's usage (the key is then treated as new). The reference picks that
// entry as the least recently used of a few sampled ones (all of them in a
// shard of up to 8 entries), so it approximates LRU order.
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
#include <memory>
#include <span>
#include <string>
#include <string_view>
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

// Every method throws std::invalid_argument, naming the value, for a limit
// name that contains '\0' or an invalid quota.
class KeyedStore {
 public:
  // Throws std::invalid_argument when options break their REQUIRES.
  explicit KeyedStore(KeyedStoreOptions options = {});
  ~KeyedStore();
  KeyedStore(const KeyedStore&) = delete;
  KeyedStore& operator=(const KeyedStore&) = delete;

  // Decide decides one request of `cost` for `key` under `limit` at `now`.
  // The key's quota is the per-key override if one is set, else limit.quota.
  // An entry made under another algorithm or quota for the same limit name
  // (a reloaded configuration) starts over, full, under the current one.
  Decision Decide(std::string_view key, const Limit& limit, Nanos now,
                  std::int64_t cost = 1);

  // Peek returns what Decide would return, without consuming or creating
  // an entry.
  Decision Peek(std::string_view key, const Limit& limit, Nanos now,
                std::int64_t cost = 1);

  // DecideAll decides several limits for one request, all or nothing.
  // A (key, limit name) pair listed more than once is decided as one request
  // of the summed cost: each listing's decision shows the state after the
  // listings before it. Entries are created only when the request is allowed.
  // Throws std::invalid_argument when requests is empty or a limit is null.
  MultiDecision DecideAll(std::span<const LimitRequest> requests, Nanos now);

  // SetOverride gives `key` its own quota under the limit named
  // `limit_name` (a premium client, say). Existing state for that pair is
  // dropped, so the key starts full under the new quota. Overrides are
  // kept until the store is destroyed; eviction never drops them.
  void SetOverride(std::string_view limit_name, std::string_view key,
                   Quota quota);

  // size returns the number of entries currently kept.
  std::size_t size() const;

 private:
  // EntryId names one entry, a limit name and a client key, without copying
  // either. An entry stores it as the string limit_name + '\0' + key, which
  // is why a limit name must not contain '\0'.
  struct EntryId {
    std::string_view limit_name;
    std::string_view key;
  };

  // Shard is one independently locked part of the store: its mutex, the
  // entries whose ids map to it, and their overrides. The file that
  // implements KeyedStore defines it, so that the reference and the lab's
  // starter can each lay out a shard their own way behind this header.
  struct Shard;

  // ShardIndex returns the index in shards_ of the shard for `id`.
  std::size_t ShardIndex(const EntryId& id) const;

  KeyedStoreOptions options_;
  std::size_t max_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace rl
