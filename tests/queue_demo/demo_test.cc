// End-to-end tests of queue-demo, what `./labkit demo queue_demo` runs: the
// quick run on the embedded broker, the same pipeline against a separate
// broker process through --brokers, and bad flags.
//
// The run's own report is checked, and so are its databases, read here
// directly: one payment and one notification per valid order, none for
// the poison order. Every run has a watchdog that kills it.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// RunResult is how a program run ended, with its stdout and stderr.
struct RunResult {
  int exit_code = -1;   // -1 when it did not exit by itself
  bool timed_out = false;
  std::string output;
  std::string errors;
};

// RunProgram runs `argv` with stdout and stderr in files under `directory`, and
// kills its process group after `timeout`.
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& directory,
              std::chrono::seconds timeout) {
  const std::string out_path = directory + "/stdout.txt";
  const std::string err_path = directory + "/stderr.txt";
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }

  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.output = ReadFile(out_path);
  result.errors = ReadFile(err_path);
  return result;
}

// QueryInt runs a query that returns one integer on the database at `path`.
std::int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      value = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return value;
}

// ReportNumber returns the number after `label` and spaces in the report.
std::int64_t ReportNumber(const std::string& output, const std::string& label) {
  const std::size_t at = output.find(label);
  if (at == std::string::npos) return -1;
  std::size_t start = at + label.size();
  while (start < output.size() && output[start] == ' ') ++start;
  return std::atoll(output.c_str() + start);
}

class QueueDemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/queue-demo-test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(directory_);
  }

  // ExpectReconciled checks a finished run's report and databases.
  void ExpectReconciled(const RunResult& result) {
    const std::string run = directory_ + "/run";
    const std::string& out = result.output;
    EXPECT_NE(out.find("RESULT: PASS"), std::string::npos) << "the report must end with PASS";
    for (const char* line : {"payments applied", "notifications applied"}) {
      const std::regex exact(std::string(line) +
                             R"( \(distinct orders\) +(\d+) of \1 expected; lost 0, duplicated 0, unexpected 0)");
      EXPECT_TRUE(std::regex_search(out, exact))
          << "the '" << line << "' line must show every expected order once, nothing lost, "
          << "duplicated or unexpected:\n" << out;
    }
    EXPECT_EQ(ReportNumber(out, "records in orders.dlt"), 2)
        << "both poison messages must be in the dead letter topic";
    EXPECT_NE(out.find("key c-unreachable, attempts 6, retry rounds 1: payment provider timed out"),
              std::string::npos)
        << "the transient poison order must reach the dead letter topic after 3 + 3 attempts";
    EXPECT_NE(out.find("key c-bad, attempts 1, retry rounds 0: payload is not an order-placed"),
              std::string::npos)
        << "the malformed record must reach the dead letter topic after 1 attempt";
    EXPECT_EQ(ReportNumber(out, "final lag of group payment-service"), 0)
        << "the payment group's final lag must be zero";
    EXPECT_EQ(ReportNumber(out, "final lag of group notification-service"), 0)
        << "the notification group's final lag must be zero";
    EXPECT_NE(out.find(": 0 rebalances, max.poll.interval.ms exceeded 0 times"), std::string::npos)
        << "the slow order must cause no rebalance";

    // The databases: one payment and one notification per valid order.
    const std::int64_t orders = QueryInt(run + "/orders.db", "SELECT COUNT(*) FROM orders");
    ASSERT_GT(orders, 100) << "the quick run places over 100 orders";
    const std::int64_t valid = orders - 1;  // the c-unreachable order is never paid
    EXPECT_EQ(QueryInt(run + "/payments.db", "SELECT COUNT(*) FROM effects"), valid)
        << "every order but the poison one must have exactly one payment";
    EXPECT_EQ(QueryInt(run + "/payments.db",
                       "SELECT COUNT(*) FROM effects WHERE value LIKE '%c-unreachable%'"),
              0)
        << "the poison order must have no payment";
    EXPECT_EQ(QueryInt(run + "/notifications.db", "SELECT COUNT(*) FROM effects"), valid)
        << "every payment must have exactly one notification";
    EXPECT_EQ(QueryInt(run + "/orders.db",
                       "SELECT COUNT(*) FROM outbox WHERE published_at_ms IS NULL"),
              0)
        << "every outbox event must be published";
  }

  std::string directory_;
};

