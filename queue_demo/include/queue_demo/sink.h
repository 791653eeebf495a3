// The idempotent sink: where a consumed message's effect becomes durable,
// exactly once per record.
//
// Kafka delivers at least once, so a record can arrive twice (after a crash,
// a rebalance, a retry). The sink makes the effect idempotent: in ONE
// transaction it records the record's (topic, partition, offset) and applies
// its effect, and a record already recorded is skipped. The recorded offsets
// also tell a newly assigned consumer where to resume (NextOffset).
//
// SqliteSink keeps both in one SQLite database (WAL journal), in two tables:
//   processed(topic, partition, offset)  primary key: the three together
//   effects(topic, partition, offset, key, value)
// Several SqliteSink objects, in one process or several, may share the file.
//
// Durability: the database runs with synchronous=NORMAL, so a commit
// survives a crash of the process but not of the machine (power loss, kernel
// panic). A machine crash may undo the last commits after their offsets were
// already committed to Kafka, and those records would be lost.
// synchronous=FULL closes that gap at the cost of one fsync per transaction.
//
// Example:
//   Result<std::unique_ptr<SqliteSink>> sink = SqliteSink::Open("sink.db");
//   Result<ApplyOutcome> outcome = sink.value()->Apply(message, {key, value});
//
// This header is light (standard library only): exercise starters include it.
// Thread-safety: SqliteSink's methods are safe from any thread, and it runs
// one transaction at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "queue_demo/message.h"
#include "queue_demo/status.h"

typedef struct sqlite3 sqlite3;

namespace queue_demo {

// Effect is what processing a message produces: one row of the effects
// table (for the order pipeline, a payment keyed by its order id).
struct Effect {
  std::string key;
  std::string value;
};

enum class ApplyOutcome {
  kApplied,    // the effect was applied and the record recorded, together
  kDuplicate,  // the record was already recorded: nothing changed
};

// Sink is the interface the consumer writes through.
class Sink {
 public:
  virtual ~Sink() = default;

  // Apply records `message`'s topic, partition and offset and applies
  // `effect` atomically. A record already recorded changes nothing.
  // Returns kApplied or kDuplicate, or ErrorCode::kSink when nothing was
  // applied.
  virtual Result<ApplyOutcome> Apply(const Message& message,
                                     const Effect& effect) = 0;

  // ApplyAll does what Apply does for each messages[i] with effects[i]
  // (same sizes), in order, and returns one outcome per message. This
  // default calls Apply once per message, so on an error the messages
  // before the failed one stay applied. SqliteSink overrides it with one
  // transaction for all of them (group commit), so on an error none is.
  virtual Result<std::vector<ApplyOutcome>> ApplyAll(
      const std::vector<Message>& messages, const std::vector<Effect>& effects);

  // NextOffset returns the max recorded offset of topic[partition] + 1, the
  // next offset to read, or kOffsetUnset when none is recorded.
  virtual Result<std::int64_t> NextOffset(std::string_view topic,
                                          std::int32_t partition) = 0;
};

class SqliteSink final : public Sink {
 public:
  // Open opens (creating if needed) the database at `path`, switches it to
  // WAL, and creates the two tables. Waits up to 5 s for a lock held by
  // another connection before failing. Returns an error naming the path.
  static Result<std::unique_ptr<SqliteSink>> Open(const std::string& path);

  ~SqliteSink() override;
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  Result<ApplyOutcome> Apply(const Message& message,
                             const Effect& effect) override;
  // ApplyAll applies every message's effect in ONE transaction, so a batch
  // costs about one commit instead of one per message. It applies all the
  // effects or none.
  // NOTE: it repeats Apply's record-then-apply steps with statements
  // prepared once, so the consumer's batch path runs Apply (the lab's
  // idempotent_sink exercise) only when a batch fails.
  Result<std::vector<ApplyOutcome>> ApplyAll(
      const std::vector<Message>& messages,
      const std::vector<Effect>& effects) override;
  Result<std::int64_t> NextOffset(std::string_view topic,
                                  std::int32_t partition) override;

 private:
  SqliteSink(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  std::mutex mutex_;  // one transaction at a time on db_
  sqlite3* db_;
  std::string path_;
};

}  // namespace queue_demo
