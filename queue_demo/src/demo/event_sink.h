// EventSink: the demo's idempotent sink, which skips a record already
// applied (by topic, partition and offset, like SqliteSink) and also an
// event already applied under another offset (by its key, the event id).
//
// The second check is needed because the outbox relays publish at least
// once. An event whose delivery report timed out (for example, during a
// broker outage) is published again, and the copy lands at a new offset. Skipping by
// offset alone would apply it twice.
//
// The sink uses one SQLite database (WAL journal), shared by every process
// that opens it, with two tables:
//   processed(topic, partition, offset)   every record the sink recorded
//   effects(key PRIMARY KEY, value, topic, partition, offset)
// Processed rows minus effects rows is the number of duplicate events that
// were skipped by key.
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "queue_demo/sink.h"

namespace queue_demo::demo {

class EventSink final : public Sink {
 public:
  // Open opens or creates the database at `path`. Returns an error naming
  // the path.
  static Result<std::unique_ptr<EventSink>> Open(const std::string& path);

  ~EventSink() override;
  EventSink(const EventSink&) = delete;
  EventSink& operator=(const EventSink&) = delete;

  // Apply records the record and inserts the effect under `effect.key`, in
  // one transaction. A record already recorded returns kDuplicate and
  // changes nothing. A key already in effects returns kDuplicate too, but
  // the record is recorded, so its offset may be committed.
  Result<ApplyOutcome> Apply(const Message& message, const Effect& effect) override;
  Result<std::int64_t> NextOffset(std::string_view topic, std::int32_t partition) override;

 private:
  EventSink(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<ApplyOutcome> ApplyInTransaction(const Message& message, const Effect& effect);

  std::mutex mutex_;  // one transaction at a time on db_
  sqlite3* db_;
  std::string path_;
};

// SkippedEvents returns the processed rows minus the effects rows of the
// EventSink database at `path`, or -1 when it cannot be read.
std::int64_t SkippedEvents(const std::string& path);

}  // namespace queue_demo::demo
