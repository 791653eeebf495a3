#include "queue_demo/internal/partition_queues.h"

#include <algorithm>

namespace queue_demo::internal {

void PartitionQueues::Push(Message message) {
  std::lock_guard<std::mutex> lock(mutex_);
  Key key{message.topic, message.partition};
  Partition& partition = partitions_[key];
  partition.queued.push_back(std::move(message));

  // A partition is in ready_ once, while it has work and no worker.
  if (!partition.busy && partition.queued.size() == 1) {
    ready_.push_back(std::move(key));
    work_ready_.notify_one();
  }
}

std::vector<Message> PartitionQueues::PopBatch(std::size_t max_messages) {
  std::unique_lock<std::mutex> lock(mutex_);
  work_ready_.wait(lock, [this] { return closed_ || !ready_.empty(); });
  if (closed_) return {};

  Key key = std::move(ready_.front());
  ready_.pop_front();
  Partition& partition = partitions_[key];
  partition.busy = true;
  const std::size_t count = std::min(std::max<std::size_t>(max_messages, 1),
                                     partition.queued.size());
  std::vector<Message> batch;
  batch.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    batch.push_back(std::move(partition.queued.front()));
    partition.queued.pop_front();
  }
  return batch;
}

void PartitionQueues::Done(const Message& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  Key key{message.topic, message.partition};
  Partition& partition = partitions_[key];
  partition.busy = false;
  if (!partition.queued.empty()) {
    ready_.push_back(std::move(key));
    work_ready_.notify_one();
  }
  work_done_.notify_all();
}

void PartitionQueues::Cancel(const std::vector<TopicPartition>& partitions) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const TopicPartition& tp : partitions) {
    Key key{tp.topic, tp.partition};
    partitions_[key].queued.clear();
    ready_.erase(std::remove(ready_.begin(), ready_.end(), key), ready_.end());
    cancelled_.insert(std::move(key));
  }
  work_done_.notify_all();
}

void PartitionQueues::Activate(const std::vector<TopicPartition>& partitions) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const TopicPartition& tp : partitions) {
    cancelled_.erase({tp.topic, tp.partition});
  }
}

bool PartitionQueues::IsCancelled(const Message& message) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cancelled_.count({message.topic, message.partition}) > 0;
}

bool PartitionQueues::WaitUntilIdle(
    const std::vector<TopicPartition>& partitions,
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return work_done_.wait_until(lock, deadline,
                               [&] { return !AnyBusy(partitions); });
}

bool PartitionQueues::WaitUntilEmpty(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  return work_done_.wait_until(lock, deadline, [this] { return Empty(); });
}

void PartitionQueues::DropQueued() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [key, partition] : partitions_) partition.queued.clear();
  ready_.clear();
  work_done_.notify_all();
}

void PartitionQueues::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  work_ready_.notify_all();
  work_done_.notify_all();
}

bool PartitionQueues::AnyBusy(
    const std::vector<TopicPartition>& partitions) const {
  for (const TopicPartition& tp : partitions) {
    auto it = partitions_.find({tp.topic, tp.partition});
    if (it != partitions_.end() && it->second.busy) return true;
  }
  return false;
}

bool PartitionQueues::Empty() const {
  for (const auto& [key, partition] : partitions_) {
    if (partition.busy || !partition.queued.empty()) return false;
  }
  return true;
}

}  // namespace queue_demo::internal
