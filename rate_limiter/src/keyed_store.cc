#include "rate_limiter/keyed_store.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace rl {
namespace {

// kIdleChecks bounds how many entries from the LRU tail MakeRoom peeks per
// insert, so an insert costs O(1) however many entries a shard holds.
constexpr int kIdleChecks = 4;

void CheckLimitName(std::string_view name) {
  if (name.find('\0') == std::string_view::npos) return;
  std::string printable;
  for (char c : name) {
    if (c == '\0') {
      printable += "<NUL>";
    } else {
      printable += c;
    }
  }
  throw std::invalid_argument("invalid limit name \"" + printable +
                              "\": a limit name must not contain a NUL "
                              "character ('\\0')");
}

void CheckRequests(std::span<const LimitRequest> requests) {
  if (requests.empty()) {
    throw std::invalid_argument(
        "DecideAll: requests is empty; pass at least one (key, limit)");
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].limit == nullptr) {
      throw std::invalid_argument("DecideAll: requests[" + std::to_string(i) +
                                  "].limit is null; point it at a Limit");
    }
    CheckLimitName(requests[i].limit->name);
  }
}

std::string JoinId(std::string_view limit_name, std::string_view key) {
  std::string id;
  id.reserve(limit_name.size() + 1 + key.size());
  id.append(limit_name);
  id.push_back('\0');
  id.append(key);
  return id;
}

bool Matches(const Limiter& limiter, const Limit& limit, const Quota& quota) {
  return limiter.algorithm() == limit.algorithm && limiter.quota() == quota;
}

// IsFull is true when the limiter would let through as many requests as a
// new one, so dropping it loses no usage. "remaining" is counted after
// the peeked request, hence limit - 1.
bool IsFull(const Limiter& limiter, Nanos now) {
  Decision d = limiter.Peek(now, 1);
  return d.allowed && d.remaining == d.limit - 1;
}

bool SameId(const LimitRequest& a, const LimitRequest& b) {
  return a.key == b.key && a.limit->name == b.limit->name;
}

// SummedCost returns the cost of requests[i] plus that of every earlier
// listing of the same (key, limit name), saturating instead of overflowing.
std::int64_t SummedCost(std::span<const LimitRequest> requests,
                        std::size_t i) {
  std::int64_t total = requests[i].cost;
  for (std::size_t j = 0; j < i; ++j) {
    if (!SameId(requests[j], requests[i])) continue;
    if (__builtin_add_overflow(total, requests[j].cost, &total)) {
      return std::numeric_limits<std::int64_t>::max();
    }
  }
  return total;
}

// DecidingIndex picks the rejection with the longest retry_after, or when
// all allowed, the decision with the fewest remaining; ties go to the first.
std::size_t DecidingIndex(const std::vector<Decision>& decisions,
                          bool allowed) {
  std::size_t best = 0;
  bool found = false;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const Decision& d = decisions[i];
    if (!allowed && d.allowed) continue;
    bool better = allowed ? d.remaining < decisions[best].remaining
                          : d.retry_after > decisions[best].retry_after;
    if (!found || better) best = i;
    found = true;
  }
  return best;
}

}  // namespace

