#include "pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace queue_demo::demo {
namespace {

constexpr int kOrdersPartitions = 4;
constexpr int kRetryPartitions = 2;
constexpr int kDeadLetterPartitions = 1;
constexpr int kPaymentsPartitions = 4;

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "(nothing)" : text;
}

}  // namespace

void Say(const std::string& text) {
  std::printf("[%5.1f s] %s\n", Elapsed().count(), text.c_str());
  std::fflush(stdout);
}

void Detail(const std::string& text) {
  std::printf("          %s\n", text.c_str());
  std::fflush(stdout);
}

Timing Timing::For(bool quick) {
  Timing timing;
  // NOTE: a Kafka broker rejects a session timeout below its
  // group.min.session.timeout.ms (6000 by default), so --quick suits the
  // embedded broker, or a cluster configured for it.
  if (quick) {
    timing.session_timeout_ms = 3000;
    timing.max_poll_interval_ms = 3000;
    timing.slow_handler_ms = 4000;
    timing.broker_down_ms = 1500;
    timing.steady_ms = 500;
    timing.drain_timeout_ms = 20000;
  }
  return timing;
}

Pipeline::Pipeline(const DemoConfig& config) : config_(config), timing_(config_.timing) {
  const std::string& prefix = config_.topic_prefix;
  orders_topic_ = prefix + "orders";
  retry_topic_ = RetryTopicFor(orders_topic_);
  dead_letter_topic_ = DeadLetterTopicFor(orders_topic_);
  payments_topic_ = prefix + "payments";
  payments_group_ = prefix + "payment-service";
  notifications_group_ = prefix + "notification-service";
  orders_db_ = config_.output_dir + "/orders.db";
  payments_db_ = config_.output_dir + "/payments.db";
  notifications_db_ = config_.output_dir + "/notifications.db";
  topics_ = {{orders_topic_, kOrdersPartitions},
             {retry_topic_, kRetryPartitions},
             {dead_letter_topic_, kDeadLetterPartitions},
             {payments_topic_, kPaymentsPartitions}};
}

Pipeline::~Pipeline() { StopEverything(); }

int Pipeline::Run() {
  const bool started = StartCluster() && StartServices() && StartPaymentConsumers() &&
                       WaitForGroup();
  if (started) {
    order_service_->StartPlacing();
    Say("The order service places " + std::to_string(config_.rate) +
        " orders per second from now on.");
    const bool faults_done = WaitForFlow() && InjectBrokerOutage() && InjectPoisonMessages() &&
                             InjectSlowOrder() && KillConsumerMidBatch();
    order_service_->StopPlacing();
    if (faults_done) Drain();
  }
  if (Interrupted()) {
    std::printf("\nInterrupted: stopping every consumer and the broker.\n");
    StopEverything();
    return 130;
  }
  if (!error_.empty()) {
    std::fprintf(stderr, "\nerror: %s\nLogs: %s\n", error_.c_str(), config_.output_dir.c_str());
    StopEverything();
    return 1;
  }
  StopEverything();
  return Reconcile() ? 0 : 1;
}

bool Pipeline::Fail(const std::string& message) {
  if (error_.empty()) error_ = message;
  return false;
}

bool Pipeline::StartCluster() {
  if (config_.brokers.empty()) {
    BrokerResult broker = EmbeddedBroker::Start(3);
    if (!broker.ok()) return Fail("starting the embedded broker failed: " + broker.error().message);
    broker_ = broker.release();
    bootstrap_ = broker_->bootstraps();
    for (const TopicSpec& topic : topics_) {
      BrokerError error = broker_->CreateTopic(topic.name, topic.partitions);
      if (!error.message.empty()) return Fail(error.message);
    }
    Say("Started an embedded Kafka cluster: 3 brokers of librdkafka's mock cluster on " +
        bootstrap_);
  } else {
    bootstrap_ = config_.brokers;
    const std::string error = CreateTopicsWithAdmin(bootstrap_, topics_);
    if (!error.empty()) return Fail(error);
    Say("Using the Kafka cluster at " + bootstrap_ + " (topics it lacked were created through the admin API).");
  }
  std::vector<std::string> names;
  for (const TopicSpec& topic : topics_) {
    names.push_back(topic.name + " (" + std::to_string(topic.partitions) +
                    (topic.partitions == 1 ? " partition)" : " partitions)"));
  }
  Detail("Topics: " + Join(names) + ".");
  return true;
}

