// PartitionQueues: the consumer's in-flight messages, one FIFO per partition,
// shared by a pool of workers.
//
// At most one worker processes a partition at a time, so its records (and
// so each key's records) are processed in offset order, retries included.
// Different partitions are processed in parallel.
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "queue_demo/message.h"

namespace queue_demo::internal {

class PartitionQueues {
 public:
  // Push appends `message` to its partition's queue.
  void Push(Message message);

  // PopBatch waits for a partition with queued messages that no worker is
  // processing, marks it busy and returns up to `max_messages` (>= 1) of its
  // messages, oldest first. Returns an empty vector once Close has been
  // called.
  std::vector<Message> PopBatch(std::size_t max_messages);

  // Done marks `message`'s partition idle again (call it once per batch).
  void Done(const Message& message);

  // Cancel drops the queued messages of `partitions` and marks them
  // cancelled, so a worker retrying one of their messages gives up.
  void Cancel(const std::vector<TopicPartition>& partitions);

  // Activate clears the cancelled mark of newly assigned `partitions`.
  void Activate(const std::vector<TopicPartition>& partitions);

  // IsCancelled returns true when `message`'s partition was cancelled.
  bool IsCancelled(const Message& message) const;

  // WaitUntilIdle waits until no message of `partitions` is being processed,
  // or until `deadline`. Returns false on timeout.
  bool WaitUntilIdle(const std::vector<TopicPartition>& partitions,
                     std::chrono::steady_clock::time_point deadline);

  // WaitUntilEmpty waits until nothing is queued or being processed, or
  // until `deadline`. Returns false on timeout.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);

  // DropQueued drops every queued message. Messages being processed finish.
  void DropQueued();

  // Close wakes every waiting worker. PopBatch returns an empty vector from
  // then on.
  void Close();

 private:
  using Key = std::pair<std::string, std::int32_t>;
  struct Partition {
    std::deque<Message> queued;
    bool busy = false;
  };

  bool AnyBusy(const std::vector<TopicPartition>& partitions) const;
  bool Empty() const;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;  // a partition became ready, or Close
  std::condition_variable work_done_;   // a message finished, or was dropped
  std::map<Key, Partition> partitions_;
  std::deque<Key> ready_;  // partitions with queued messages and no worker
  std::set<Key> cancelled_;
  bool closed_ = false;
};

}  // namespace queue_demo::internal
