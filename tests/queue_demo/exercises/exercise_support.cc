#include "exercise_support.h"

#include <map>
#include <stdexcept>
#include <thread>

#include "../consumer_test_support.h"

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

}  // namespace queue_demo::exercise
