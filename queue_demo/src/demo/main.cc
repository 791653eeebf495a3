// queue-demo: what `./labkit demo queue_demo` runs.
//
// An event-driven order pipeline on Kafka, with faults injected while it
// runs and a reconciliation at the end:
//
//   order service --SQLite outbox--> relay --> orders
//   payment consumer group (child processes) --> payments.db --> payments
//   notification consumer --> notifications.db
//
// Faults: a broker goes down and comes back, two poison messages arrive, an
// order takes longer than max.poll.interval.ms, and a payment consumer is
// killed with SIGKILL mid-batch. The report counts lost and duplicated
// effects, dead-lettered records and the final lag, and ends with PASS or
// FAIL (exit status 0 or 1).
//
// Everything listens on 127.0.0.1 (the embedded broker) unless --brokers
// names a cluster. The run is bounded (about a minute, or 30 to 45 s with
// --quick on a 2-core machine), and Ctrl-C stops every consumer and the
// broker.
//
// `queue-demo --role payment-consumer ...` is how the demo starts its
// payment consumers. Those options are hidden from --help.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "demo.h"
#include "labkit/flags.h"

namespace queue_demo::demo {
namespace {

std::atomic<bool> g_interrupted{false};
const auto g_start = std::chrono::steady_clock::now();

void OnStopSignal(int) { g_interrupted.store(true); }

// BrokerList accepts HOST:PORT[,HOST:PORT...].
CLI::Validator BrokerList() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string expected =
            "Expected HOST:PORT[,HOST:PORT...], for example 127.0.0.1:9092.";
        std::size_t start = 0;
        while (start <= text.size()) {
          const std::size_t comma = std::min(text.find(',', start), text.size());
          const std::string item = text.substr(start, comma - start);
          const std::size_t colon = item.rfind(':');
          if (colon == std::string::npos || colon == 0) {
            return "'" + item + "' is not HOST:PORT. " + expected;
          }
          const std::string port = item.substr(colon + 1);
          char* end = nullptr;
          const long number = std::strtol(port.c_str(), &end, 10);
          if (port.empty() || *end != '\0' || number < 1 || number > 65535) {
            return "port '" + port + "' in '" + item + "' is not from 1 to 65535. " + expected;
          }
          start = comma + 1;
        }
        return "";
      },
      "");
}

// PlainName accepts letters, digits, '.', '_' and '-' (a topic prefix).
CLI::Validator PlainName() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        for (char c : text) {
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
            return "'" + text + "' contains '" + std::string(1, c) +
                   "'. Expected letters, digits, '.', '_' or '-'.";
          }
        }
        return "";
      },
      "");
}

// DefaultOutput returns <repository>/build/demo/queue_demo, the repository
// being $LABKIT_ROOT (which ./labkit sets) or the current directory.
std::string DefaultOutput() {
  const char* root = std::getenv("LABKIT_ROOT");
  return std::string(root != nullptr ? root : ".") + "/build/demo/queue_demo";
}

// PrepareOutput creates the folder and removes the previous run's files.
std::optional<std::string> PrepareOutput(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return "cannot create " + directory + ": " + error.message();
  for (const char* database : {"orders.db", "payments.db", "notifications.db"}) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(fs::path(directory) / (std::string(database) + suffix), error);
    }
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".log") fs::remove(entry.path(), error);
  }
  return std::nullopt;
}

void PrintIntro(const DemoConfig& config) {
  std::printf(
      "Message-queue demo: an event-driven order pipeline on Kafka.\n"
      "  order service --outbox--> %sorders --> payment consumer group --> %spayments"
      " --> notification consumer\n"
      "Faults are injected while it runs; the reconciliation at the end shows whether\n"
      "any effect was lost or applied twice. Logs go to %s.\n\n",
      config.topic_prefix.c_str(), config.topic_prefix.c_str(), config.output_dir.c_str());
}

}  // namespace

bool Interrupted() { return g_interrupted.load(); }

