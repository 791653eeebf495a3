// Exercise: the consumer's rebalance callback, for cooperative-sticky
// assignment.
//
// Implement HandleRebalance below. What each action does is in
// queue_demo/include/queue_demo/rebalance.h; ResumeOffset (offsets.h) picks
// where a partition resumes. The consumer calls HandleRebalance from
// librdkafka's rebalance callback, with only the partitions that change.
//
//   Check your work:  ./labkit check queue_demo rebalance
//   Get a hint:       ./labkit hint queue_demo rebalance
//
// Rules the tests enforce:
//   - Assign: look up the group's committed offsets once, resume each
//     partition at ResumeOffset(committed, sink next), and assign them all,
//     even when a lookup failed (then return the lookup's error).
//   - Revoke: stop the partitions' queued work, wait for the records being
//     processed, commit, then unassign.
//   - A lost assignment (AssignmentLost) is stopped and unassigned without
//     waiting or committing: another consumer may own it already.
//   - Unassign even when the commit failed; return the first error.
// The last test runs your callback in two real consumers of one group
// against the embedded broker while the second one joins.

#include "queue_demo/rebalance.h"

#include <stdexcept>

#include "queue_demo/offsets.h"

namespace queue_demo {

// TODO: For kAssign, compute each partition's start offset and assign them.
// For kRevoke, stop the work, then (unless the assignment was lost) wait for
// in-flight records and commit, then unassign. Return the first failure.
Status HandleRebalance([[maybe_unused]] RebalanceEvent event,
                       [[maybe_unused]] const std::vector<TopicPartition>& partitions,
                       [[maybe_unused]] RebalanceActions& actions) {
  throw std::logic_error(
      "not implemented yet: HandleRebalance (see labs/queue_demo/hints/rebalance.md)");
}

}  // namespace queue_demo
