// The payment consumer: one member of the payment consumer group, run by the
// pipeline as a child process (queue-demo --role payment-consumer), so the
// demo can kill it with SIGKILL as a crash would.
//
// It reads the orders topic and its retry topic, charges each order (a
// simulated payment call of timing.handler_ms), and the idempotent sink
// (event_sink.h) writes the payment and the record's offset in one SQLite
// transaction.
// A failed order goes through the FailureRouter: 3 attempts in place, one
// round through <orders>.retry, then <orders>.dlt.
//
// It reports to the parent on stdout, one fact per line:
//   ready                                   the consumer is created
//   assignment orders[0],orders.retry[1]    each time the assignment changes
//   stats applied=12 duplicates=0 ... busy=1   every 100 ms, and at exit
//   event slow-start o-000017 7000          the slow order's call started
//   event slow-done o-000017
//   event failed orders[2]@41 REASON        a handler call failed

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "demo.h"
#include "event_sink.h"
#include "events.h"
#include "labkit/log.h"
#include "queue_demo/consumer.h"
#include "queue_demo/failure_router.h"
#include "queue_demo/producer.h"
#include "queue_demo/stop_signal.h"

namespace queue_demo::demo {
namespace {

// ReportLine writes one line to the parent. It is safe from any thread.
void ReportLine(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string Where(const Message& message) {
  return message.topic + "[" + std::to_string(message.partition) + "]@" +
         std::to_string(message.offset);
}

std::string AssignmentText(const std::vector<TopicPartition>& partitions) {
  std::string text;
  for (const TopicPartition& tp : partitions) {
    if (!text.empty()) text += ",";
    text += tp.topic + "[" + std::to_string(tp.partition) + "]";
  }
  return text;
}

std::string StatsText(const ConsumerStats& s, int busy) {
  return "stats applied=" + std::to_string(s.applied) +
         " duplicates=" + std::to_string(s.duplicates) +
         " failures=" + std::to_string(s.handler_failures) +
         " forwarded=" + std::to_string(s.forwarded) +
         " stale_stores=" + std::to_string(s.stale_stores) +
         " assignments=" + std::to_string(s.assignments) +
         " revocations=" + std::to_string(s.revocations) +
         " lost=" + std::to_string(s.lost_assignments) +
         " pauses=" + std::to_string(s.pauses) +
         " resumes=" + std::to_string(s.resumes) +
         " max_poll_exceeded=" + std::to_string(s.max_poll_exceeded) +
         " busy=" + std::to_string(busy);
}

// ChargeOrder is the payment handler: it turns an order-placed event into
// its payment. It never writes the payment itself, because the sink does.
HandlerResult ChargeOrder(const Message& message, const Timing& timing) {
  std::optional<OrderPlaced> order = ParseOrderPlaced(message.value);
  if (!order) {
    const std::string reason =
        "payload is not an order-placed event (it needs order_id, "
        "customer_id and a positive amount_cents)";
    ReportLine("event failed " + Where(message) + " " + reason);
    return HandlerFailure{FailureKind::kPermanent, reason};
  }

  if (order->customer_id == kUnreachableCustomer) {
    const std::string reason = "payment provider timed out for order " + order->order_id;
    ReportLine("event failed " + Where(message) + " " + reason);
    return HandlerFailure{FailureKind::kTransient, reason};
  }

  if (order->customer_id == kSlowCustomer) {
    ReportLine("event slow-start " + order->order_id + " " +
               std::to_string(timing.slow_handler_ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(timing.slow_handler_ms));
    ReportLine("event slow-done " + order->order_id);
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(timing.handler_ms));
  }
  return Effect{order->order_id, PaymentJson(*order)};
}

ConsumerOptions PaymentConsumerOptions(const PaymentRoleConfig& config) {
  ConsumerOptions options;
  options.bootstrap_servers = config.bootstrap_servers;
  options.group_id = config.group_id;
  options.topics = {config.orders_topic, RetryTopicFor(config.orders_topic)};
  options.client_id = config.client_id;
  options.workers = 4;
  // A small window, so the slow order's partition fills it and is paused.
  options.window_per_partition = 32;
  options.resume_at = 8;
  options.revoke_drain_timeout = std::chrono::milliseconds(3000);
  options.shutdown_drain_timeout = std::chrono::milliseconds(config.timing.slow_handler_ms + 2000);
  options.stop_on_signals = true;
  const Timing& t = config.timing;
  options.kafka_config = {
      {"fetch.wait.max.ms", "50"},
      {"session.timeout.ms", std::to_string(t.session_timeout_ms)},
      {"heartbeat.interval.ms", std::to_string(t.session_timeout_ms / 10)},
      {"max.poll.interval.ms", std::to_string(t.max_poll_interval_ms)},
      {"auto.commit.interval.ms", "1000"},
      {"topic.metadata.refresh.interval.ms", "1000"},
      {"reconnect.backoff.max.ms", "500"},
      {"socket.timeout.ms", kSocketTimeoutMs},
  };
  return options;
}

}  // namespace

int RunPaymentConsumer(const PaymentRoleConfig& config) {
  labkit::InitLogging(config.client_id, config.log_level);
  InstallStopSignalHandlers();

  // 1. The sink, and the producer the failure router publishes with.
  Result<std::unique_ptr<EventSink>> sink = EventSink::Open(config.sink_path);
  if (!sink.ok()) {
    spdlog::error("{}", sink.error().message);
    return 1;
  }
  ProducerOptions producer_options;
  producer_options.bootstrap_servers = config.bootstrap_servers;
  producer_options.delivery_timeout_ms = 8000;
  producer_options.linger_ms = 1;
  producer_options.properties = {{"socket.timeout.ms", kSocketTimeoutMs}};
  ProducerResult producer = Producer::Create(producer_options);
  if (!producer.ok()) {
    spdlog::error("creating the producer failed: {}", producer.error);
    return 1;
  }
  RetryPolicy policy;
  policy.attempts_in_place = 3;
  policy.retry_topic_rounds = 1;
  policy.initial_backoff_ms = 100;
  policy.max_backoff_ms = 1000;
  FailureRouter router(*producer.producer, policy);

  // 2. The consumer, polling on its own thread.
  std::atomic<int> busy{0};
  const Timing timing = config.timing;
  MessageHandler handler = [&busy, timing](const Message& message) {
    ++busy;
    HandlerResult result = ChargeOrder(message, timing);
    --busy;
    return result;
  };
  Result<std::unique_ptr<Consumer>> created =
      Consumer::Create(PaymentConsumerOptions(config), handler, *sink.value(), &router);
  if (!created.ok()) {
    spdlog::error("creating the consumer failed: {}", created.error().message);
    return 1;
  }
  Consumer& consumer = *created.value();
  std::atomic<bool> stopped{false};
  Status run_status;
  std::thread runner([&] {
    run_status = consumer.Run();
    stopped = true;
  });
  ReportLine("ready");

  // 3. Report the assignment and the counters until Run returns.
  std::string last_assignment = "(none reported)";
  while (!stopped) {
    if (!StopSignalReceived()) {
      const std::string assignment = AssignmentText(consumer.Assignment());
      if (assignment != last_assignment) {
        ReportLine("assignment " + assignment);
        last_assignment = assignment;
      }
    }
    ReportLine(StatsText(consumer.Stats(), busy));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  runner.join();
  ReportLine(StatsText(consumer.Stats(), busy));
  if (!run_status.ok()) {
    spdlog::error("consumer stopped with an error: {}", run_status.error().message);
    return 1;
  }
  return 0;
}

}  // namespace queue_demo::demo
