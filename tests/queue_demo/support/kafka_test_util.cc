#include "kafka_test_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace queue_demo::testing {
namespace {

Message Copy(const rd_kafka_message_t* record) {
  Message message;
  message.topic = rd_kafka_topic_name(record->rkt);
  message.partition = record->partition;
  message.offset = record->offset;
  if (record->key != nullptr) {
    message.key.assign(static_cast<const char*>(record->key), record->key_len);
  }
  if (record->payload != nullptr) {
    message.value.assign(static_cast<const char*>(record->payload), record->len);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(record, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.emplace_back(
          name, value == nullptr ? "" : std::string(static_cast<const char*>(value), size));
    }
  }
  message.timestamp_ms = rd_kafka_message_timestamp(record, nullptr);
  return message;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<Message> ReadTopic(const std::string& bootstrap,
                               const std::string& topic, int partitions,
                               size_t expected,
                               std::chrono::milliseconds timeout) {
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), reason, sizeof reason);
  rd_kafka_conf_set(conf, "fetch.wait.max.ms", "20", reason, sizeof reason);
  rd_kafka_conf_set(conf, "enable.partition.eof", "false", reason, sizeof reason);
  // A group id is needed for the consumer queue; without subscribe() the
  // consumer never joins the group, and it commits nothing.
  rd_kafka_conf_set(conf, "group.id", "queue-demo-test-reader", reason, sizeof reason);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", reason, sizeof reason);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  std::vector<Message> messages;
  if (consumer == nullptr) return messages;

  rd_kafka_topic_partition_list_t* assignment =
      rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (messages.size() < expected && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* record = rd_kafka_consumer_poll(consumer, 50);
    if (record == nullptr) continue;
    if (record->err == RD_KAFKA_RESP_ERR_NO_ERROR) messages.push_back(Copy(record));
    rd_kafka_message_destroy(record);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return messages;
}

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate =
        std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

ProcessOutput RunProgram(const std::vector<std::string>& argv,
                         const std::string& input, int timeout_seconds) {
  ProcessOutput output;
  const std::string timeout_path = FindOnPath("timeout");
  if (timeout_path.empty()) {
    output.err = "timeout(1) not found on PATH (package coreutils)";
    return output;
  }

  // Files for the three streams, in a fresh directory.
  char pattern[] = "/tmp/queue_demo_run.XXXXXX";
  const std::filesystem::path dir = mkdtemp(pattern);
  const auto in_path = dir / "in", out_path = dir / "out", err_path = dir / "err";
  std::ofstream(in_path, std::ios::binary) << input;

  std::vector<std::string> command = {timeout_path, "--kill-after=2",
                                      std::to_string(timeout_seconds)};
  command.insert(command.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (std::string& arg : command) args.push_back(arg.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int spawn_error =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    output.err = "cannot start " + argv[0] + ": " + std::strerror(spawn_error);
    std::filesystem::remove_all(dir);
    return output;
  }

  int status = 0;
  waitpid(pid, &status, 0);
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  output.out = ReadFile(out_path);
  output.err = ReadFile(err_path);
  std::filesystem::remove_all(dir);
  return output;
}

Watchdog::Watchdog(std::chrono::seconds limit, std::string test_name)
    : thread_([this, limit, name = std::move(test_name)] {
        std::unique_lock<std::mutex> lock(mutex_);
        if (stop_.wait_for(lock, limit, [this] { return stopped_; })) return;
        std::fprintf(stderr, "watchdog: %s still running after %lld s: failing it\n",
                     name.c_str(), static_cast<long long>(limit.count()));
        std::fflush(stderr);
        std::_Exit(1);
      }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

}  // namespace queue_demo::testing
