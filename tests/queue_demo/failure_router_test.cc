// FailureRouter and the poison-message case.
//
// The unit tests check the forwarded copy (topic, key, value, headers)
// against an in-memory publisher. The broker tests run one partition that
// contains a poison message followed by 10 good ones through a consumer-group
// loop that calls the router on each handler failure, against the embedded
// broker: the poison message must end in the dead letter topic with its
// reason, its offset must be committed, and the 10 good messages must be
// processed in order.
//
// The same case runs twice: through a minimal loop written here (commit
// after each message), and through the reference Consumer with its SQLite
// sink, which follows the same contract with the router.

#include "queue_demo/failure_router.h"

#include <librdkafka/rdkafka.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kafka_test_util.h"
#include "queue_demo/broker.h"
#include "queue_demo/consumer.h"
#include "queue_demo/producer.h"
#include "queue_demo/sink.h"

namespace queue_demo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// MemoryPublisher records what it is given and reports `error` for each.
class MemoryPublisher final : public Publisher {
 public:
  std::vector<DeliveryReport> PublishAll(
      std::span<const OutgoingMessage> messages) override {
    std::vector<DeliveryReport> reports;
    for (const OutgoingMessage& message : messages) {
      published.push_back(message);
      reports.push_back(error.empty() ? DeliveryReport{"", 0, next_offset++}
                                      : DeliveryReport{error});
    }
    return reports;
  }
  std::vector<OutgoingMessage> published;
  std::string error;
  std::int64_t next_offset = 0;
};

Message PoisonAt(std::int64_t offset) {
  Message message;
  message.topic = "orders";
  message.partition = 2;
  message.offset = offset;
  message.key = "customer-7";
  message.value = "{\"amount_cents\": \"abc\"}";
  message.headers = {{"trace-id", "t-1"}};
  return message;
}

std::string HeaderOf(const OutgoingMessage& message, std::string_view name) {
  return FindHeader(message.headers, name).value_or("<missing>");
}

TEST(FailureRouterTest, RetriesInPlaceWithoutPublishing) {
  MemoryPublisher publisher;
  FailureRouter router(publisher, RetryPolicy{});
  const RouteOutcome outcome = router.OnHandlerFailure(
      PoisonAt(41), {FailureKind::kTransient, "database busy"}, 1);
  EXPECT_EQ(outcome.action, RetryAction::kRetryInPlace)
      << "the first transient failure is retried in place";
  EXPECT_EQ(outcome.backoff_ms, 100) << "after the default initial backoff";
  EXPECT_FALSE(outcome.forwarded()) << "a retry in place forwards nothing";
  EXPECT_TRUE(publisher.published.empty()) << "nothing is published";
}

TEST(FailureRouterTest, DeadLetterCopyCarriesReasonAndOrigin) {
  MemoryPublisher publisher;
  FailureRouter router(publisher, RetryPolicy{});
  const RouteOutcome outcome = router.OnHandlerFailure(
      PoisonAt(41), {FailureKind::kPermanent, "amount_cents is not a number"}, 1);
  ASSERT_EQ(publisher.published.size(), 1u) << "exactly one copy is published";
  const OutgoingMessage& copy = publisher.published.front();
  EXPECT_EQ(outcome.action, RetryAction::kSendToDeadLetter);
  EXPECT_TRUE(outcome.forwarded()) << "the copy's delivery succeeded";
  EXPECT_EQ(outcome.topic, "orders.dlt");
  EXPECT_EQ(copy.topic, "orders.dlt");
  EXPECT_EQ(copy.key, "customer-7") << "the key is kept, for per-key order";
  EXPECT_EQ(copy.value, "{\"amount_cents\": \"abc\"}") << "the value is kept";
  EXPECT_EQ(HeaderOf(copy, "trace-id"), "t-1") << "producer headers are kept";
  EXPECT_EQ(HeaderOf(copy, kReasonHeader), "amount_cents is not a number");
  EXPECT_EQ(HeaderOf(copy, kFailureKindHeader), "permanent");
  EXPECT_EQ(HeaderOf(copy, kAttemptsHeader), "1");
  EXPECT_EQ(HeaderOf(copy, kRetryRoundsHeader), "0");
  EXPECT_EQ(HeaderOf(copy, kOriginalTopicHeader), "orders");
  EXPECT_EQ(HeaderOf(copy, kOriginalPartitionHeader), "2");
  EXPECT_EQ(HeaderOf(copy, kOriginalOffsetHeader), "41");
}

