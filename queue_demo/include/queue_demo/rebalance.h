// The consumer's rebalance callback, for cooperative-sticky assignment.
//
// With the cooperative protocol each rebalance hands a consumer only the
// partitions that change: it incrementally assigns the new ones and
// incrementally unassigns the revoked ones, and keeps processing the rest.
//
// On assign, each partition resumes from the later of the group's committed
// offset and the idempotent sink's next offset (see ResumeOffset).
// On revoke, the consumer drops the partitions' queued messages, waits a
// bounded time for the ones being processed, commits the stored offsets, and
// unassigns. When the assignment was lost (the group moved on without this
// consumer: session timeout, max.poll.interval.ms exceeded) it must not
// commit, because another consumer may own the partitions already.
//
// HandleRebalance makes the decisions and RebalanceActions performs them, so
// the decisions can be tested without a broker. The consumer implements the
// actions over librdkafka.
//
// This header is light (standard library only): exercise starters include it.
#pragma once

#include <cstdint>
#include <vector>

#include "queue_demo/message.h"
#include "queue_demo/status.h"

namespace queue_demo {

enum class RebalanceEvent {
  kAssign,  // partitions added to this consumer's assignment
  kRevoke,  // partitions taken away (revoked, or lost)
};

// RebalanceActions is what a rebalance can do to the consumer. Every call
// happens on the polling thread, inside the rebalance callback.
class RebalanceActions {
 public:
  virtual ~RebalanceActions() = default;

  // Committed returns the group's committed offset of each of `partitions`
  // in the same order, kOffsetUnset where the group has none.
  virtual Result<std::vector<TopicPartition>> Committed(
      const std::vector<TopicPartition>& partitions) = 0;

  // SinkNextOffset returns the sink's next offset for `partition` (max
  // recorded + 1), or kOffsetUnset when the sink has recorded none.
  virtual Result<std::int64_t> SinkNextOffset(
      const TopicPartition& partition) = 0;

  // Assign incrementally assigns `partitions`, each starting at its offset
  // (kOffsetUnset: the committed offset, else auto.offset.reset).
  virtual Status Assign(const std::vector<TopicPartition>& partitions) = 0;

  // AssignmentLost returns true when the revoked partitions were lost rather
  // than revoked in an orderly rebalance.
  virtual bool AssignmentLost() = 0;

  // StopWork drops the partitions' queued, unstarted messages (their offsets
  // were never stored, so the next owner reads them again) and resumes any
  // of them that backpressure paused.
  virtual void StopWork(const std::vector<TopicPartition>& partitions) = 0;

  // WaitForInFlight waits, for at most the consumer's revoke drain timeout,
  // until no message of `partitions` is being processed. Returns false on
  // timeout: those messages finish later and their offset stores fail.
  virtual bool WaitForInFlight(
      const std::vector<TopicPartition>& partitions) = 0;

  // Commit synchronously commits the stored offsets of `partitions`.
  virtual Status Commit(const std::vector<TopicPartition>& partitions) = 0;

  // Unassign incrementally removes `partitions` from the assignment.
  virtual Status Unassign(const std::vector<TopicPartition>& partitions) = 0;
};

// HandleRebalance carries out one rebalance event on `partitions` through
// `actions`, and returns the first failure. The partitions are assigned or
// unassigned even when an earlier step (the committed-offset lookup, the
// commit) failed, because librdkafka requires the callback to do so.
Status HandleRebalance(RebalanceEvent event,
                       const std::vector<TopicPartition>& partitions,
                       RebalanceActions& actions);

}  // namespace queue_demo
