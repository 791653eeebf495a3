// Exercise: the concurrent keyed store.
//
// Read rate_limiter/include/rate_limiter/keyed_store.h first: it states
// what every public function must do. This file defines the Shard that the
// header only declares: its fields and helpers are below, ready to use. The
// constructor, the destructor and ShardIndex are done. Fill in each
// function that throws "not implemented yet", then run the exercise's
// tests.
//
//   Check your work:  ./labkit check rate_limiter keyed_store
//   Get a hint:       ./labkit hint rate_limiter keyed_store
//
// Rules the tests enforce:
//   - A new key starts full, whatever the time it is first seen.
//   - Peek consumes nothing and creates no entry.
//   - Keys are independent, and so are the limits of one key.
//   - An override gives one (limit, key) its own quota, starts that key
//     full, and leaves the key's other limits alone.
//   - DecideAll is all or nothing: a request rejected by one limit consumes
//     nothing from any other (10/min and 3/min: 3 allowed, 2 rejected,
//     7 left). Each decision shows what its limit alone would return, and
//     `deciding` is the index of the rejecting limit, or when allowed, of
//     the one with the fewest remaining.
//   - The same (key, limit) listed twice in one DecideAll is one request
//     of the summed cost.
//   - The store never holds more than max_keys entries, and an idle entry
//     (full again) is evicted before a busy one, even a less recently used
//     one.
//   - Totals are exact under 8 threads, and DecideAll never deadlocks when
//     threads list the same shards in different orders.

#include "rate_limiter/keyed_store.h"

#include <functional>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace rl {

// Shard is one independently locked part of the store: a mutex, the
// entries whose ids map to it in least-recently-used order, and the
// overrides set for those ids.
struct KeyedStore::Shard {
  // IdHash and IdEqual accept a stored id or an EntryId (heterogeneous
  // lookup), so finding an existing entry never builds a std::string.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(const EntryId& id) const {
      std::size_t h = std::hash<std::string_view>{}(id.limit_name);
      std::size_t k = std::hash<std::string_view>{}(id.key);
      return h ^ (k + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2));
    }
    std::size_t operator()(std::string_view stored) const {
      std::size_t nul = stored.find('\0');
      return (*this)(EntryId{stored.substr(0, nul), stored.substr(nul + 1)});
    }
  };
  struct IdEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const {
      return a == b;
    }
    bool operator()(std::string_view stored, const EntryId& id) const {
      return stored.size() == id.limit_name.size() + 1 + id.key.size() &&
             stored.starts_with(id.limit_name) &&
             stored[id.limit_name.size()] == '\0' &&
             stored.ends_with(id.key);
    }
    bool operator()(const EntryId& id, std::string_view stored) const {
      return (*this)(stored, id);
    }
  };

  struct Entry {
    std::string id;  // limit name, '\0', key
    Limiter limiter;
  };

  // The helpers below REQUIRE: mu is held by the caller.

  // QuotaFor returns id's override if one is set, else limit.quota.
  Quota QuotaFor(const EntryId& id, const Limit& limit) const;

  // Find returns id's entry if it exists and still uses limit.algorithm
  // with QuotaFor(id), else nullptr. It does not change the LRU order.
  Entry* Find(const EntryId& id, const Limit& limit);

  // FindOrInsert returns id's entry, moved to the front of the LRU list. A
  // missing or outdated entry is replaced by a new, full one, after
  // MakeRoom(now, max_entries).
  Entry& FindOrInsert(const EntryId& id, const Limit& limit, Nanos now,
                      std::size_t max_entries);

  // MakeRoom drops entries from the LRU tail so that one more fits: first
  // idle ones (full again at `now`), then, while the shard contains
  // max_entries or more, the least recently used one even if it is not
  // full.
  void MakeRoom(Nanos now, std::size_t max_entries);

  std::mutex mu;
  // lru is most recently used first. index maps each entry's id into it;
  // its keys view Entry::id, so an entry leaves index before lru.
  std::list<Entry> lru;
  std::unordered_map<std::string_view, std::list<Entry>::iterator, IdHash,
                     IdEqual>
      index;
  // overrides maps an id to its own quota (see SetOverride).
  std::unordered_map<std::string, Quota, IdHash, IdEqual> overrides;
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
    shards_.push_back(std::make_unique<Shard>());
  }
}

