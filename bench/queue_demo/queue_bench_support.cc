#include "queue_bench_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

extern char** environ;

namespace queue_demo::bench {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ProgramRun RunCounting(const std::vector<std::string>& argv, int timeout_seconds) {
  ProgramRun run;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    run.error = "pipe failed";
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    run.error = "cannot start " + argv[0] + " (is it installed? scripts/setup.sh installs kcat)";
    close(out_pipe[0]);
    close(err_pipe[0]);
    return run;
  }

  // Read both pipes until they close or the time is up.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_pipes = 2;
  char buffer[65536];
  while (open_pipes > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (pollfd& fd : fds) {
      if (fd.fd < 0 || (fd.revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t got = read(fd.fd, buffer, sizeof buffer);
      if (got <= 0) {
        close(fd.fd);
        fd.fd = -1;
        --open_pipes;
      } else if (fd.fd == out_pipe[0]) {
        run.lines += std::count(buffer, buffer + got, '\n');
      } else if (run.error.size() < 2048) {
        run.error.append(buffer, got);
      }
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (open_pipes > 0) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

Message CopyRecord(const rd_kafka_message_t* record) {
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
  message.timestamp_ms = rd_kafka_message_timestamp(record, nullptr);
  return message;
}

std::filesystem::path MakeWorkDir() {
  char pattern[] = "/tmp/bench_queue_demo.XXXXXX";
  return mkdtemp(pattern);
}

void Report::SetKcat(double rate, double whole_rate, double small_seconds) {
  kcat_rate_ = rate;
  char note[200];
  std::snprintf(note, sizeof note,
                "kcat -C -e, no group; fixed costs removed (the 1%% topic took %.3f s); "
                "%.0f records/s with them",
                small_seconds, whole_rate);
  rows_.push_back({"kcat_raw_consume", rate, std::nullopt, "records/s", std::nullopt,
                   std::nullopt, std::nullopt, note});
}

void Report::AddRate(const std::string& name, double rate, std::optional<double> target,
                     const std::string& note) {
  rows_.push_back({name, rate, std::nullopt, "records/s", std::nullopt, target,
                   target ? std::optional<bool>(rate >= *target) : std::nullopt, note});
}

void Report::AddConsumer(const std::string& name, double rate,
                         std::optional<double> target_ratio) {
  const double ratio = rate / kcat_rate_;
  std::optional<bool> met;
  if (target_ratio) met = ratio >= *target_ratio;
  rows_.push_back({name, rate, kcat_rate_, "records/s", ratio, target_ratio, met,
                   "vs kcat_raw_consume; first record to last"});
}

void Report::AddLatency(std::vector<double> latencies_us, int sent) {
  std::sort(latencies_us.begin(), latencies_us.end());
  const auto percentile = [&](double p) {
    if (latencies_us.empty()) return 0.0;
    const size_t rank = static_cast<size_t>(std::ceil(p * latencies_us.size()));
    return latencies_us[std::min(latencies_us.size(), std::max<size_t>(rank, 1)) - 1];
  };
  const std::string note = std::to_string(latencies_us.size()) + " of " + std::to_string(sent) +
                           " effects; one record every 2 ms";
  rows_.push_back({"produce_to_effect_p50", percentile(0.50) / 1000, std::nullopt, "ms",
                   std::nullopt, std::nullopt, std::nullopt, note});
  const double p99 = percentile(0.99) / 1000;
  rows_.push_back({"produce_to_effect_p99", p99, std::nullopt, "ms", std::nullopt, 20.0,
                   latencies_us.size() == static_cast<size_t>(sent) && p99 < 20.0, note});
  rows_.push_back({"produce_to_effect_max", percentile(1.0) / 1000, std::nullopt, "ms",
                   std::nullopt, std::nullopt, std::nullopt, note});
}

namespace {

std::string Number(std::optional<double> value) {
  if (!value) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.4g", *value);
  return text;
}

// MetText returns `yes`/`no`/`none` for a target met, missed, or absent.
const char* MetText(const std::optional<bool>& met, const char* yes, const char* no,
                    const char* none) {
  if (!met) return none;
  return *met ? yes : no;
}

std::string Quoted(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

void Report::Print(bool json) const {
  std::fprintf(stderr, "\n%d records of %d bytes over %d partitions\n", messages_, value_bytes_,
               partitions_);
  std::fprintf(stderr, "%-34s %12s %12s %-10s %7s %7s %-4s %s\n", "name", "kit", "peer", "unit",
               "ratio", "target", "met", "note");
  for (const Row& row : rows_) {
    std::fprintf(stderr, "%-34s %12s %12s %-10s %7s %7s %-4s %s\n", row.name.c_str(),
                 Number(row.kit).c_str(), Number(row.peer).c_str(), row.unit.c_str(),
                 Number(row.ratio).c_str(), Number(row.target).c_str(),
                 MetText(row.met, "yes", "no", "-"), row.note.c_str());
  }
  if (!json) return;

  std::printf("[\n");
  for (size_t i = 0; i < rows_.size(); ++i) {
    const Row& row = rows_[i];
    std::printf(
        "  {\"name\": %s, \"kit\": %s, \"peer\": %s, \"unit\": %s, \"ratio\": %s, "
        "\"target\": %s, \"met\": %s, \"note\": %s}%s\n",
        Quoted(row.name).c_str(), Number(row.kit).c_str(), Number(row.peer).c_str(),
        Quoted(row.unit).c_str(), Number(row.ratio).c_str(), Number(row.target).c_str(),
        MetText(row.met, "true", "false", "null"), Quoted(row.note).c_str(),
        i + 1 < rows_.size() ? "," : "");
  }
  std::printf("]\n");
}

}  // namespace queue_demo::bench