bool Pipeline::StartServices() {
  // 1. The order service's database, with its outbox, and its producer.
  OutboxResult outbox = Outbox::Open(orders_db_, orders_topic_);
  if (!outbox.ok()) return Fail("opening " + orders_db_ + " failed: " + outbox.error);
  outbox_ = std::move(outbox.outbox);
  ProducerOptions producer_options;
  producer_options.bootstrap_servers = bootstrap_;
  producer_options.linger_ms = 2;
  // A delivery that times out is published again by the next relay round,
  // and the sinks skip the copy by its event id.
  producer_options.delivery_timeout_ms = 8000;
  producer_options.properties = {{"socket.timeout.ms", kSocketTimeoutMs}};
  ProducerResult producer = Producer::Create(producer_options);
  if (!producer.ok()) return Fail("creating the producer failed: " + producer.error);
  producer_ = std::move(producer.producer);
  order_service_ = std::make_unique<OrderService>(*outbox_, *producer_, config_.rate);

  // 2. The payments sink exists before any payment consumer, so the relay
  // can read it from the start.
  Result<std::unique_ptr<EventSink>> payments = EventSink::Open(payments_db_);
  if (!payments.ok()) return Fail(payments.error().message);
  std::string error;
  payments_relay_ = PaymentsRelay::Open(payments_db_, *producer_, payments_topic_, error);
  if (!payments_relay_) return Fail(error);

  // 3. The notification consumer, in this process.
  Result<std::unique_ptr<EventSink>> notifications = EventSink::Open(notifications_db_);
  if (!notifications.ok()) return Fail(notifications.error().message);
  notification_sink_ = std::move(notifications.value());
  ConsumerOptions options;
  options.bootstrap_servers = bootstrap_;
  options.group_id = notifications_group_;
  options.topics = {payments_topic_};
  options.client_id = "notification-consumer";
  // No fault targets this group, so it keeps the default session timeout:
  // on a busy machine a short one makes it leave and rejoin.
  options.kafka_config = {{"fetch.wait.max.ms", "50"},
                          {"auto.commit.interval.ms", "1000"},
                          {"socket.timeout.ms", kSocketTimeoutMs}};
  notifications_ = NotificationService::Start(options, *notification_sink_, error);
  if (!notifications_) return Fail("starting the notification consumer failed: " + error);

  Say("Started the order service (SQLite outbox " + orders_db_ + " and its relay), the "
      "payments relay and the notification consumer (group " + notifications_group_ + ").");
  return true;
}

bool Pipeline::StartPaymentConsumers() {
  for (int i = 1; i <= config_.consumers; ++i) {
    const std::string name = "payment-consumer-" + std::to_string(i);
    std::vector<std::string> argv = {config_.program, "--role", "payment-consumer",
                                     "--bootstrap", bootstrap_, "--group", payments_group_,
                                     "--orders-topic", orders_topic_, "--sink", payments_db_,
                                     "--client-id", name, "--log-level", config_.log_level};
    if (config_.quick) argv.push_back("--quick");
    std::string error;
    std::unique_ptr<ChildProcess> child =
        ChildProcess::Start(name, argv, config_.output_dir + "/" + name + ".log", error);
    if (!child) return Fail("starting " + name + " failed: " + error);
    children_.push_back(std::move(child));
  }
  Say("Started " + std::to_string(config_.consumers) + " payment consumers as child "
      "processes, in consumer group " + payments_group_ + ".");
  Detail("Each reads " + orders_topic_ + " and " + retry_topic_ + ", charges the order, and "
         "writes the payment and the record's offset in one SQLite transaction (" +
         payments_db_ + ").");
  return true;
}

