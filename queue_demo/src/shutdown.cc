#include "queue_demo/shutdown.h"

namespace queue_demo {

ShutdownReport RunGracefulShutdown(ShutdownSteps& steps,
                                   std::chrono::milliseconds drain_budget) {
  ShutdownReport report;

  // Stop taking messages, then give the workers until the deadline.
  steps.StopIntake();
  const auto deadline = std::chrono::steady_clock::now() + drain_budget;
  report.drained = steps.WaitForInFlight(deadline);
  if (!report.drained) steps.DropQueued();

  // Commit what the finished messages stored, then leave the group.
  report.commit = steps.Commit();
  report.close = steps.Close();
  return report;
}

}  // namespace queue_demo
