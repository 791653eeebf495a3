// The outbox relay: publishes the outbox's events to Kafka, in order, and
// marks each published only after its delivery report.
//
// One call of RelayOnce is one round: read the oldest unpublished events,
// publish them, mark the delivered ones. A relay process calls it in a
// loop. A relay that crashes anywhere in a round publishes those events
// again when it restarts, so every event carries its event id (header
// "event-id") for consumers to dedupe on.
//
// Ordering: events are published in outbox order (by id), and marking stops
// at the first failed delivery, so the failed event and every event after
// it are published again in the next round, in order. Within a partition
// the idempotent Producer keeps the order through its own retries.
// NOTE: when an event fails while a later event of the same key was
// delivered, the later one reaches the topic before the failed one's
// second copy; a consumer that dedupes by event id applies them out of
// order. With idempotence on, librdkafka fails a message only after
// message.timeout.ms.
//
// Thread-safety: run one relay per outbox; RelayOnce itself takes the
// outbox's and the publisher's own locks.
#pragma once

#include <cstdint>
#include <string>

#include "queue_demo/publisher.h"
#include "queue_demo/outbox.h"

namespace queue_demo {

inline constexpr const char* kEventIdHeader = "event-id";

struct RelayResult {
  int published = 0;  // events delivered and marked in this round
  int pending = 0;    // events read but not marked (failed, or after one)
  std::string error;  // the first delivery or database error, or ""
};

// RelayOnce publishes up to `batch_size` of the oldest unpublished events
// of `outbox` through `publisher`, and marks the delivered prefix published
// at `now_ms`. Each message takes its topic, key and payload from the row,
// with one header, event-id.
//
// REQUIRES: batch_size >= 1.
RelayResult RelayOnce(Outbox& outbox, Publisher& publisher, int batch_size,
                      std::int64_t now_ms);

}  // namespace queue_demo