TEST(FailureRouterTest, SecondRoundKeepsOriginAndAddsAttempts) {
  MemoryPublisher publisher;
  FailureRouter router(publisher, RetryPolicy{});

  // Round 1: three failures on orders, then the retry topic.
  RouteOutcome first = router.OnHandlerFailure(
      PoisonAt(41), {FailureKind::kTransient, "timeout"}, 3);
  ASSERT_EQ(first.action, RetryAction::kSendToRetryTopic);
  ASSERT_EQ(publisher.published.size(), 1u);
  const OutgoingMessage& retry_copy = publisher.published[0];
  EXPECT_EQ(retry_copy.topic, "orders.retry");
  EXPECT_EQ(HeaderOf(retry_copy, kRetryRoundsHeader), "1")
      << "the copy in the retry topic has made 1 trip";

  // Round 2: the copy as read from orders.retry fails 3 more times.
  Message from_retry;
  from_retry.topic = "orders.retry";
  from_retry.partition = 0;
  from_retry.offset = 5;
  from_retry.key = retry_copy.key;
  from_retry.value = retry_copy.value;
  from_retry.headers = retry_copy.headers;
  RouteOutcome second = router.OnHandlerFailure(
      from_retry, {FailureKind::kTransient, "timeout again"}, 3);
  ASSERT_EQ(second.action, RetryAction::kSendToDeadLetter)
      << "the only retry round is used: the dead letter topic is next";
  ASSERT_EQ(publisher.published.size(), 2u);
  const OutgoingMessage& dead = publisher.published[1];
  EXPECT_EQ(dead.topic, "orders.dlt")
      << "the dead letter topic is named after the original topic, not "
         "orders.retry.dlt";
  EXPECT_EQ(HeaderOf(dead, kAttemptsHeader), "6") << "3 + 3 handler calls";
  EXPECT_EQ(HeaderOf(dead, kReasonHeader), "timeout again") << "the last reason";
  EXPECT_EQ(HeaderOf(dead, kOriginalPartitionHeader), "2")
      << "the origin stays the first partition read, not the retry topic's";
  EXPECT_EQ(HeaderOf(dead, kOriginalOffsetHeader), "41");
  EXPECT_EQ(dead.headers.size(), 8u)
      << "one trace-id header and 7 routing headers, none repeated";
}

TEST(FailureRouterTest, FailedPublishIsNotForwarded) {
  MemoryPublisher publisher;
  publisher.error = "Local: Message timed out";
  FailureRouter router(publisher, RetryPolicy{});
  const RouteOutcome outcome = router.OnHandlerFailure(
      PoisonAt(41), {FailureKind::kPermanent, "bad"}, 1);
  EXPECT_FALSE(outcome.forwarded())
      << "the copy was not delivered: the consumer must not store the offset";
  EXPECT_EQ(outcome.report.error, "Local: Message timed out");
}

TEST(FailureRouterTest, ValidateRetryPolicyNamesTheField) {
  RetryPolicy policy;
  EXPECT_EQ(ValidateRetryPolicy(policy), "");
  policy.attempts_in_place = 0;
  EXPECT_EQ(ValidateRetryPolicy(policy),
            "retry policy: attempts_in_place must be at least 1, got 0");
  policy = RetryPolicy{};
  policy.max_backoff_ms = 50;
  EXPECT_EQ(ValidateRetryPolicy(policy),
            "retry policy: max_backoff_ms (50) must be at least "
            "initial_backoff_ms (100)");
}

// ---------------------------------------------------------------------------
// Against the embedded broker.

// Handler returns nullopt on success, else why the message failed.
using Handler = std::function<std::optional<HandlerFailure>(const Message&)>;

struct LoopResult {
  std::vector<Message> processed;  // handled successfully, in order
  int handler_calls = 0;
  std::int64_t committed = -1;     // committed offset of partition 0 at the end
  std::vector<std::string> errors;
};

