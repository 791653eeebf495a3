// Stop signals: SIGINT and SIGTERM ask a long-running consumer to shut down
// gracefully instead of dying mid-batch.
//
// The handlers only set a flag (the one thing a signal handler may safely
// do); the consumer's polling loop reads it between polls.
//
// Thread-safety: every function is safe from any thread.
#pragma once

namespace queue_demo {

// InstallStopSignalHandlers makes SIGINT and SIGTERM set the stop flag
// instead of ending the process. Calling it again has no further effect.
void InstallStopSignalHandlers();

// StopSignalReceived returns true once SIGINT or SIGTERM has arrived.
bool StopSignalReceived();

// ClearStopSignal lowers the flag, so a test can deliver the signal again.
void ClearStopSignal();

}  // namespace queue_demo
