// Exercise: offset management for at-least-once delivery.
//
// Implement the three functions below. Their contract is in
// queue_demo/include/queue_demo/offsets.h; Message, TopicPartition and
// kOffsetUnset are in message.h, Status and Error in status.h.
//
//   Check your work:  ./labkit check queue_demo offsets
//   Get a hint:       ./labkit hint queue_demo offsets
//
// Rules the tests enforce:
//   - Kafka's committed offset is the next offset to read: after record 41
//     the consumer stores 42.
//   - A newly assigned partition resumes at the later of the group's
//     committed offset and the sink's next offset. kOffsetUnset on one side
//     means "use the other"; on both sides, auto.offset.reset decides.
//   - The offset is stored only after the effect is durable, and never when
//     the effect failed. Each failure is returned unchanged.
// The last test runs your functions inside the real consumer against the
// embedded broker and reads the group's committed offset back.

#include "queue_demo/offsets.h"

#include <stdexcept>

namespace queue_demo {

// TODO: Return the offset to store once the record at `processed_offset`
// is durable: the next offset to read.
std::int64_t NextOffsetToStore([[maybe_unused]] std::int64_t processed_offset) {
  throw std::logic_error(
      "not implemented yet: NextOffsetToStore (see labs/queue_demo/hints/offsets.md)");
}

// TODO: Return where a newly assigned partition starts reading: the later
// of `committed` and `sink_next`, treating kOffsetUnset as "no value".
std::int64_t ResumeOffset([[maybe_unused]] std::int64_t committed,
                          [[maybe_unused]] std::int64_t sink_next) {
  throw std::logic_error(
      "not implemented yet: ResumeOffset (see labs/queue_demo/hints/offsets.md)");
}

// TODO: Apply the message's effect through `apply`. If that failed, return
// its error and store nothing. Otherwise store the next offset to read of
// the message's topic and partition through `offsets`, and return what the
// store returned.
Status ProcessThenStore([[maybe_unused]] const Message& message,
                        [[maybe_unused]] const ApplyEffect& apply,
                        [[maybe_unused]] OffsetStore& offsets) {
  throw std::logic_error(
      "not implemented yet: ProcessThenStore (see labs/queue_demo/hints/offsets.md)");
}

}  // namespace queue_demo