rd_kafka_t* NewGroupConsumer(const std::string& bootstrap, const std::string& group) {
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", bootstrap},  {"group.id", group},
      {"enable.auto.commit", "false"},   {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "20"},       {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "500"},
  };
  for (const auto& [name, value] : properties) {
    rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason);
  }
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  if (consumer != nullptr) rd_kafka_poll_set_consumer(consumer);
  return consumer;
}

Message CopyRecord(const rd_kafka_message_t* record) {
  Message message;
  message.topic = rd_kafka_topic_name(record->rkt);
  message.partition = record->partition;
  message.offset = record->offset;
  if (record->key) message.key.assign(static_cast<const char*>(record->key), record->key_len);
  if (record->payload) message.value.assign(static_cast<const char*>(record->payload), record->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(record, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
  }
  return message;
}

// RunRoutingConsumer consumes `topic` (one partition) in group `group`
// until `until` messages were handled or forwarded, or 30 s passed. Each
// message: call the handler; on failure ask the router, wait its backoff
// and call again, or after a forward commit and move on.
LoopResult RunRoutingConsumer(const std::string& bootstrap, const std::string& group,
                              const std::string& topic, const Handler& handler,
                              FailureRouter& router, int until) {
  LoopResult result;
  rd_kafka_t* consumer = NewGroupConsumer(bootstrap, group);
  if (consumer == nullptr) {
    result.errors.push_back("cannot create the consumer");
    return result;
  }
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);

  int done = 0;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (done < until && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* record = rd_kafka_consumer_poll(consumer, 50);
    if (record == nullptr) continue;
    if (record->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_message_destroy(record);
      continue;
    }
    const Message message = CopyRecord(record);

    // Handle, retrying in place as the router decides.
    bool handled = false;
    for (int attempt = 1;; ++attempt) {
      ++result.handler_calls;
      std::optional<HandlerFailure> failure = handler(message);
      if (!failure) {
        result.processed.push_back(message);
        handled = true;
        break;
      }
      const RouteOutcome outcome = router.OnHandlerFailure(message, *failure, attempt);
      if (outcome.action == RetryAction::kRetryInPlace) {
        std::this_thread::sleep_for(milliseconds(outcome.backoff_ms));
        continue;
      }
      handled = outcome.forwarded();
      if (!handled) result.errors.push_back("forwarding failed: " + outcome.report.error);
      break;
    }

    // Commit the next offset to read, only once the message is dealt with.
    if (handled) {
      rd_kafka_commit_message(consumer, record, /*async=*/0);
      ++done;
    }
    rd_kafka_message_destroy(record);
  }

  rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(committed, topic.c_str(), 0);
  if (rd_kafka_committed(consumer, committed, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    result.committed = committed->elems[0].offset;
  }
  rd_kafka_topic_partition_list_destroy(committed);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return result;
}

class PoisonMessageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BrokerResult started = EmbeddedBroker::Start(3);
    ASSERT_TRUE(started.ok()) << started.error().message;
    broker_ = started.release();
    for (const char* topic : {"orders", "orders.retry", "orders.dlt"}) {
      ASSERT_EQ(broker_->CreateTopic(topic, 1).message, "");
    }
    ProducerOptions options;
    options.bootstrap_servers = broker_->bootstraps();
    options.delivery_timeout_ms = 10000;
    ProducerResult created = Producer::Create(options);
    ASSERT_TRUE(created.ok()) << created.error;
    producer_ = std::move(created.producer);

    // Offset 0: the poison message. Offsets 1-10: good-0 .. good-9.
    std::vector<OutgoingMessage> messages = {{"orders", "customer-1", "poison", {}}};
    for (int i = 0; i < 10; ++i) {
      messages.push_back({"orders", "customer-1", "good-" + std::to_string(i), {}});
    }
    for (const DeliveryReport& report : producer_->PublishAll(messages)) {
      ASSERT_TRUE(report.ok()) << "producing the test messages: " << report.error;
    }
  }

  // Handler fails every "poison" message with `kind`.
  static Handler PoisonHandler(FailureKind kind) {
    return [kind](const Message& message) -> std::optional<HandlerFailure> {
      if (message.value == "poison") {
        return HandlerFailure{kind, "amount_cents is missing"};
      }
      return std::nullopt;
    };
  }

  testing::Watchdog watchdog_{seconds(60), "PoisonMessageTest"};
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(PoisonMessageTest, GoesToDeadLetterAndPartitionMovesOn) {
  RetryPolicy policy;
  policy.attempts_in_place = 3;
  policy.retry_topic_rounds = 0;
  policy.initial_backoff_ms = 10;
  FailureRouter router(*producer_, policy);

  const LoopResult result =
      RunRoutingConsumer(broker_->bootstraps(), "case-poison", "orders",
                         PoisonHandler(FailureKind::kTransient), router, 11);

  EXPECT_TRUE(result.errors.empty()) << result.errors.front();
  ASSERT_EQ(result.processed.size(), 10u)
      << "the 10 good messages behind the poison message must all be processed";
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(result.processed[i].value, "good-" + std::to_string(i))
        << "the good messages must be processed in offset order";
  }
  EXPECT_EQ(result.handler_calls, 13)
      << "3 bounded attempts for the poison message, 1 for each good one";
  EXPECT_EQ(result.committed, 11)
      << "the poison message's offset is committed too: the committed offset "
         "is the next to read, 11, after offsets 0 to 10";

  const std::vector<Message> dead = testing::ReadTopic(
      broker_->bootstraps(), "orders.dlt", 1, 1, seconds(10));
  ASSERT_EQ(dead.size(), 1u) << "the poison message must be in orders.dlt";
  EXPECT_EQ(dead[0].value, "poison");
  EXPECT_EQ(dead[0].key, "customer-1");
  EXPECT_EQ(FindHeader(dead[0].headers, kReasonHeader).value_or(""),
            "amount_cents is missing")
      << "the dead letter copy must say why it failed";
  EXPECT_EQ(FindHeader(dead[0].headers, kAttemptsHeader).value_or(""), "3");
  EXPECT_EQ(FindHeader(dead[0].headers, kOriginalTopicHeader).value_or(""), "orders");
  EXPECT_EQ(FindHeader(dead[0].headers, kOriginalOffsetHeader).value_or(""), "0");
  EXPECT_TRUE(testing::ReadTopic(broker_->bootstraps(), "orders.retry", 1, 1,
                                 milliseconds(500))
                  .empty())
      << "with retry_topic_rounds 0 nothing goes to the retry topic";
}