KeyedStore::KeyedStore(KeyedStoreOptions options) : options_(options) {
  if (options_.shards == 0) {
    throw std::invalid_argument(
        "KeyedStoreOptions.shards is 0; it must be at least 1");
  }
  if (options_.max_keys < options_.shards) {
    throw std::invalid_argument(
        "KeyedStoreOptions.max_keys (" + std::to_string(options_.max_keys) +
        ") is less than shards (" + std::to_string(options_.shards) +
        "); every shard must be able to hold one entry");
  }
  max_per_shard_ = options_.max_keys / options_.shards;
  shards_.reserve(options_.shards);
  for (std::size_t i = 0; i < options_.shards; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

KeyedStore::~KeyedStore() = default;

Decision KeyedStore::Decide(std::string_view key, const Limit& limit,
                            Nanos now, std::int64_t cost) {
  CheckLimitName(limit.name);
  EntryId id{limit.name, key};
  Shard& shard = *shards_[ShardIndex(id)];

  std::lock_guard<std::mutex> lock(shard.mu);
  return FindOrInsert(shard, id, limit, now).limiter.Decide(now, cost);
}

Decision KeyedStore::Peek(std::string_view key, const Limit& limit, Nanos now,
                          std::int64_t cost) {
  CheckLimitName(limit.name);
  EntryId id{limit.name, key};
  Shard& shard = *shards_[ShardIndex(id)];

  std::lock_guard<std::mutex> lock(shard.mu);
  if (Entry* entry = Find(shard, id, limit)) {
    return entry->limiter.Peek(now, cost);
  }
  // A missing entry is a full one.
  return Limiter(limit.algorithm, QuotaFor(shard, id, limit)).Peek(now, cost);
}

MultiDecision KeyedStore::DecideAll(std::span<const LimitRequest> requests,
                                    Nanos now) {
  CheckRequests(requests);
  std::vector<std::size_t> shard_of(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    shard_of[i] = ShardIndex(EntryId{requests[i].limit->name, requests[i].key});
  }

  // Lock every shard involved once, in ascending index order, so that two
  // calls naming the same shards in different orders cannot deadlock.
  std::vector<std::size_t> involved = shard_of;
  std::sort(involved.begin(), involved.end());
  involved.erase(std::unique(involved.begin(), involved.end()),
                 involved.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(involved.size());
  for (std::size_t index : involved) locks.emplace_back(shards_[index]->mu);

  // Peek every limit. A missing entry is peeked as a new, full one, and a
  // repeated (key, limit) is peeked with the cost of all its listings so far.
  MultiDecision result;
  result.allowed = true;
  result.decisions.resize(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const LimitRequest& request = requests[i];
    Shard& shard = *shards_[shard_of[i]];
    EntryId id{request.limit->name, request.key};
    std::int64_t cost = SummedCost(requests, i);
    Entry* entry = Find(shard, id, *request.limit);
    result.decisions[i] =
        entry != nullptr
            ? entry->limiter.Peek(now, cost)
            : Limiter(request.limit->algorithm,
                      QuotaFor(shard, id, *request.limit))
                  .Peek(now, cost);
    result.allowed = result.allowed && result.decisions[i].allowed;
  }
  if (!result.allowed) {
    result.deciding = DecidingIndex(result.decisions, false);
    return result;
  }

  // Every limit allows, so consume from each; every Decide allows as its
  // Peek did, because the locks are still held.
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const LimitRequest& request = requests[i];
    Shard& shard = *shards_[shard_of[i]];
    EntryId id{request.limit->name, request.key};
    result.decisions[i] = FindOrInsert(shard, id, *request.limit, now)
                              .limiter.Decide(now, request.cost);
  }
  result.deciding = DecidingIndex(result.decisions, true);
  return result;
}

void KeyedStore::SetOverride(std::string_view limit_name, std::string_view key,
                             Quota quota) {
  CheckLimitName(limit_name);
  if (!ValidQuota(quota)) {
    throw std::invalid_argument(
        "SetOverride: invalid quota {limit " + std::to_string(quota.limit) +
        ", period " + std::to_string(quota.period) + " ns, burst " +
        std::to_string(quota.burst) +
        "}: every field must be positive and limit * period and "
        "burst * period must fit in 64 bits");
  }
  EntryId id{limit_name, key};
  Shard& shard = *shards_[ShardIndex(id)];

  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.overrides.find(id);
  if (found != shard.overrides.end()) {
    found->second = quota;
  } else {
    shard.overrides.emplace(JoinId(limit_name, key), quota);
  }

  // Drop the old state so the key starts full under its new quota.
  auto entry = shard.index.find(id);
  if (entry != shard.index.end()) {
    auto position = entry->second;
    shard.index.erase(entry);
    shard.lru.erase(position);
  }
}

std::size_t KeyedStore::size() const {
  std::size_t total = 0;
  for (const std::unique_ptr<Shard>& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    total += shard->lru.size();
  }
  return total;
}

std::size_t KeyedStore::ShardIndex(const EntryId& id) const {
  // The maps inside a shard bucket by the same hash, so the shard is picked
  // from differently mixed bits.
  std::uint64_t mixed =
      static_cast<std::uint64_t>(IdHash{}(id)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<std::size_t>(mixed >> 32) % shards_.size();
}

Quota KeyedStore::QuotaFor(const Shard& shard, const EntryId& id,
                           const Limit& limit) {
  if (shard.overrides.empty()) return limit.quota;
  auto found = shard.overrides.find(id);
  return found != shard.overrides.end() ? found->second : limit.quota;
}

KeyedStore::Entry* KeyedStore::Find(Shard& shard, const EntryId& id,
                                    const Limit& limit) {
  auto found = shard.index.find(id);
  if (found == shard.index.end()) return nullptr;
  Entry& entry = *found->second;
  if (!Matches(entry.limiter, limit, QuotaFor(shard, id, limit))) {
    return nullptr;
  }
  return &entry;
}

KeyedStore::Entry& KeyedStore::FindOrInsert(Shard& shard, const EntryId& id,
                                            const Limit& limit, Nanos now) {
  Quota quota = QuotaFor(shard, id, limit);
  auto found = shard.index.find(id);
  if (found != shard.index.end()) {
    auto position = found->second;
    if (Matches(position->limiter, limit, quota)) {
      shard.lru.splice(shard.lru.begin(), shard.lru, position);
      return *position;
    }
    // The limit's algorithm or quota changed since this entry was made.
    shard.index.erase(found);
    shard.lru.erase(position);
  }

  // Build the limiter first: it throws on an invalid quota, and then the
  // shard must be left as it was.
  Limiter limiter(limit.algorithm, quota);
  MakeRoom(shard, now);
  shard.lru.push_front(
      Entry{JoinId(id.limit_name, id.key), std::move(limiter)});
  shard.index.emplace(shard.lru.front().id, shard.lru.begin());
  return shard.lru.front();
}

void KeyedStore::MakeRoom(Shard& shard, Nanos now) {
  // Drop idle entries near the tail. One that is full again is the same as
  // a new one, so dropping it loses no usage.
  auto position = shard.lru.end();
  for (int checks = 0; checks < kIdleChecks && position != shard.lru.begin();
       ++checks) {
    --position;
    if (IsFull(position->limiter, now)) {
      shard.index.erase(position->id);
      position = shard.lru.erase(position);
    }
  }

  // Enforce the cap. The least recently used entry goes even if it is still
  // in use, and its key then starts over as new.
  while (!shard.lru.empty() && shard.lru.size() >= max_per_shard_) {
    shard.index.erase(shard.lru.back().id);
    shard.lru.pop_back();
  }
}

}  // namespace rl