std::chrono::duration<double> Elapsed() { return std::chrono::steady_clock::now() - g_start; }

}  // namespace queue_demo::demo

int main(int argc, char** argv) {
  using namespace queue_demo::demo;
  DemoConfig config;
  std::string role;
  PaymentRoleConfig child;

  CLI::App app{"Run an event-driven order pipeline on Kafka (an outbox, a payment consumer "
               "group, a notification consumer), inject faults while it runs, and reconcile "
               "the effects at the end. Exit status 0 means PASS."};
  app.add_flag("--quick", config.quick,
               "Shorter timeouts and faults (about 30 s), for tests. Its session.timeout.ms "
               "of 3 s is below a Kafka broker's default minimum (6 s)");
  app.add_option("--brokers", config.brokers,
                 "Run against this Kafka or Redpanda cluster instead of the embedded broker, "
                 "as HOST:PORT[,HOST:PORT...]; the broker outage is skipped there")
      ->check(BrokerList());
  app.add_option("--consumers", config.consumers, "Payment consumers (processes), 2 to 5")
      ->check(labkit::WholeNumber(2, 5, "a number of payment consumers"));
  app.add_option("--rate", config.rate, "Orders placed per second, 1 to 500")
      ->check(labkit::WholeNumber(1, 500, "a number of orders per second"));
  app.add_option("--output", config.output_dir,
                 "Folder for this run's databases and logs (default: build/demo/queue_demo)");
  app.add_option("--topic-prefix", config.topic_prefix,
                 "Prefix of every topic and group name (default: none on the embedded broker, "
                 "queue-demo-<unix time>. with --brokers, so each run starts empty)")
      ->check(PlainName());
  app.add_option("--log-level", config.log_level, "Level of the log files: trace, debug, info, warn or error")
      ->check(labkit::OneOf({"trace", "debug", "info", "warn", "error"}));

  // The payment consumer role, for the child processes only.
  app.add_option("--role", role)->group("")->check(labkit::OneOf({"payment-consumer"}));
  app.add_option("--bootstrap", child.bootstrap_servers)->group("");
  app.add_option("--group", child.group_id)->group("");
  app.add_option("--orders-topic", child.orders_topic)->group("");
  app.add_option("--sink", child.sink_path)->group("");
  app.add_option("--client-id", child.client_id)->group("");
  if (std::optional<int> exit_code = labkit::ParseFlags(app, argc, argv)) return *exit_code;

  if (role == "payment-consumer") {
    if (child.bootstrap_servers.empty() || child.group_id.empty() ||
        child.orders_topic.empty() || child.sink_path.empty() || child.client_id.empty()) {
      std::fprintf(stderr, "--role payment-consumer needs --bootstrap, --group, "
                           "--orders-topic, --sink and --client-id\n");
      return 2;
    }
    child.log_level = config.log_level;
    child.timing = Timing::For(config.quick);
    return RunPaymentConsumer(child);
  }

  // The parent: settle the configuration, then run.
  config.timing = Timing::For(config.quick);
  if (config.output_dir.empty()) config.output_dir = DefaultOutput();
  if (!config.brokers.empty() && app.count("--topic-prefix") == 0) {
    config.topic_prefix = "queue-demo-" + std::to_string(std::time(nullptr)) + ".";
  }
  std::error_code error;
  config.program = std::filesystem::read_symlink("/proc/self/exe", error).string();
  if (error) {
    std::fprintf(stderr, "error: cannot find this program's path: %s\n", error.message().c_str());
    return 1;
  }
  if (std::optional<std::string> failure = PrepareOutput(config.output_dir)) {
    std::fprintf(stderr, "error: %s\n", failure->c_str());
    return 1;
  }
  config.output_dir = std::filesystem::absolute(config.output_dir).string();

  // This process logs to a file, so the terminal shows only the timeline.
  auto logger = spdlog::basic_logger_mt("queue-demo", config.output_dir + "/queue-demo.log");
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);

  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  PrintIntro(config);
  return RunPipeline(config);
}