TEST_F(PoisonMessageTest, TravelsThroughRetryTopicThenDeadLetter) {
  RetryPolicy policy;
  policy.attempts_in_place = 2;
  policy.retry_topic_rounds = 1;
  policy.initial_backoff_ms = 10;
  FailureRouter router(*producer_, policy);

  // Round 1, on orders: 2 attempts, then orders.retry.
  const LoopResult first =
      RunRoutingConsumer(broker_->bootstraps(), "case-poison-main", "orders",
                         PoisonHandler(FailureKind::kTransient), router, 11);
  EXPECT_EQ(first.processed.size(), 10u) << "the good messages are processed";
  EXPECT_EQ(first.committed, 11) << "orders is committed past the poison message";

  // Round 2, on orders.retry: 2 more attempts, then orders.dlt.
  const LoopResult second =
      RunRoutingConsumer(broker_->bootstraps(), "case-poison-retry", "orders.retry",
                         PoisonHandler(FailureKind::kTransient), router, 1);
  EXPECT_EQ(second.handler_calls, 2) << "2 attempts in place on the retry topic";
  EXPECT_EQ(second.committed, 1) << "orders.retry is committed past its record";

  const std::vector<Message> dead = testing::ReadTopic(
      broker_->bootstraps(), "orders.dlt", 1, 1, seconds(10));
  ASSERT_EQ(dead.size(), 1u) << "after its retry round the message is dead-lettered";
  EXPECT_EQ(FindHeader(dead[0].headers, kAttemptsHeader).value_or(""), "4")
      << "2 attempts on orders + 2 on orders.retry";
  EXPECT_EQ(FindHeader(dead[0].headers, kRetryRoundsHeader).value_or(""), "1");
  EXPECT_EQ(FindHeader(dead[0].headers, kOriginalTopicHeader).value_or(""), "orders");
}

