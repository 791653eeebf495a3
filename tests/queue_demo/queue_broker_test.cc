// The queue-broker program: it prints its bootstrap address on one line,
// serves the topics it was given to any client, stops on SIGTERM with exit
// code 0, and rejects a bad --topic with exit code 2 and a message naming
// the value.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kafka_test_util.h"
#include "queue_demo/producer.h"

extern char** environ;

namespace queue_demo {
namespace {

using std::chrono::seconds;

const std::string kBrokerProgram = QUEUE_BROKER_PROGRAM;

// BrokerProcess runs queue-broker with its stdout on a pipe, and kills it
// (SIGKILL) in the destructor if the test did not stop it.
class BrokerProcess {
 public:
  explicit BrokerProcess(std::vector<std::string> args) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    args.insert(args.begin(), kBrokerProgram);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, kBrokerProgram.c_str(), &actions, nullptr, argv.data(),
                    environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    out_ = pipe_fds[0];
  }
  ~BrokerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  // ReadLine returns the next line of stdout, or "" after `limit`.
  std::string ReadLine(seconds limit) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd ready{out_, POLLIN, 0};
      if (poll(&ready, 1, 100) <= 0) continue;
      char c;
      if (read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return "";
  }

  // Stop sends `signal_number` and returns the exit code, or -1 if the
  // program did not exit normally within `limit`.
  int Stop(int signal_number, seconds limit) {
    kill(pid_, signal_number);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(20000);
    }
    return -1;
  }

  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

TEST(QueueBrokerProgramTest, ServesTopicsUntilSigterm) {
  testing::Watchdog watchdog(seconds(40), "ServesTopicsUntilSigterm");
  BrokerProcess broker({"--topic", "orders:3", "--log-level", "warn"});
  ASSERT_TRUE(broker.started()) << "cannot start " << kBrokerProgram;

  const std::string line = broker.ReadLine(seconds(10));
  ASSERT_EQ(line.rfind("bootstrap: 127.0.0.1:", 0), 0u)
      << "the first line must be 'bootstrap: 127.0.0.1:PORT,...'; got '" << line << "'";
  const std::string bootstrap = line.substr(std::string("bootstrap: ").size());

  // Another process (this test) produces to and reads from partition 2.
  ProducerOptions options;
  options.bootstrap_servers = bootstrap;
  options.delivery_timeout_ms = 10000;
  ProducerResult created = Producer::Create(options);
  ASSERT_TRUE(created.ok()) << created.error;
  OutgoingMessage message{"orders", "k", "hello", {}};
  message.partition = 2;
  const DeliveryReport report = created.producer->Send(message);
  EXPECT_TRUE(report.ok()) << "orders has 3 partitions, so partition 2 exists: "
                           << report.error;
  created.producer.reset();
  const std::vector<Message> records =
      testing::ReadTopic(bootstrap, "orders", 3, 1, seconds(10));
  ASSERT_EQ(records.size(), 1u) << "the record is read back from the program's broker";
  EXPECT_EQ(records[0].value, "hello");

  EXPECT_EQ(broker.Stop(SIGTERM, seconds(10)), 0)
      << "SIGTERM stops the broker with exit code 0";
}

TEST(QueueBrokerProgramTest, InvalidTopicExitsWithUsageError) {
  const testing::ProcessOutput output =
      testing::RunProgram({kBrokerProgram, "--topic", "orders:0"}, "", 10);
  EXPECT_EQ(output.exit_code, 2) << "a usage error exits with code 2";
  EXPECT_NE(output.err.find("partition count 0 is out of range"), std::string::npos)
      << "the message names the bad value; got: " << output.err;
}

TEST(QueueBrokerProgramTest, DurationStopsByItself) {
  const testing::ProcessOutput output =
      testing::RunProgram({kBrokerProgram, "--duration", "1", "--topic", "a:1"}, "", 10);
  EXPECT_EQ(output.exit_code, 0) << "--duration 1 stops the broker after 1 s: " << output.err;
  EXPECT_EQ(output.out.rfind("bootstrap: 127.0.0.1:", 0), 0u) << output.out;
}

}  // namespace
}  // namespace queue_demo
