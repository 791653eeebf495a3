// queue-demo's parts: the configuration shared by the pipeline (the parent
// process) and the payment consumers it starts as child processes.
#pragma once

#include <chrono>
#include <string>

namespace queue_demo::demo {

// kSocketTimeoutMs is every client's socket.timeout.ms. In test runs the
// embedded broker (librdkafka 2.0.2's mock cluster) sometimes left a request
// unanswered after coming back up. A short timeout resets that connection
// in seconds, where librdkafka's default waits 60 s.
inline constexpr const char* kSocketTimeoutMs = "5000";

// Customers with special handling in the payment handler, so the demo can
// inject a poison message and a slow one through the normal order flow.
inline constexpr const char* kUnreachableCustomer = "c-unreachable";
inline constexpr const char* kSlowCustomer = "c-slow";

// Timing: the durations of one run, in milliseconds. --quick shortens them,
// and librdkafka requires max_poll_interval_ms >= session_timeout_ms.
struct Timing {
  int session_timeout_ms = 6000;
  int max_poll_interval_ms = 6000;
  int slow_handler_ms = 7000;     // the slow order's processing time
  int broker_down_ms = 5000;
  int steady_ms = 3000;           // normal traffic between two faults
  int handler_ms = 10;            // every order's simulated payment call
  int drain_timeout_ms = 30000;   // the wait for the pipeline to catch up

  static Timing For(bool quick);
};

// DemoConfig is the parent's configuration, from the command line.
struct DemoConfig {
  bool quick = false;
  std::string brokers;       // "HOST:PORT,...", or empty for the embedded broker
  std::string topic_prefix;  // prepended to every topic and group name
  int consumers = 3;         // payment consumers (child processes)
  int rate = 50;             // orders placed per second
  std::string output_dir;    // databases and logs of this run
  std::string log_level = "info";  // of the log files
  std::string program;       // this executable, started again for children
  Timing timing;
};

// PaymentRoleConfig is a payment consumer child's configuration, passed on
// its command line by the parent.
struct PaymentRoleConfig {
  std::string bootstrap_servers;
  std::string group_id;
  std::string orders_topic;  // the consumer also reads <orders_topic>.retry
  std::string sink_path;     // the SQLite database shared by every child
  std::string client_id;
  std::string log_level = "info";
  Timing timing;
};

// RunPipeline runs the whole demo and prints its reconciliation report.
// Returns the exit status: 0 PASS, 1 FAIL or error, 130 interrupted.
int RunPipeline(const DemoConfig& config);

// RunPaymentConsumer runs one payment consumer until SIGTERM or SIGINT.
// It reports to the parent on stdout, one line per fact (see payment_role.cc).
int RunPaymentConsumer(const PaymentRoleConfig& config);

// Interrupted is true once the parent received SIGINT or SIGTERM.
bool Interrupted();

// Elapsed returns the time since the demo started, for the timeline.
std::chrono::duration<double> Elapsed();

}  // namespace queue_demo::demo
