#include "queue_demo/backpressure.h"

namespace queue_demo {

FlowControl::FlowControl(int window, int resume_at)
    : window_(window), resume_at_(resume_at) {}

bool FlowControl::OnDispatched(const TopicPartition& partition) {
  PartitionFlow& flow = partitions_[{partition.topic, partition.partition}];
  ++flow.in_flight;
  if (flow.paused || flow.in_flight < window_) return false;
  flow.paused = true;
  return true;
}

bool FlowControl::OnFinished(const TopicPartition& partition) {
  auto it = partitions_.find({partition.topic, partition.partition});
  if (it == partitions_.end()) return false;  // revoked meanwhile

  PartitionFlow& flow = it->second;
  if (flow.in_flight > 0) --flow.in_flight;
  if (!flow.paused || flow.in_flight > resume_at_) return false;
  flow.paused = false;
  return true;
}

bool FlowControl::Forget(const TopicPartition& partition) {
  auto it = partitions_.find({partition.topic, partition.partition});
  if (it == partitions_.end()) return false;
  const bool was_paused = it->second.paused;
  partitions_.erase(it);
  return was_paused;
}

int FlowControl::InFlight(const TopicPartition& partition) const {
  auto it = partitions_.find({partition.topic, partition.partition});
  return it == partitions_.end() ? 0 : it->second.in_flight;
}

bool FlowControl::IsPaused(const TopicPartition& partition) const {
  auto it = partitions_.find({partition.topic, partition.partition});
  return it != partitions_.end() && it->second.paused;
}

}  // namespace queue_demo