bool Pipeline::WaitForGroup() {
  Say("Waiting for the group to assign every partition (the first join takes about 3 s)...");
  const std::vector<std::string> all = ConsumedPartitions();
  const bool formed = WaitUntil(
      [&] {
        std::vector<std::string> covered = CoveredPartitions();
        return std::all_of(all.begin(), all.end(), [&](const std::string& p) {
          return std::find(covered.begin(), covered.end(), p) != covered.end();
        });
      },
      std::chrono::seconds(60));
  if (!formed) {
    if (!Interrupted()) Fail("the payment consumer group did not assign every partition within 60 s");
    return false;
  }
  Say("The group assigned every partition (cooperative-sticky assignment):");
  PrintAssignments();
  show_assignment_changes_ = true;
  return true;
}

bool Pipeline::WaitForFlow() {
  // Faults go into a running pipeline: wait for the first notification,
  // which has passed through every stage.
  const bool flowing = WaitUntil([&] { return notifications_->Stats().applied > 0; },
                                 std::chrono::seconds(30));
  if (!flowing) {
    return Interrupted() ? false : Fail("no order reached the notification consumer within 30 s");
  }
  Say("Orders flow through every stage: " + std::to_string(order_service_->Published()) +
      " published, " + std::to_string(SumStat("applied")) + " paid, " +
      std::to_string(notifications_->Stats().applied) + " notified so far.");
  return Pause(std::chrono::milliseconds(timing_.steady_ms));
}

std::vector<std::string> Pipeline::ConsumedPartitions() const {
  std::vector<std::string> partitions;
  for (int p = 0; p < kOrdersPartitions; ++p) {
    partitions.push_back(orders_topic_ + "[" + std::to_string(p) + "]");
  }
  for (int p = 0; p < kRetryPartitions; ++p) {
    partitions.push_back(retry_topic_ + "[" + std::to_string(p) + "]");
  }
  return partitions;
}

std::vector<std::string> Pipeline::CoveredPartitions() {
  std::vector<std::string> covered;
  for (auto& child : children_) {
    if (!child->Running()) continue;
    ChildReport report = child->Report();
    covered.insert(covered.end(), report.assignment.begin(), report.assignment.end());
  }
  return covered;
}

std::int64_t Pipeline::SumStat(const std::string& name) {
  std::int64_t sum = 0;
  for (auto& child : children_) sum += child->Report().Stat(name);
  return sum;
}

std::int64_t Pipeline::DeadLetterCount() {
  std::string error;
  const std::int64_t count = RecordCount(bootstrap_, topics_[2], error);
  if (count < 0) spdlog::warn("{}", error);
  return count;
}

void Pipeline::PrintAssignments() {
  for (auto& child : children_) {
    if (!child->Running()) continue;
    ChildReport report = child->Report();
    Detail(child->name() + " owns " + Join(report.assignment));
    shown_assignment_[child->name()] = report.assignment;
  }
}

void Pipeline::PrintChildUpdates() {
  for (auto& child : children_) {
    for (const std::string& event : child->TakeEvents()) {
      const std::size_t space = event.find(' ');
      const std::string kind = event.substr(0, space);
      const std::string rest = space == std::string::npos ? "" : event.substr(space + 1);
      if (kind == "failed") {
        Detail(child->name() + ": processing " + rest.substr(0, rest.find(' ')) +
               " failed: " + rest.substr(rest.find(' ') + 1));
      } else if (kind == "slow-start") {
        const std::string order_id = rest.substr(0, rest.find(' '));
        slow_orders_started_.insert(order_id);
        Detail(child->name() + ": order " + order_id + " is being processed; its payment "
               "call takes " + rest.substr(rest.find(' ') + 1) + " ms");
      } else if (kind == "slow-done") {
        slow_orders_done_.insert(rest);
        Detail(child->name() + ": the slow order " + rest + " is done");
      }
    }
    if (!show_assignment_changes_ || !child->Running()) continue;
    ChildReport report = child->Report();
    if (report.assignment_known && report.assignment != shown_assignment_[child->name()]) {
      Detail(child->name() + " now owns " + Join(report.assignment));
      shown_assignment_[child->name()] = report.assignment;
    }
  }
}

bool Pipeline::WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Interrupted()) {
    PrintChildUpdates();
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool Pipeline::Pause(std::chrono::milliseconds duration) {
  WaitUntil([] { return false; }, duration);
  return !Interrupted();
}

int RunPipeline(const DemoConfig& config) {
  Pipeline pipeline(config);
  return pipeline.Run();
}

}  // namespace queue_demo::demo
