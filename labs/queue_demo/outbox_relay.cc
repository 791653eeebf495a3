// Exercise: the outbox relay, one round.
//
// Implement RelayOnce below. Its contract is in
// queue_demo/include/queue_demo/outbox_relay.h; the outbox (PendingEvents,
// MarkPublished) is in outbox.h and the Publisher (PublishAll, one
// DeliveryReport per message) in publisher.h.
//
//   Check your work:  ./labkit check queue_demo outbox_relay
//   Get a hint:       ./labkit hint queue_demo outbox_relay
//
// Rules the tests enforce:
//   - Read at most batch_size pending events, oldest first, and publish
//     them in that order: topic, key and payload from the row, and one
//     header, event-id.
//   - Mark an event published only after its delivery report succeeded.
//     Stop marking at the first failure: the failed event and every event
//     after it stay pending, so the next round publishes them in order.
//   - On a failure, `error` names the event id and the report's reason.
//   - An empty outbox is not an error and calls no publisher.
// The last test relays through the real Producer to the embedded broker,
// with every broker down for one round.

#include "queue_demo/outbox_relay.h"

#include <stdexcept>

namespace queue_demo {

// TODO: Read the pending events, publish them all in one PublishAll call,
// then mark the delivered prefix with MarkPublished and fill in the result.
RelayResult RelayOnce([[maybe_unused]] Outbox& outbox, [[maybe_unused]] Publisher& publisher,
                      [[maybe_unused]] int batch_size, [[maybe_unused]] std::int64_t now_ms) {
  throw std::logic_error(
      "not implemented yet: RelayOnce (see labs/queue_demo/hints/outbox_relay.md)");
}

}  // namespace queue_demo
