// KeyedStore: the reference implementation. See keyed_store.h.
//
// A shard keeps its entries in one dense vector and finds them through an
// open-addressing hash set of positions in that vector
// (boost::unordered_flat_set). A lookup hashes the id once, probes a group
// of 15 one-byte hash fragments, and compares a stored id only on a
// fragment match. A resident key thus costs no allocation and about one
// cache miss in the set and one in the vector.
//
// Recency is a per-shard tick stored in each entry at every use, instead of
// a linked LRU list. Eviction samples entries at random positions, so an
// insert stays O(1) however many entries a shard holds.

#include "rate_limiter/keyed_store.h"

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace rl {
namespace {

// kIdleChecks is how many random entries MakeRoom peeks per insert to drop
// those that are full again.
constexpr int kIdleChecks = 2;

// kEvictionSample is how many random entries MakeRoom compares to pick the
// one to evict from a full shard. A shard of at most this many entries is
// compared whole, so its eviction order is exact LRU.
constexpr std::size_t kEvictionSample = 8;

// kMaxPositions is the most entries one shard can index: positions are
// 32-bit to keep the hash set small.
constexpr std::size_t kMaxPositions = std::numeric_limits<std::uint32_t>::max();

// Odd 64-bit constants for the hash. Any such constants work, and these
// are digits of pi and e.
constexpr std::uint64_t kHashSeed = 0x243f6a8885a308d3ULL;
constexpr std::uint64_t kMixA = 0xb7e151628aed2a6bULL;
constexpr std::uint64_t kMixB = 0x13198a2e03707345ULL;

std::uint64_t Load64(const char* p) {
  std::uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

std::uint64_t Load32(const char* p) {
  std::uint32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

// Fold multiplies a by b into 128 bits and xors the two halves, which
// spreads each input bit over many output bits.
std::uint64_t Fold(std::uint64_t a, std::uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(product) ^
         static_cast<std::uint64_t>(product >> 64);
}

// HashBytes hashes `text` on top of `seed`. It reads at most two 8-byte
// words per 16 bytes (overlapping at the end), so a short client key costs
// one 128-bit multiply.
//
// NOTE: the seed is fixed, so a client who can choose many keys could pick
// ones that collide. std::hash, used here before, has the same weakness.
std::uint64_t HashBytes(std::string_view text, std::uint64_t seed) {
  const char* p = text.data();
  std::size_t n = text.size();
  seed ^= (n + 1) * kMixB;
  while (n > 16) {
    seed = Fold(Load64(p) ^ kMixA, Load64(p + 8) ^ seed);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n >= 8) {
    a = Load64(p);
    b = Load64(p + n - 8);
  } else if (n >= 4) {
    a = Load32(p);
    b = Load32(p + n - 4);
  } else if (n > 0) {
    a = static_cast<unsigned char>(p[0]) |
        static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
        static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
  }
  return Fold(a ^ kMixA, b ^ seed);
}

// HashId hashes the id (limit_name, key) without joining the two.
std::uint64_t HashId(std::string_view limit_name, std::string_view key) {
  return HashBytes(key, HashBytes(limit_name, kHashSeed));
}

// HashStoredId hashes an id stored as limit name, '\0', key.
std::uint64_t HashStoredId(std::string_view stored) {
  const std::size_t nul = stored.find('\0');
  return HashId(stored.substr(0, nul), stored.substr(nul + 1));
}

// BytesEqual compares n bytes. Limit names and keys are mostly short, so
// up to 16 bytes are compared with two overlapping loads instead of a call
// to memcmp.
bool BytesEqual(const char* a, const char* b, std::size_t n) {
  if (n > 16) return std::memcmp(a, b, n) == 0;
  if (n >= 8) {
    return Load64(a) == Load64(b) && Load64(a + n - 8) == Load64(b + n - 8);
  }
  if (n >= 4) {
    return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// IdEquals is true when `stored` (limit name, '\0', key) names the same
// entry as (limit_name, key).
bool IdEquals(std::string_view stored, std::string_view limit_name,
              std::string_view key) {
  const std::size_t name_size = limit_name.size();
  return stored.size() == name_size + 1 + key.size() &&
         stored[name_size] == '\0' &&
         BytesEqual(stored.data(), limit_name.data(), name_size) &&
         BytesEqual(stored.data() + name_size + 1, key.data(), key.size());
}

// ShardOf maps a hash to one of `shard_count` shards. It uses bits 24 to 55,
// which the shard's hash set does not: the set takes its position from the
// top bits and its one-byte fragment from the lowest 8.
std::size_t ShardOf(std::uint64_t hash, std::size_t shard_count) {
  const std::uint64_t middle = (hash >> 24) & 0xffffffffULL;
  return static_cast<std::size_t>((middle * shard_count) >> 32);
}

void CheckLimitName(std::string_view name) {
  // A loop, not find(): names are short, and this runs on every decision.
  bool has_nul = false;
  for (char c : name) has_nul |= c == '\0';
  if (!has_nul) return;
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

struct KeyedStore::Shard {
  // Entry is the state of one (limit name, key) pair.
  struct Entry {
    std::string id;               // limit name, '\0', key
    std::uint64_t hash = 0;       // HashId of the pair
    std::uint64_t last_used = 0;  // the shard's tick at the latest use
    Limiter limiter;
  };

  // Probe is an id being looked up, with its hash computed once.
  struct Probe {
    EntryId id;
    std::uint64_t hash = 0;
  };

  // PositionHash and PositionEqual let `index` store positions in `entries`
  // but hash and compare them by the entry they point at. Both also accept
  // a Probe (heterogeneous lookup), so a lookup builds no std::string.
  struct PositionHash {
    using is_transparent = void;
    // HashId output is already well mixed; the set must not mix it again.
    using is_avalanching = void;
    const std::vector<Entry>* entries;
    std::size_t operator()(std::uint32_t position) const {
      return (*entries)[position].hash;
    }
    std::size_t operator()(const Probe& probe) const { return probe.hash; }
  };
  struct PositionEqual {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    bool operator()(std::uint32_t a, std::uint32_t b) const { return a == b; }
    bool operator()(const Probe& probe, std::uint32_t position) const {
      const Entry& entry = (*entries)[position];
      return entry.hash == probe.hash &&
             IdEquals(entry.id, probe.id.limit_name, probe.id.key);
    }
    bool operator()(std::uint32_t position, const Probe& probe) const {
      return (*this)(probe, position);
    }
  };

  // OverrideHash and OverrideEqual key `overrides` by the stored id and
  // accept a Probe.
  struct OverrideHash {
    using is_transparent = void;
    using is_avalanching = void;
    std::size_t operator()(const std::string& stored) const {
      return HashStoredId(stored);
    }
    std::size_t operator()(const Probe& probe) const { return probe.hash; }
  };
  struct OverrideEqual {
    using is_transparent = void;
    bool operator()(const std::string& a, const std::string& b) const {
      return a == b;
    }
    bool operator()(const std::string& stored, const Probe& probe) const {
      return IdEquals(stored, probe.id.limit_name, probe.id.key);
    }
    bool operator()(const Probe& probe, const std::string& stored) const {
      return (*this)(stored, probe);
    }
  };

  explicit Shard(std::size_t max_entries)
      : index(0, PositionHash{&entries}, PositionEqual{&entries}),
        max_entries(std::min(max_entries, kMaxPositions)) {}

  // The methods below REQUIRE: mu is held by the caller.

  // QuotaFor returns the probed id's override if one is set, else
  // limit.quota.
  Quota QuotaFor(const Probe& probe, const Limit& limit) const {
    if (overrides.empty()) return limit.quota;
    auto found = overrides.find(probe);
    return found != overrides.end() ? found->second : limit.quota;
  }

  // Find returns the probed id's entry if it exists and still uses
  // limit.algorithm with QuotaFor(probe), else nullptr. It does not count
  // as a use.
  Entry* Find(const Probe& probe, const Limit& limit) {
    auto found = index.find(probe);
    if (found == index.end()) return nullptr;
    Entry& entry = entries[*found];
    if (!Matches(entry.limiter, limit, QuotaFor(probe, limit))) {
      return nullptr;
    }
    return &entry;
  }

  // FindOrInsert returns the probed id's entry, marked as just used. A
  // missing or outdated entry is replaced by a new, full one, after
  // MakeRoom.
  Entry& FindOrInsert(const Probe& probe, const Limit& limit, Nanos now) {
    Quota quota = QuotaFor(probe, limit);
    auto found = index.find(probe);
    if (found != index.end()) {
      const std::uint32_t position = *found;
      Entry& entry = entries[position];
      if (Matches(entry.limiter, limit, quota)) {
        entry.last_used = ++tick;
        return entry;
      }
      // The limit's algorithm or quota changed since this entry was made.
      RemoveAt(position);
    }

    // Build the limiter first: it throws on an invalid quota, and then the
    // shard must be left as it was.
    Limiter limiter(limit.algorithm, quota);
    MakeRoom(now);
    entries.push_back(Entry{JoinId(probe.id.limit_name, probe.id.key),
                            probe.hash, ++tick, std::move(limiter)});
    index.insert(static_cast<std::uint32_t>(entries.size() - 1));
    return entries.back();
  }

  // Erase drops the probed id's entry, if there is one.
  void Erase(const Probe& probe) {
    auto found = index.find(probe);
    if (found != index.end()) RemoveAt(*found);
  }

  // MakeRoom drops entries so that one more fits: first idle ones (full
  // again at `now`) among a few random ones, then, while the shard is at
  // its cap, the entry EvictionVictim picks even if it is not full.
  void MakeRoom(Nanos now) {
    for (int checks = 0; checks < kIdleChecks && !entries.empty(); ++checks) {
      const std::uint32_t position = RandomPosition();
      if (IsFull(entries[position].limiter, now)) RemoveAt(position);
    }

    // Enforce the cap. The victim's key, if still in use, starts over as
    // new.
    while (!entries.empty() && entries.size() >= max_entries) {
      RemoveAt(EvictionVictim(now));
    }
  }

  // EvictionVictim returns the position of the entry to evict: among
  // kEvictionSample random entries (or all, in a smaller shard), the first
  // one that is full again, else the least recently used.
  // REQUIRES: entries is not empty.
  std::uint32_t EvictionVictim(Nanos now) {
    const bool whole = entries.size() <= kEvictionSample;
    const std::size_t count = whole ? entries.size() : kEvictionSample;
    std::uint32_t victim = 0;
    std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t position =
          whole ? static_cast<std::uint32_t>(i) : RandomPosition();
      const Entry& entry = entries[position];
      if (IsFull(entry.limiter, now)) return position;
      if (entry.last_used < oldest) {
        oldest = entry.last_used;
        victim = position;
      }
    }
    return victim;
  }

  // RemoveAt drops the entry at `position` and moves the last entry into
  // its place, updating `index` around the move.
  void RemoveAt(std::uint32_t position) {
    const auto last = static_cast<std::uint32_t>(entries.size() - 1);
    index.erase(position);
    if (position != last) {
      index.erase(last);
      entries[position] = std::move(entries[last]);
      index.insert(position);
    }
    entries.pop_back();
  }

  // RandomPosition returns a uniformly random position in entries, from a
  // xorshift64 generator. REQUIRES: entries is not empty.
  std::uint32_t RandomPosition() {
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    const unsigned __int128 scaled =
        static_cast<unsigned __int128>(random_state) * entries.size();
    return static_cast<std::uint32_t>(scaled >> 64);
  }

  mutable std::mutex mu;
  // entries holds the shard's entries in no particular order. index holds
  // the position of each, keyed by its id through PositionHash.
  std::vector<Entry> entries;
  boost::unordered_flat_set<std::uint32_t, PositionHash, PositionEqual> index;
  // overrides maps an id to its own quota (see SetOverride).
  boost::unordered_flat_map<std::string, Quota, OverrideHash, OverrideEqual>
      overrides;
  std::size_t max_entries;
  // tick counts the uses of entries; Entry::last_used records it.
  std::uint64_t tick = 0;
  std::uint64_t random_state = kHashSeed;
};

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
    shards_.push_back(std::make_unique<Shard>(max_per_shard_));
  }
}

KeyedStore::~KeyedStore() = default;

Decision KeyedStore::Decide(std::string_view key, const Limit& limit,
                            Nanos now, std::int64_t cost) {
  CheckLimitName(limit.name);
  const Shard::Probe probe{EntryId{limit.name, key}, HashId(limit.name, key)};
  Shard& shard = *shards_[ShardOf(probe.hash, shards_.size())];

  std::lock_guard<std::mutex> lock(shard.mu);
  return shard.FindOrInsert(probe, limit, now).limiter.Decide(now, cost);
}

Decision KeyedStore::Peek(std::string_view key, const Limit& limit, Nanos now,
                          std::int64_t cost) {
  CheckLimitName(limit.name);
  const Shard::Probe probe{EntryId{limit.name, key}, HashId(limit.name, key)};
  Shard& shard = *shards_[ShardOf(probe.hash, shards_.size())];

  std::lock_guard<std::mutex> lock(shard.mu);
  if (Shard::Entry* entry = shard.Find(probe, limit)) {
    return entry->limiter.Peek(now, cost);
  }
  // A missing entry is a full one.
  return Limiter(limit.algorithm, shard.QuotaFor(probe, limit))
      .Peek(now, cost);
}

MultiDecision KeyedStore::DecideAll(std::span<const LimitRequest> requests,
                                    Nanos now) {
  CheckRequests(requests);
  std::vector<Shard::Probe> probes(requests.size());
  std::vector<std::size_t> shard_of(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::string_view name = requests[i].limit->name;
    probes[i] = {EntryId{name, requests[i].key},
                 HashId(name, requests[i].key)};
    shard_of[i] = ShardOf(probes[i].hash, shards_.size());
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
    const Limit& limit = *requests[i].limit;
    Shard& shard = *shards_[shard_of[i]];
    std::int64_t cost = SummedCost(requests, i);
    Shard::Entry* entry = shard.Find(probes[i], limit);
    result.decisions[i] =
        entry != nullptr
            ? entry->limiter.Peek(now, cost)
            : Limiter(limit.algorithm, shard.QuotaFor(probes[i], limit))
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
    Shard& shard = *shards_[shard_of[i]];
    result.decisions[i] = shard.FindOrInsert(probes[i], *requests[i].limit, now)
                              .limiter.Decide(now, requests[i].cost);
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
  const Shard::Probe probe{EntryId{limit_name, key}, HashId(limit_name, key)};
  Shard& shard = *shards_[ShardOf(probe.hash, shards_.size())];

  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.overrides.find(probe);
  if (found != shard.overrides.end()) {
    found->second = quota;
  } else {
    shard.overrides.emplace(JoinId(limit_name, key), quota);
  }

  // Drop the old state so the key starts full under its new quota.
  shard.Erase(probe);
}

std::size_t KeyedStore::size() const {
  std::size_t total = 0;
  for (const std::unique_ptr<Shard>& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    total += shard->entries.size();
  }
  return total;
}

std::size_t KeyedStore::ShardIndex(const EntryId& id) const {
  return ShardOf(HashId(id.limit_name, id.key), shards_.size());
}

}  // namespace rl
