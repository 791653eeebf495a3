#include "exercise_support.h"

#include <atomic>
#include <map>
#include <stdexcept>
#include <thread>

#include "../consumer_test_support.h"
#include "kafka_test_util.h"
#include "queue_demo/failure_router.h"
#include "queue_demo/producer.h"

namespace queue_demo::exercise {

::testing::AssertionResult Implemented(const std::function<void()>& probe) {
  try {
    probe();
  } catch (const std::logic_error& error) {
    return ::testing::AssertionFailure()
           << error.what()
           << "; the test against the embedded broker runs it inside the "
              "consumer, so it must be implemented first";
  }
  return ::testing::AssertionSuccess();
}

std::unique_ptr<EmbeddedBroker> StartBroker(
    const std::vector<std::pair<std::string, int>>& topics) {
  BrokerResult started = EmbeddedBroker::Start(3);
  if (!started.ok()) {
    ADD_FAILURE() << "the embedded broker did not start: " << started.error().message;
    return nullptr;
  }
  std::unique_ptr<EmbeddedBroker> broker = started.release();
  for (const auto& [topic, partitions] : topics) {
    BrokerError created = broker->CreateTopic(topic, partitions);
    if (!created.message.empty()) {
      ADD_FAILURE() << "creating topic " << topic << ": " << created.message;
      return nullptr;
    }
  }
  return broker;
}

std::unique_ptr<SqliteSink> OpenSink(const std::string& path) {
  Result<std::unique_ptr<SqliteSink>> sink = SqliteSink::Open(path);
  if (!sink.ok()) {
    ADD_FAILURE() << sink.error().message;
    return nullptr;
  }
  return std::move(sink.value());
}

std::int64_t TotalEffects(const std::string& path) {
  std::int64_t total = 0;
  for (const auto& [value, count] : testing::EffectCounts(path)) total += count;
  return total;
}

HandlerResult Payment(const Message& message) {
  return Effect{message.key, message.value};
}

MessageHandler SlowPayment(std::chrono::milliseconds delay) {
  return [delay](const Message& message) -> HandlerResult {
    std::this_thread::sleep_for(delay);
    return Payment(message);
  };
}

void ExpectEachNumberOnce(const std::string& path, int count) {
  const std::map<std::string, int> counts = testing::EffectCounts(path);
  int missing = 0;
  for (int n = 0; n < count; ++n) {
    auto it = counts.find(std::to_string(n));
    if (it == counts.end()) {
      ++missing;
      continue;
    }
    EXPECT_EQ(it->second, 1) << "record " << n << " has " << it->second
                             << " effects: a redelivered record was applied again";
  }
  EXPECT_EQ(missing, 0) << missing << " of " << count
                        << " records have no effect: messages were lost";
  EXPECT_EQ(counts.size(), static_cast<size_t>(count))
      << "the sink holds effects of records that were never produced";
}

PoisonRun RunPoisonPartition(const RetryPolicy& policy, FailureKind kind,
                             bool read_retry_topic) {
  using namespace std::chrono_literals;
  PoisonRun run;
  auto broker = StartBroker({{"orders", 1}, {"orders.retry", 1}, {"orders.dlt", 1}});
  if (broker == nullptr) {
    run.error = "the embedded broker did not start";
    return run;
  }
  const std::string bootstraps = broker->bootstraps();

  // Produce "0".."4", the poison record, then "5".."9", all to orders[0].
  ProducerOptions producer_options;
  producer_options.bootstrap_servers = bootstraps;
  ProducerResult producer = Producer::Create(producer_options);
  if (!producer.ok()) {
    run.error = "creating the producer: " + producer.error;
    return run;
  }
  std::string produced = testing::ProduceNumbered(bootstraps, "orders", 0, 0, 5);
  if (produced.empty()) {
    const DeliveryReport report =
        producer.producer->Send({"orders", "key-poison", "poison", {{"trace-id", "t-42"}}, 0});
    if (!report.ok()) produced = "producing the poison record: " + report.error;
  }
  if (produced.empty()) produced = testing::ProduceNumbered(bootstraps, "orders", 0, 5, 5);
  if (!produced.empty()) {
    run.error = produced;
    return run;
  }

  // Consume with the failure router, until the poison record is forwarded to
  // the dead letter topic and the good records are applied.
  std::atomic<int> poison_calls{0};
  MessageHandler handler = [&poison_calls, kind](const Message& message) -> HandlerResult {
    if (message.value != "poison") return Payment(message);
    ++poison_calls;
    return HandlerFailure{kind, "card declined for key-poison"};
  };
  testing::TempSinkPath path;
  auto sink = OpenSink(path.path());
  if (sink == nullptr) {
    run.error = "the sink did not open";
    return run;
  }
  FailureRouter router(*producer.producer, policy);
  ConsumerOptions options = testing::TestConsumerOptions(bootstraps, "payments", "orders");
  if (read_retry_topic) options.topics.push_back("orders.retry");
  Result<std::unique_ptr<Consumer>> created =
      Consumer::Create(options, handler, *sink, &router);
  if (!created.ok()) {
    run.error = created.error().message;
    return run;
  }
  Consumer& consumer = *created.value();
  std::thread runner([&consumer] { (void)consumer.Run(); });
  testing::WaitFor(
      [&] { return TotalEffects(path.path()) >= 10 && consumer.Stats().forwarded >= (read_retry_topic ? 2 : 1); },
      12s);
  run.dead_letters = testing::ReadTopic(bootstraps, "orders.dlt", 1, 1, 3s);
  consumer.Stop();
  runner.join();

  run.poison_calls = poison_calls.load();
  run.good_offsets = testing::EffectOffsets(path.path(), 0);
  run.stats = consumer.Stats();
  run.committed = testing::CommittedOffsets(bootstraps, "payments", "orders", 1);
  return run;
}

}  // namespace queue_demo::exercise
