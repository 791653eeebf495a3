// Pipeline: the parent process of queue-demo. It starts the cluster and the
// services, injects the faults one after another, and reconciles.
//
// Members are declared in start order, so they are destroyed in reverse:
// the payment consumers first, the broker last.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "child_process.h"
#include "cluster.h"
#include "event_sink.h"
#include "demo.h"
#include "queue_demo/broker.h"
#include "queue_demo/outbox.h"
#include "queue_demo/producer.h"
#include "services.h"

namespace queue_demo::demo {

class Pipeline {
 public:
  explicit Pipeline(const DemoConfig& config);
  ~Pipeline();

  // Run runs the demo and returns the exit status (see RunPipeline).
  int Run();

 private:
  // Setup (pipeline.cc).
  bool StartCluster();
  bool StartServices();
  bool StartPaymentConsumers();
  bool WaitForGroup();
  bool WaitForFlow();

  // The faults, in the order they happen (faults.cc).
  bool InjectBrokerOutage();
  bool InjectPoisonMessages();
  bool InjectSlowOrder();
  bool KillConsumerMidBatch();

  // The end (report.cc).
  bool Drain();
  void StopEverything();
  void StopPaymentConsumer(ChildProcess& child);
  bool Reconcile();

  // WaitUntil waits up to `timeout` for `done`, printing what the children
  // report meanwhile. Returns whether `done` became true; false also when
  // the demo is interrupted.
  bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  bool Pause(std::chrono::milliseconds duration);
  void PrintChildUpdates();
  void PrintAssignments();
  std::vector<std::string> CoveredPartitions();
  std::vector<std::string> ConsumedPartitions() const;
  std::int64_t SumStat(const std::string& name);
  std::int64_t DeadLetterCount();
  // Fail records the error that ends the demo early, and returns false.
  bool Fail(const std::string& message);

  DemoConfig config_;
  const Timing& timing_;
  std::string orders_topic_, retry_topic_, dead_letter_topic_, payments_topic_;
  std::string payments_group_, notifications_group_;
  std::string orders_db_, payments_db_, notifications_db_;
  std::string bootstrap_;
  std::vector<TopicSpec> topics_;

  std::unique_ptr<EmbeddedBroker> broker_;  // null with --brokers
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<OrderService> order_service_;
  std::unique_ptr<EventSink> notification_sink_;
  std::unique_ptr<PaymentsRelay> payments_relay_;
  std::unique_ptr<NotificationService> notifications_;
  std::vector<std::unique_ptr<ChildProcess>> children_;

  // What the timeline tracks.
  bool show_assignment_changes_ = false;
  std::map<std::string, std::vector<std::string>> shown_assignment_;
  std::set<std::string> slow_orders_done_;
  std::set<std::string> slow_orders_started_;
  std::string unreachable_order_id_;
  int poison_messages_ = 0;
  std::string killed_consumer_;
  std::string error_;  // the failure that ended the demo early
};

// Say prints one timeline line, stamped with the seconds since the start.
// Detail prints an indented explanation under it.
void Say(const std::string& text);
void Detail(const std::string& text);

}  // namespace queue_demo::demo
