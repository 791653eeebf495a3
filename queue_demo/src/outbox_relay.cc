#include "queue_demo/outbox_relay.h"

#include <vector>

namespace queue_demo {

RelayResult RelayOnce(Outbox& outbox, Publisher& publisher, int batch_size,
                      std::int64_t now_ms) {
  RelayResult result;

  // 1. Read the oldest unpublished events.
  std::vector<OutboxEvent> events = outbox.PendingEvents(batch_size, result.error);
  if (!result.error.empty() || events.empty()) return result;

  // 2. Publish them all, in order, and wait for every delivery report.
  std::vector<OutgoingMessage> messages;
  messages.reserve(events.size());
  for (const OutboxEvent& event : events) {
    messages.push_back({event.topic, event.key, event.payload,
                        {{kEventIdHeader, event.event_id}}});
  }
  const std::vector<DeliveryReport> reports = publisher.PublishAll(messages);

  // 3. Mark the delivered prefix: an event after a failed one waits, so the
  // next round publishes the outbox in order again.
  std::vector<std::int64_t> delivered;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!reports[i].ok()) {
      result.error = "event " + events[i].event_id + ": " + reports[i].error;
      break;
    }
    delivered.push_back(events[i].id);
  }
  if (!delivered.empty()) {
    if (std::string error = outbox.MarkPublished(delivered, now_ms);
        !error.empty()) {
      result.error = error;
      result.pending = static_cast<int>(events.size());
      return result;
    }
  }
  result.published = static_cast<int>(delivered.size());
  result.pending = static_cast<int>(events.size() - delivered.size());
  return result;
}

}  // namespace queue_demo
