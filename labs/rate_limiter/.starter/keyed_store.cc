// Exercise: the concurrent keyed store.
//
// Read rate_limiter/include/rate_limiter/keyed_store.h first: it states
// what every function must do, and its private section declares the fields
// and helpers this file uses. The constructor, the destructor and
// ShardIndex are done. Fill in each function that throws "not implemented
// yet", then run the exercise's tests.
//
// Hints: labs/rate_limiter/hints/keyed_store.md

#include "rate_limiter/keyed_store.h"

#include <stdexcept>
#include <string>

namespace rl {

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
  // with FindOrInsert, and return the entry's limiter.Decide(now, cost).
  (void)key, (void)limit, (void)now, (void)cost;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Decide (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

Decision KeyedStore::Peek(std::string_view key, const Limit& limit, Nanos now,
                          std::int64_t cost) {
  // TODO: Lock the key's shard. Peek the entry's limiter if Find returns
  // one; otherwise peek a new, full Limiter built with QuotaFor. Never
  // create an entry here.
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
  std::uint64_t mixed =
      static_cast<std::uint64_t>(IdHash{}(id)) * 0x9e3779b97f4a7c15ULL;
  return static_cast<std::size_t>(mixed >> 32) % shards_.size();
}

Quota KeyedStore::QuotaFor(const Shard& shard, const EntryId& id,
                           const Limit& limit) {
  // TODO: Return the override stored for id in shard.overrides, if any,
  // else limit.quota. find(id) works without building a std::string.
  (void)shard, (void)id, (void)limit;
  throw std::logic_error(
      "not implemented yet: KeyedStore::QuotaFor (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

KeyedStore::Entry* KeyedStore::Find(Shard& shard, const EntryId& id,
                                    const Limit& limit) {
  // TODO: Look id up in shard.index. Return the entry only if its limiter
  // still has limit.algorithm and QuotaFor(shard, id, limit); else nullptr.
  (void)shard, (void)id, (void)limit;
  throw std::logic_error(
      "not implemented yet: KeyedStore::Find (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

KeyedStore::Entry& KeyedStore::FindOrInsert(Shard& shard, const EntryId& id,
                                            const Limit& limit, Nanos now) {
  // TODO: If id has an up-to-date entry, move it to the front of shard.lru
  // (std::list::splice) and return it. Otherwise drop any outdated entry,
  // call MakeRoom, push a new Entry (id string "limit name\0key", a new
  // Limiter) at the front of lru, and add it to index.
  (void)shard, (void)id, (void)limit, (void)now;
  throw std::logic_error(
      "not implemented yet: KeyedStore::FindOrInsert (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

void KeyedStore::MakeRoom(Shard& shard, Nanos now) {
  // TODO: Walk a few entries from the back of shard.lru and drop each one
  // that is full again at `now`. Then, while lru.size() >= max_per_shard_,
  // drop the back entry. Erase an entry from index before erasing it from
  // lru, because index's keys view Entry::id.
  (void)shard, (void)now;
  throw std::logic_error(
      "not implemented yet: KeyedStore::MakeRoom (see "
      "labs/rate_limiter/hints/keyed_store.md)");
}

}  // namespace rl