TEST_F(QueueDemoTest, QuickRunReconcilesUnderFaults) {
  RunResult result = RunProgram({QUEUE_DEMO_PROGRAM, "--quick", "--output", directory_ + "/run"},
                         directory_, 240s);
  ASSERT_FALSE(result.timed_out) << "queue-demo --quick must finish within 240 s; its output:\n"
                                 << result.output;
  ASSERT_EQ(result.exit_code, 0) << "queue-demo --quick must exit 0 (PASS); its output:\n"
                                 << result.output << "\nstderr:\n" << result.errors;
  for (const char* fault : {"Fault 1: broker 2 goes down", "Fault 2: two poison messages",
                            "Fault 3: one order takes", "Fault 4: payment-consumer-"}) {
    EXPECT_NE(result.output.find(fault), std::string::npos)
        << "the demo must announce '" << fault << "'";
  }
  EXPECT_NE(result.output.find("is killed with SIGKILL"), std::string::npos)
      << "the demo must kill a payment consumer with SIGKILL";
  EXPECT_NE(result.output.find("The group rebalanced"), std::string::npos)
      << "the demo must show the group rebalancing after the kill";
  ExpectReconciled(result);
}

// BrokerProcess runs queue-broker with the demo's topics and stops it on
// destruction, even when the test fails.
class BrokerProcess {
 public:
  explicit BrokerProcess(const std::string& log_path) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(log, STDERR_FILENO);
      execl(QUEUE_BROKER_PROGRAM, QUEUE_BROKER_PROGRAM, "--topic", "orders:4", "--topic",
            "orders.retry:2", "--topic", "orders.dlt:1", "--topic", "payments:4",
            "--duration", "300", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    // The first line is "bootstrap: ADDRESS", within 20 s or never.
    pollfd ready{fds[0], POLLIN, 0};
    if (poll(&ready, 1, 20000) != 1) {
      close(fds[0]);
      return;
    }
    FILE* out = fdopen(fds[0], "r");
    char line[512] = {};
    if (out != nullptr && std::fgets(line, sizeof line, out) != nullptr) {
      std::string text(line);
      if (text.rfind("bootstrap: ", 0) == 0) bootstraps_ = text.substr(11, text.find('\n') - 11);
    }
    if (out != nullptr) std::fclose(out);
  }
  ~BrokerProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(100ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  const std::string& bootstraps() const { return bootstraps_; }

 private:
  pid_t pid_ = -1;
  std::string bootstraps_;
};

TEST_F(QueueDemoTest, BrokersFlagUsesAnotherCluster) {
  BrokerProcess broker(directory_ + "/broker.log");
  ASSERT_FALSE(broker.bootstraps().empty()) << "queue-broker must print its bootstrap address";

  RunResult result = RunProgram({QUEUE_DEMO_PROGRAM, "--quick", "--brokers", broker.bootstraps(),
                          "--topic-prefix", "", "--output", directory_ + "/run"},
                         directory_, 240s);
  ASSERT_FALSE(result.timed_out) << "queue-demo --brokers must finish within 240 s; its output:\n"
                                 << result.output;
  ASSERT_EQ(result.exit_code, 0) << "queue-demo --brokers must exit 0 (PASS); its output:\n"
                                 << result.output << "\nstderr:\n" << result.errors;
  EXPECT_NE(result.output.find("Using the Kafka cluster at " + broker.bootstraps()),
            std::string::npos)
      << "the demo must use the given cluster, not start its own";
  EXPECT_NE(result.output.find("Fault 1 skipped"), std::string::npos)
      << "the broker outage needs the embedded broker, so the demo must say it skips it";
  ExpectReconciled(result);
}

TEST_F(QueueDemoTest, BadFlagsAreUsageErrors) {
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--consumers", "1"}, "'1' is out of range. Expected a number of payment consumers from 2 to 5."},
      {{"--rate", "fast"}, "'fast' is not a whole number."},
      {{"--rate", "0"}, "'0' is out of range. Expected a number of orders per second from 1 to 500."},
      {{"--brokers", "localhost"}, "'localhost' is not HOST:PORT."},
      {{"--brokers", "127.0.0.1:9092,127.0.0.1:99999"}, "port '99999' in '127.0.0.1:99999' is not from 1 to 65535."},
      {{"--topic-prefix", "my topic"}, "'my topic' contains ' '."},
      {{"--log-level", "loud"}, "invalid value 'loud'. Expected trace, debug, info, warn or error."},
      {{"--role", "payment-consumer"}, "--role payment-consumer needs --bootstrap"},
  };
  for (const Case& bad : cases) {
    std::vector<std::string> argv = {QUEUE_DEMO_PROGRAM};
    argv.insert(argv.end(), bad.flags.begin(), bad.flags.end());
    RunResult result = RunProgram(argv, directory_, 30s);
    const std::string flags = bad.flags[0] + " " + bad.flags[1];
    EXPECT_EQ(result.exit_code, 2) << flags << " must be a usage error (exit status 2)";
    EXPECT_NE(result.errors.find(bad.message), std::string::npos)
        << flags << " must be explained with '" << bad.message << "'; stderr:\n" << result.errors;
    EXPECT_TRUE(result.output.empty()) << flags << " must not start the demo:\n" << result.output;
  }
}

}  // namespace