TEST_F(PoisonMessageTest, PermanentFailureSkipsRetries) {
  FailureRouter router(*producer_, RetryPolicy{});
  const LoopResult result =
      RunRoutingConsumer(broker_->bootstraps(), "case-poison-permanent", "orders",
                         PoisonHandler(FailureKind::kPermanent), router, 11);
  EXPECT_EQ(result.handler_calls, 11)
      << "a permanent failure is not retried: 1 call for each of 11 messages";
  EXPECT_EQ(result.committed, 11);
  const std::vector<Message> dead = testing::ReadTopic(
      broker_->bootstraps(), "orders.dlt", 1, 1, seconds(10));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(FindHeader(dead[0].headers, kFailureKindHeader).value_or(""), "permanent");
}

// CommittedOffset returns the group's committed offset of topic[0], or -1.
std::int64_t CommittedOffset(const std::string& bootstrap, const std::string& group,
                             const std::string& topic) {
  rd_kafka_t* reader = NewGroupConsumer(bootstrap, group);
  if (reader == nullptr) return -1;
  std::int64_t offset = -1;
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(partitions, topic.c_str(), 0);
  if (rd_kafka_committed(reader, partitions, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    offset = partitions->elems[0].offset;
  }
  rd_kafka_topic_partition_list_destroy(partitions);
  rd_kafka_destroy(reader);
  return offset;
}

TEST_F(PoisonMessageTest, ReferenceConsumerDeadLettersPoison) {
  RetryPolicy policy;
  policy.attempts_in_place = 3;
  policy.retry_topic_rounds = 0;
  policy.initial_backoff_ms = 10;
  FailureRouter router(*producer_, policy);

  const std::filesystem::path sink_path =
      std::filesystem::temp_directory_path() /
      ("queue_demo_poison_" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(sink_path);
  Result<std::unique_ptr<SqliteSink>> sink = SqliteSink::Open(sink_path.string());
  ASSERT_TRUE(sink.ok()) << sink.error().message;

  // The handler fails the poison message and records the good ones in the
  // order it sees them (one record at a time per partition).
  std::mutex mutex;
  std::vector<std::string> handled;
  int poison_calls = 0;
  MessageHandler handler = [&](const Message& message) -> HandlerResult {
    std::lock_guard<std::mutex> lock(mutex);
    if (message.value == "poison") {
      ++poison_calls;
      return HandlerFailure{FailureKind::kTransient, "amount_cents is missing"};
    }
    handled.push_back(message.value);
    return Effect{message.key, message.value};
  };
  ConsumerOptions options;
  options.bootstrap_servers = broker_->bootstraps();
  options.group_id = "case-poison-reference";
  options.topics = {"orders"};
  options.kafka_config = {{"session.timeout.ms", "6000"}, {"fetch.wait.max.ms", "20"}};
  Result<std::unique_ptr<Consumer>> created =
      Consumer::Create(options, handler, *sink.value(), &router);
  ASSERT_TRUE(created.ok()) << created.error().message;
  Consumer& consumer = *created.value();
  std::thread runner([&] { (void)consumer.Run(); });

  // Wait (bounded) for 10 effects and 1 forward, then stop gracefully.
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  ConsumerStats stats;
  while (std::chrono::steady_clock::now() < deadline) {
    stats = consumer.Stats();
    if (stats.applied >= 10 && stats.forwarded >= 1) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  consumer.Stop();
  runner.join();

  EXPECT_EQ(stats.forwarded, 1) << "the poison message is forwarded once";
  EXPECT_EQ(stats.applied, 10) << "the 10 good messages are applied";
  EXPECT_EQ(poison_calls, 3) << "the poison message gets exactly 3 attempts";
  ASSERT_EQ(handled.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(handled[i], "good-" + std::to_string(i)) << "in offset order";
  }
  EXPECT_EQ(CommittedOffset(broker_->bootstraps(), "case-poison-reference", "orders"), 11)
      << "the final commit moves past the poison message and the 10 good ones";

  const std::vector<Message> dead = testing::ReadTopic(
      broker_->bootstraps(), "orders.dlt", 1, 1, seconds(10));
  ASSERT_EQ(dead.size(), 1u) << "the poison message must be in orders.dlt";
  EXPECT_EQ(FindHeader(dead[0].headers, kReasonHeader).value_or(""), "amount_cents is missing");
  EXPECT_EQ(FindHeader(dead[0].headers, kAttemptsHeader).value_or(""), "3");

  created.value().reset();
  sink.value().reset();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(sink_path.string() + suffix);
  }
}

}  // namespace
}  // namespace queue_demo
