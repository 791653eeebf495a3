// queue-broker: the embedded Kafka-protocol broker alone, on loopback.
//
//   queue-broker --topic orders:4 --topic payments:4
//   bootstrap: 127.0.0.1:40123,127.0.0.1:40125,127.0.0.1:40127
//
// It starts librdkafka's mock cluster (3 brokers by default), creates the
// topics given, prints the bootstrap address on one line, and runs until
// SIGINT or SIGTERM (or --duration seconds). Any Kafka client can use it:
//   kcat -b 127.0.0.1:40123 -t orders -P
// `./labkit broker` runs this program.

#include <signal.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "labkit/flags.h"
#include "labkit/log.h"
#include "queue_demo/broker.h"

namespace {

constexpr int kMaxPartitions = 64;

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

// ParseTopicSpec parses NAME:PARTITIONS; returns "" or the reason.
std::string ParseTopicSpec(const std::string& text, TopicSpec& spec) {
  const std::string expected =
      "Expected NAME:PARTITIONS, a topic name of letters, digits, '.', '_' "
      "or '-' and 1 to " + std::to_string(kMaxPartitions) + " partitions, "
      "for example orders:4.";
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return "'" + text + "' is not NAME:PARTITIONS. " + expected;
  }
  spec.name = text.substr(0, colon);
  for (char c : spec.name) {
    const bool valid = std::isalnum(static_cast<unsigned char>(c)) ||
                       c == '.' || c == '_' || c == '-';
    if (!valid) return "topic name '" + spec.name + "' is invalid. " + expected;
  }
  const std::string count = text.substr(colon + 1);
  try {
    size_t used = 0;
    spec.partitions = std::stoi(count, &used);
    if (used != count.size()) throw std::invalid_argument(count);
  } catch (const std::exception&) {
    return "partition count '" + count + "' is not a whole number. " + expected;
  }
  if (spec.partitions < 1 || spec.partitions > kMaxPartitions) {
    return "partition count " + count + " is out of range. " + expected;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  int broker_count = 3;
  int duration_seconds = 0;
  std::vector<std::string> topic_texts;
  std::string log_level = "info";

  CLI::App app{"Start an embedded Kafka-protocol cluster (librdkafka's mock "
               "cluster) on 127.0.0.1, print its bootstrap address, and run "
               "until Ctrl-C."};
  app.add_option("--topic", topic_texts,
                 "Create a topic, as NAME:PARTITIONS (for example orders:4); "
                 "repeat for more topics")
      ->check(CLI::Validator(
          [](std::string& text) {
            TopicSpec spec;
            return ParseTopicSpec(text, spec);
          },
          ""));
  app.add_option("--brokers", broker_count, "Number of brokers, from 1 to 9")
      ->check(labkit::WholeNumber(1, 9, "a broker count"));
  app.add_option("--duration", duration_seconds,
                 "Stop after this many seconds (0: run until Ctrl-C)")
      ->check(labkit::WholeNumber(0, 86400, "a number of seconds"));
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(labkit::OneOf({"trace", "debug", "info", "warn", "error"}));
  if (std::optional<int> exit_code = labkit::ParseFlags(app, argc, argv)) {
    return *exit_code;
  }
  labkit::InitLogging("queue-broker", log_level);

  // Block the stop signals before any thread starts, so sigtimedwait
  // below receives them and no other thread does.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // 1. Start the cluster and create the topics.
  queue_demo::BrokerResult broker = queue_demo::EmbeddedBroker::Start(broker_count);
  if (!broker.ok()) {
    spdlog::error("starting the broker failed: {}", broker.error().message);
    return 1;
  }
  for (const std::string& text : topic_texts) {
    TopicSpec spec;
    ParseTopicSpec(text, spec);  // checked by the option's validator
    const queue_demo::BrokerError error = broker->CreateTopic(spec.name, spec.partitions);
    if (!error.message.empty()) {
      spdlog::error("{}", error.message);
      return 1;
    }
    spdlog::info("created topic {} ({} partitions)", spec.name, spec.partitions);
  }

  // 2. Print the address on one line, for scripts and for people.
  std::printf("bootstrap: %s\n", broker->bootstraps().c_str());
  std::fflush(stdout);
  spdlog::info("{} brokers running; Ctrl-C stops them", broker_count);

  // 3. Run until a stop signal or the duration.
  int signal_number = 0;
  if (duration_seconds > 0) {
    const timespec timeout{duration_seconds, 0};
    signal_number = sigtimedwait(&stop_signals, nullptr, &timeout);
  } else {
    sigwait(&stop_signals, &signal_number);
  }
  spdlog::info("stopping the brokers ({})",
               signal_number > 0 ? strsignal(signal_number) : "duration reached");
  return 0;
}
