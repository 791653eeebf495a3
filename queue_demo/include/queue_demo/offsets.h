// At-least-once offset management: which offset to store after a message,
// where a newly assigned partition resumes, and the order of the two steps
// that make delivery at-least-once.
//
// Kafka's committed offset is the next offset to read, so the offset stored
// after processing record N is N + 1. It is stored only after the record's
// effect is durable: a consumer that dies between the two steps redelivers
// the record (and the idempotent sink skips it) instead of losing it.
//
// Example:
//   Status done = ProcessThenStore(message, apply_through_sink, offsets);
//
// This header is light (standard library only): exercise starters include it.
// Thread-safety: the functions keep no state; ProcessThenStore is as safe as
// the `apply` and `offsets` it is given.
#pragma once

#include <cstdint>
#include <functional>

#include "queue_demo/message.h"
#include "queue_demo/status.h"

namespace queue_demo {

// OffsetStore receives the next offset to read for one partition. The
// consumer's implementation calls rd_kafka_offsets_store, and the stored
// offsets are committed by the automatic commit, on revoke and on shutdown.
class OffsetStore {
 public:
  virtual ~OffsetStore() = default;

  // Store records `position.offset` as the next offset to read of
  // `position.topic` [`position.partition`]. Returns ErrorCode::kState when
  // the partition is no longer assigned to this consumer (it was revoked).
  virtual Status Store(const TopicPartition& position) = 0;
};

// ApplyEffect makes a message's effect durable (a sink transaction) and
// returns ok, or returns why it could not. A message already applied before
// is ok: its effect is durable.
using ApplyEffect = std::function<Status(const Message&)>;

// NextOffsetToStore returns the offset to store once the record at
// `processed_offset` is durable: the next offset to read.
std::int64_t NextOffsetToStore(std::int64_t processed_offset);

// ResumeOffset returns where a newly assigned partition starts reading:
// the later of the group's committed offset and the sink's next offset
// (max recorded + 1), because the sink can be ahead of the last commit but
// a commit is never ahead of the sink. Either may be kOffsetUnset; when both
// are, so is the result, and the consumer falls back to auto.offset.reset.
std::int64_t ResumeOffset(std::int64_t committed, std::int64_t sink_next);

// ProcessThenStore applies `message`'s effect through `apply` and, only if
// that succeeded, stores the next offset to read through `offsets`. Returns
// the first failure: apply's error (nothing stored, so the message is
// delivered again), or the store's error.
Status ProcessThenStore(const Message& message, const ApplyEffect& apply,
                        OffsetStore& offsets);

}  // namespace queue_demo
