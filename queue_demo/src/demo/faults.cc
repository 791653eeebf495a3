// The four faults the demo injects, each announced as it happens.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "pipeline.h"

namespace queue_demo::demo {
namespace {

constexpr int kOutageBroker = 2;

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

std::string Seconds(int milliseconds) { return Seconds(milliseconds / 1000.0); }

}  // namespace

bool Pipeline::InjectBrokerOutage() {
  if (!broker_) {
    Say("Fault 1 skipped: a broker going down needs the embedded broker's fault "
        "injection. On a real cluster, stop one broker by hand while the demo runs.");
    return true;
  }
  Say("Fault 1: broker " + std::to_string(kOutageBroker) + " goes down for " +
      Seconds(timing_.broker_down_ms) + ".");
  Detail("Its partitions take no writes and serve no reads meanwhile. The idempotent "
         "producer retries without writing duplicates; the consumers reconnect.");
  if (BrokerError error = broker_->SetBrokerDown(kOutageBroker); !error.message.empty()) {
    return Fail(error.message);
  }
  const bool waited = Pause(std::chrono::milliseconds(timing_.broker_down_ms));
  const std::int64_t waiting = outbox_->PendingCount();
  if (BrokerError error = broker_->SetBrokerUp(kOutageBroker); !error.message.empty()) {
    return Fail(error.message);
  }
  if (!waited) return false;

  const auto up_at = std::chrono::steady_clock::now();
  Say("Broker " + std::to_string(kOutageBroker) + " is back. " + std::to_string(waiting) +
      " orders were waiting in the outbox: their events could not be published meanwhile.");
  const bool caught_up = WaitUntil([&] { return outbox_->PendingCount() == 0; },
                                   std::chrono::seconds(30));
  if (!caught_up) return Interrupted() ? false : Fail("the outbox was not empty 30 s after the outage");
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - up_at;
  Detail("The outbox was empty again " + Seconds(took.count()) +
         " later: every order placed during the outage is published.");
  return Pause(std::chrono::milliseconds(timing_.steady_ms));
}

bool Pipeline::InjectPoisonMessages() {
  Say("Fault 2: two poison messages arrive.");
  unreachable_order_id_ = order_service_->PlaceOrderFor(kUnreachableCustomer);
  if (unreachable_order_id_.empty()) return Fail("placing the poison order failed: " + order_service_->LastError());
  Detail("Order " + unreachable_order_id_ + " of customer " + kUnreachableCustomer +
         ": the payment provider always times out (a transient failure). The "
         "router retries it 3 times in place, sends it to " + retry_topic_ +
         " for one more round of 3, then to " + dead_letter_topic_ + ".");

  OutgoingMessage malformed;
  malformed.topic = orders_topic_;
  malformed.key = "c-bad";
  malformed.value = "{\"order_id\": 42, truncated";
  const DeliveryReport report = producer_->Send(malformed);
  if (!report.ok()) return Fail("producing the malformed record failed: " + report.error);
  poison_messages_ = 2;
  Detail("A malformed record written straight to " + orders_topic_ + "[" +
         std::to_string(report.partition) + "]@" + std::to_string(report.offset) +
         ": it can never be processed (a permanent failure), so it goes to " +
         dead_letter_topic_ + " at once.");

  const auto start = std::chrono::steady_clock::now();
  const std::int64_t applied_before = SumStat("applied");
  const bool parked = WaitUntil([&] { return DeadLetterCount() >= poison_messages_; },
                                std::chrono::seconds(30));
  if (!parked) {
    return Interrupted() ? false : Fail("the poison messages did not reach " + dead_letter_topic_ + " within 30 s");
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  Say("Both poison messages are in " + dead_letter_topic_ + " after " + Seconds(took.count()) +
      ", with the reason in their headers; " + std::to_string(SumStat("applied") - applied_before) +
      " other orders were paid meanwhile, so no partition stalled.");
  return Pause(std::chrono::milliseconds(timing_.steady_ms));
}

bool Pipeline::InjectSlowOrder() {
  Say("Fault 3: one order takes " + Seconds(timing_.slow_handler_ms) +
      " to process, longer than max.poll.interval.ms (" + Seconds(timing_.max_poll_interval_ms) + ").");
  Detail("A consumer that stopped polling that long would leave the group and cause a "
         "rebalance. This one keeps polling: the order's partition fills its in-flight "
         "window (32 records) and is paused until the workers drain it.");
  const std::int64_t rebalances_before = SumStat("assignments") + SumStat("revocations");
  const std::int64_t exceeded_before = SumStat("max_poll_exceeded");
  const std::int64_t pauses_before = SumStat("pauses");

  const std::string order_id = order_service_->PlaceOrderFor(kSlowCustomer);
  if (order_id.empty()) return Fail("placing the slow order failed: " + order_service_->LastError());
  const bool done = WaitUntil([&] { return slow_orders_done_.count(order_id) > 0; },
                              std::chrono::milliseconds(timing_.slow_handler_ms + 20000));
  if (!done) {
    return Interrupted() ? false : Fail("the slow order " + order_id + " was not processed in time");
  }
  if (!Pause(std::chrono::seconds(1))) return false;

  const std::int64_t rebalances = SumStat("assignments") + SumStat("revocations") - rebalances_before;
  const std::int64_t exceeded = SumStat("max_poll_exceeded") - exceeded_before;
  Say("While the slow order ran: " + std::to_string(rebalances) + " rebalances, max.poll.interval.ms "
      "exceeded " + std::to_string(exceeded) + " times; partitions paused by backpressure: " +
      std::to_string(SumStat("pauses") - pauses_before) + ".");
  if (rebalances != 0 || exceeded != 0) {
    Detail("NOTE: expected 0 rebalances and 0 max.poll.interval.ms exceeded: see the "
           "payment-consumer-*.log files in " + config_.output_dir + ".");
  }
  return Pause(std::chrono::milliseconds(timing_.steady_ms));
}

bool Pipeline::KillConsumerMidBatch() {
  // 1. Pick the consumer with the most partitions and give it a batch.
  ChildProcess* victim = nullptr;
  std::size_t max_owned = 0;
  for (auto& child : children_) {
    const std::size_t owned = child->Report().assignment.size();
    if (child->Running() && (victim == nullptr || owned > max_owned)) {
      victim = child.get();
      max_owned = owned;
    }
  }
  if (victim == nullptr) return Fail("no payment consumer is running");
  const int burst = 4 * config_.rate;
  Say("Fault 4: " + victim->name() + " is killed with SIGKILL in the middle of a batch.");
  Detail("The order service places a burst of " + std::to_string(burst) +
         " orders; the kill comes while " + victim->name() + " is processing some of them.");
  order_service_->PlaceOrders(burst);
  WaitUntil([&] { return victim->Report().Stat("busy") > 0; }, std::chrono::seconds(3));
  if (Interrupted()) return false;

  // 2. Kill it. Its applied payments are durable, but what it had in flight is not.
  const ChildReport last = victim->Report();
  victim->Signal(SIGKILL);
  victim->WaitForExit(std::chrono::seconds(5));
  killed_consumer_ = victim->name();
  const auto killed_at = std::chrono::steady_clock::now();
  Detail(victim->name() + " (pid " + std::to_string(victim->pid()) + ") is dead. Its last "
         "report: " + std::to_string(last.Stat("applied")) + " payments applied, " +
         std::to_string(last.Stat("busy")) + " orders in its handler.");
  Detail("Offsets it stored but did not commit die with it. The next owner of its "
         "partitions resumes from the later of the committed offset and the sink's recorded "
         "one, so no payment is lost or applied twice, and an order it had in flight is "
         "processed again.");
  Detail("The group notices after session.timeout.ms (" + Seconds(timing_.session_timeout_ms) +
         ") without heartbeats, and reassigns its partitions.");

  // 3. Wait for the survivors to own every partition again.
  const std::vector<std::string> all = ConsumedPartitions();
  const bool reassigned = WaitUntil(
      [&] {
        std::vector<std::string> covered = CoveredPartitions();
        return std::all_of(all.begin(), all.end(), [&](const std::string& p) {
          return std::find(covered.begin(), covered.end(), p) != covered.end();
        });
      },
      std::chrono::milliseconds(timing_.session_timeout_ms + 30000));
  if (!reassigned) {
    return Interrupted() ? false : Fail("the group did not reassign the killed consumer's partitions");
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - killed_at;
  Say("The group rebalanced " + Seconds(took.count()) + " after the kill:");
  PrintAssignments();
  return Pause(std::chrono::milliseconds(timing_.steady_ms));
}

}  // namespace queue_demo::demo
