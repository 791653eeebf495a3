// FlowControl: backpressure for the consumer's worker pool, one partition at
// a time.
//
// Each partition may have at most `window` messages in flight (handed to the
// workers and not finished). When a partition reaches its window the
// consumer pauses it, so the broker stops sending its records. The consumer
// keeps polling, so the group never considers it stuck. When that
// partition drains to `resume_at` messages the consumer resumes it. Only the
// partitions that are full are paused, and only the paused ones are resumed.
//
// FlowControl only decides, and the consumer calls rd_kafka_pause_partitions and
// rd_kafka_resume_partitions.
//
// Example:
//   FlowControl flow(/*window=*/8, /*resume_at=*/4);
//   if (flow.OnDispatched(partition)) Pause(partition);
//   ...
//   if (flow.OnFinished(partition)) Resume(partition);
//
// This header is light (standard library only): exercise starters include it.
// Thread-safety: none; the caller serializes calls.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "queue_demo/message.h"

namespace queue_demo {

class FlowControl {
 public:
  // REQUIRES: window >= 1 and 0 <= resume_at < window.
  FlowControl(int window, int resume_at);

  // OnDispatched records one more message of `partition` in flight. Returns
  // true exactly when the partition must be paused now: it has just reached
  // the window and is not paused yet.
  bool OnDispatched(const TopicPartition& partition);

  // OnFinished records one message of `partition` finished (processed or
  // dropped). Returns true exactly when the partition must be resumed now:
  // it is paused and has at most resume_at messages in flight.
  bool OnFinished(const TopicPartition& partition);

  // Forget drops the partition's state when it is revoked. Returns true when
  // it was paused, so the caller can resume it before giving it up.
  bool Forget(const TopicPartition& partition);

  // InFlight returns the number of the partition's messages in flight, and
  // IsPaused returns whether FlowControl has paused it.
  int InFlight(const TopicPartition& partition) const;
  bool IsPaused(const TopicPartition& partition) const;

 private:
  struct PartitionFlow {
    int in_flight = 0;
    bool paused = false;
  };
  using Key = std::pair<std::string, std::int32_t>;

  int window_;
  int resume_at_;
  std::map<Key, PartitionFlow> partitions_;
};

}  // namespace queue_demo
