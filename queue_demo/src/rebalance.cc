#include "queue_demo/rebalance.h"

#include "queue_demo/offsets.h"

namespace queue_demo {
namespace {

// FirstFailure returns `current` if it already failed, else `next`.
Status FirstFailure(Status current, Status next) {
  return current.ok() ? next : current;
}

Status Assign(const std::vector<TopicPartition>& partitions,
              RebalanceActions& actions) {
  Status outcome;

  // Look up where the group left off; without an answer, start from the
  // sink alone (kOffsetUnset lets librdkafka use the committed offset).
  std::vector<TopicPartition> starts = partitions;
  Result<std::vector<TopicPartition>> committed = actions.Committed(partitions);
  if (!committed.ok()) outcome = committed.error();

  // Resume each partition from the later of the commit and the sink.
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::int64_t committed_offset =
        committed.ok() ? committed.value()[i].offset : kOffsetUnset;
    Result<std::int64_t> sink_next = actions.SinkNextOffset(starts[i]);
    if (!sink_next.ok()) outcome = FirstFailure(outcome, sink_next.error());
    starts[i].offset = ResumeOffset(
        committed_offset, sink_next.ok() ? sink_next.value() : kOffsetUnset);
  }

  return FirstFailure(outcome, actions.Assign(starts));
}

Status Revoke(const std::vector<TopicPartition>& partitions,
              RebalanceActions& actions) {
  Status outcome;

  // A lost assignment may already belong to another consumer: drop the
  // work and give the partitions up without committing anything.
  actions.StopWork(partitions);
  if (!actions.AssignmentLost()) {
    // An orderly revoke: finish what is being processed, then commit it so
    // the next owner starts right after it.
    actions.WaitForInFlight(partitions);
    outcome = actions.Commit(partitions);
  }

  return FirstFailure(outcome, actions.Unassign(partitions));
}

}  // namespace

Status HandleRebalance(RebalanceEvent event,
                       const std::vector<TopicPartition>& partitions,
                       RebalanceActions& actions) {
  if (event == RebalanceEvent::kAssign) return Assign(partitions, actions);
  return Revoke(partitions, actions);
}

}  // namespace queue_demo
