// Exercise: backpressure with pause and resume, one partition at a time.
//
// Implement FlowControl below. Its contract and its private state
// (`window_`, `resume_at_`, and `partitions_`, a map from (topic,
// partition) to its in-flight count and paused flag) are in
// queue_demo/include/queue_demo/backpressure.h. The consumer calls
// OnDispatched when it hands a record to the workers and OnFinished when a
// worker is done, and pauses or resumes the partition when they return true.
//
//   Check your work:  ./labkit check queue_demo backpressure
//   Get a hint:       ./labkit hint queue_demo backpressure
//
// Rules the tests enforce, with window 3 and resume_at 1:
//   - The 3rd message in flight pauses the partition; a message that still
//     arrives after the pause counts, but does not pause it again.
//   - It resumes when it drains to 1 in flight, and reports that resume
//     only once.
//   - Only full partitions are paused, and only paused ones are resumed.
//   - Forget drops a revoked partition and reports whether it was paused;
//     a late OnFinished for it resumes nothing.
// The last test runs your FlowControl inside the real consumer against the
// embedded broker, with a window of 4 and a slow handler.

#include "queue_demo/backpressure.h"

#include <stdexcept>

namespace queue_demo {

// Given: the constructor stores the two thresholds.
FlowControl::FlowControl(int window, int resume_at)
    : window_(window), resume_at_(resume_at) {}

// TODO: Count one more message in flight. Return true only when this one
// fills the window of a partition that is not paused yet, and mark it paused.
bool FlowControl::OnDispatched([[maybe_unused]] const TopicPartition& partition) {
  throw std::logic_error(
      "not implemented yet: FlowControl::OnDispatched (see labs/queue_demo/hints/backpressure.md)");
}

// TODO: Count one message finished. Return true only when the partition is
// paused and now has at most resume_at_ messages in flight, and mark it
// resumed.
bool FlowControl::OnFinished([[maybe_unused]] const TopicPartition& partition) {
  throw std::logic_error(
      "not implemented yet: FlowControl::OnFinished (see labs/queue_demo/hints/backpressure.md)");
}

// TODO: Erase the partition's state; return whether it was paused.
bool FlowControl::Forget([[maybe_unused]] const TopicPartition& partition) {
  throw std::logic_error(
      "not implemented yet: FlowControl::Forget (see labs/queue_demo/hints/backpressure.md)");
}

// TODO: Return the partition's in-flight count (0 when unknown).
int FlowControl::InFlight([[maybe_unused]] const TopicPartition& partition) const {
  throw std::logic_error(
      "not implemented yet: FlowControl::InFlight (see labs/queue_demo/hints/backpressure.md)");
}

// TODO: Return whether the partition is paused (false when unknown).
bool FlowControl::IsPaused([[maybe_unused]] const TopicPartition& partition) const {
  throw std::logic_error(
      "not implemented yet: FlowControl::IsPaused (see labs/queue_demo/hints/backpressure.md)");
}

}  // namespace queue_demo