KeyedStore::~KeyedStore() = default;

Decision KeyedStore::Decide(std::string_view key, const Limit& limit,
                            Nanos now, std::int64_t cost) {
  // TODO: Lock the shard that holds EntryId{limit.name, key}, get its entry
  // with shard.FindOrInsert(id, limit, now, max_per_shard_), and return the
  // entry's limiter.Decide(now, cost).
  (void)key, (void)limit, (void)now, (void)cost;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Decide (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

Decision KeyedStore::Peek(std::string_view key, const Limit& limit, Nanos now,
                          std::int64_t cost) {
  // TODO: Lock the key's shard. Peek the entry's limiter if shard.Find
  // returns one; otherwise peek a new, full Limiter built with
  // shard.QuotaFor. Never create an entry here.
  (void)key, (void)limit, (void)now, (void)cost;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Peek (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

MultiDecision KeyedStore::DecideAll(std::span<const LimitRequest> requests,
                                    Nanos now) {
  // TODO: Lock every shard involved once, in ascending index order. Peek
  // every request (a repeated key and limit adds up its costs). If any
  // peek rejects, return without consuming anything; otherwise Decide each
  // request. Fill in decisions and deciding as the header describes.
  (void)requests, (void)now;
  throw std::logic_error(
      "not implemented yet: KeyedStore::DecideAll (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

void KeyedStore::SetOverride(std::string_view limit_name, std::string_view key,
                             Quota quota) {
  // TODO: Lock the pair's shard, store the quota in shard.overrides, and
  // drop the pair's entry (from index first, then from lru) so it starts
  // full under the new quota.
  (void)limit_name, (void)key, (void)quota;
  throw std::logic_error(
      "not implemented yet: KeyedStore::SetOverride (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

std::size_t KeyedStore::size() const {
  // TODO: Add up lru.size() of every shard, each under its own lock.
  throw std::logic_error(
      "not implemented yet: KeyedStore::size (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

std::size_t KeyedStore::ShardIndex(const EntryId& id) const {
  // The maps inside a shard bucket by the same hash, so the shard is picked
  // from differently mixed bits.
  std::uint64_t mixed =
      static_cast<std::uint64_t>(Shard::IdHash{}(id)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<std::size_t>(mixed >> 32) % shards_.size();
}

Quota KeyedStore::Shard::QuotaFor(const EntryId& id,
                                  const Limit& limit) const {
  // TODO: Return the override stored for id in overrides, if any, else
  // limit.quota. find(id) works without building a std::string.
  (void)id, (void)limit;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Shard::QuotaFor (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

KeyedStore::Shard::Entry* KeyedStore::Shard::Find(const EntryId& id,
                                                  const Limit& limit) {
  // TODO: Look id up in index. Return the entry only if its limiter still
  // has limit.algorithm and QuotaFor(id, limit); else nullptr.
  (void)id, (void)limit;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Shard::Find (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

KeyedStore::Shard::Entry& KeyedStore::Shard::FindOrInsert(
    const EntryId& id, const Limit& limit, Nanos now,
    std::size_t max_entries) {
  // TODO: If id has an up-to-date entry, move it to the front of lru
  // (std::list::splice) and return it. Otherwise drop any outdated entry,
  // call MakeRoom, push a new Entry (id string "limit name\0key", a new
  // Limiter) at the front of lru, and add it to index.
  (void)id, (void)limit, (void)now, (void)max_entries;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Shard::FindOrInsert (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

void KeyedStore::Shard::MakeRoom(Nanos now, std::size_t max_entries) {
  // TODO: Walk a few entries from the back of lru and drop each one that
  // is full again at `now`. Then, while lru.size() >= max_entries, drop the
  // back entry. Erase an entry from index before erasing it from lru,
  // because index's keys view Entry::id.
  (void)now, (void)max_entries;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Shard::MakeRoom (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

}  // namespace rl
