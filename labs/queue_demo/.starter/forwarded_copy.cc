// Exercise: the copy of a failed message for the retry or dead letter topic.
//
// Implement ForwardedCopy below. The header names and what each carries are
// in queue_demo/include/queue_demo/failure_router.h. The helpers you need
// are given there too: FindHeader, RetryTopicFor, DeadLetterTopicFor,
// OriginalTopicOf, RetryRoundsOf and PreviousAttemptsOf.
//
//   Check your work:  ./labkit check queue_demo dead_letter_copy
//   Get a hint:       ./labkit hint queue_demo dead_letter_copy
//
// Rules the tests enforce, for a record first read at orders[2]@17:
//   - The copy goes to orders.retry or orders.dlt (named after the original
//     topic, even when the record was read from orders.retry), with the key
//     and value unchanged and the producer's own headers kept.
//   - x-attempts counts the handler calls of every round; x-retry-rounds
//     goes up by one only for a copy to the retry topic.
//   - x-original-topic/-partition/-offset keep naming orders[2]@17 on
//     every later round, not the retry topic's partition and offset.
//   - Each x-* routing header appears exactly once, because the copy
//     replaces the previous round's routing headers instead of adding more.
// The last test runs your copy inside the real consumer against the
// embedded broker, through orders.retry to orders.dlt.

#include "queue_demo/failure_router.h"

#include <stdexcept>

namespace queue_demo {

// TODO: Build the copy: topic from the destination and OriginalTopicOf,
// key and value as they are, the message's headers without the old x-*
// routing ones, then the seven routing headers for this failure.
OutgoingMessage ForwardedCopy([[maybe_unused]] const Message& message,
                              [[maybe_unused]] const HandlerFailure& failure,
                              [[maybe_unused]] int attempt,
                              [[maybe_unused]] RetryAction destination) {
  throw std::logic_error(
      "not implemented yet: ForwardedCopy (see labs/queue_demo/hints/dead_letter_copy.md)");
}

}  // namespace queue_demo
