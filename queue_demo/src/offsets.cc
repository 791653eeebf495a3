#include "queue_demo/offsets.h"

#include <algorithm>

namespace queue_demo {

std::int64_t NextOffsetToStore(std::int64_t processed_offset) {
  return processed_offset + 1;
}

std::int64_t ResumeOffset(std::int64_t committed, std::int64_t sink_next) {
  if (committed == kOffsetUnset) return sink_next;
  if (sink_next == kOffsetUnset) return committed;
  return std::max(committed, sink_next);
}

Status ProcessThenStore(const Message& message, const ApplyEffect& apply,
                        OffsetStore& offsets) {
  // Make the effect durable first: if this fails or the process dies here,
  // nothing is stored and the message is delivered again.
  Status applied = apply(message);
  if (!applied.ok()) return applied;

  // Then store the next offset to read, never the message's own offset.
  return offsets.Store(TopicPartition{message.topic, message.partition,
                                      NextOffsetToStore(message.offset)});
}

}  // namespace queue_demo
