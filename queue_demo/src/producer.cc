#include "queue_demo/producer.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace queue_demo {
namespace {

// Batch collects the delivery reports of one PublishAll call. It is shared
// with the delivery callback, so a caller that stops waiting leaves it safe.
struct Batch {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<DeliveryReport> reports;
  size_t remaining = 0;
};

// Ticket is each message's opaque: which report of which batch to fill.
struct Ticket {
  std::shared_ptr<Batch> batch;
  size_t index;
};

std::string ErrorText(rd_kafka_resp_err_t code) {
  return std::string(rd_kafka_err2name(code)) + ": " + rd_kafka_err2str(code);
}

void Complete(Ticket* ticket, DeliveryReport report) {
  std::shared_ptr<Batch> batch = std::move(ticket->batch);
  const size_t index = ticket->index;
  delete ticket;
  std::lock_guard<std::mutex> lock(batch->mutex);
  batch->reports[index] = std::move(report);
  if (--batch->remaining == 0) batch->done.notify_all();
}

// OnDelivery runs on the poll thread once per message.
void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  DeliveryReport report;
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    report.error = ErrorText(message->err);
  } else {
    report.partition = message->partition;
    report.offset = message->offset;
  }
  Complete(static_cast<Ticket*>(message->_private), std::move(report));
}

// OnError logs client-level errors: brokers down, a fatal idempotence error.
void OnError(rd_kafka_t* handle, int code, const char* reason, void*) {
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(handle, fatal, sizeof fatal);
    spdlog::error("producer: fatal error, every later send fails: {}", fatal);
    return;
  }
  spdlog::warn("producer: {} ({})", reason,
               rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code)));
}

// OnLog sends librdkafka's own log lines to spdlog at debug level: the
// errors among them also reach OnError, which logs them as warnings.
void OnLog(const rd_kafka_t*, int level, const char* facility, const char* text) {
  spdlog::debug("producer: librdkafka {} {}: {}", level, facility, text);
}

// Set applies one property, returning "" or the reason naming it.
std::string Set(rd_kafka_conf_t* conf, const std::string& name,
                const std::string& value) {
  char reason[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason,
                        sizeof reason) != RD_KAFKA_CONF_OK) {
    return "producer property " + name + "=" + value + ": " + reason;
  }
  return "";
}

// Produce hands one message to librdkafka with `ticket` as its opaque.
rd_kafka_resp_err_t Produce(rd_kafka_t* handle, const OutgoingMessage& message,
                            Ticket* ticket) {
  rd_kafka_headers_t* headers = nullptr;
  if (!message.headers.empty()) {
    headers = rd_kafka_headers_new(message.headers.size());
    for (const auto& [name, value] : message.headers) {
      rd_kafka_header_add(headers, name.data(),
                          static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
  }
  const rd_kafka_resp_err_t code = rd_kafka_producev(
      handle, RD_KAFKA_V_TOPIC(message.topic.c_str()),
      RD_KAFKA_V_PARTITION(message.partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(message.key.empty() ? nullptr : message.key.data(),
                     message.key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()),
                       message.value.size()),
      RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(ticket), RD_KAFKA_V_END);
  // On success librdkafka owns the headers; on failure they are still ours.
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    rd_kafka_headers_destroy(headers);
  }
  return code;
}

}  // namespace

ProducerResult Producer::Create(const ProducerOptions& options) {
  if (options.bootstrap_servers.empty()) {
    return {nullptr, "producer: bootstrap_servers is empty: give HOST:PORT"};
  }
  if (options.delivery_timeout_ms < 1 || options.close_timeout_ms < 0 ||
      options.linger_ms < 0) {
    return {nullptr, "producer: delivery_timeout_ms must be >= 1 and "
                     "linger_ms, close_timeout_ms >= 0; got " +
                         std::to_string(options.delivery_timeout_ms) + ", " +
                         std::to_string(options.linger_ms) + ", " +
                         std::to_string(options.close_timeout_ms)};
  }

  // Idempotence last, so no extra property can turn it off.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"message.timeout.ms", std::to_string(options.delivery_timeout_ms)},
      {"linger.ms", std::to_string(options.linger_ms)},
  };
  properties.insert(properties.end(), options.properties.begin(),
                    options.properties.end());
  properties.push_back({"enable.idempotence", "true"});
  for (const auto& [name, value] : properties) {
    if (std::string error = Set(conf, name, value); !error.empty()) {
      rd_kafka_conf_destroy(conf);
      return {nullptr, error};
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_conf_set_error_cb(conf, OnError);
  rd_kafka_conf_set_log_cb(conf, OnLog);

  char reason[512];
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return {nullptr, std::string("producer: creating the client failed: ") + reason};
  }
  return {std::unique_ptr<Producer>(new Producer(handle, options)), ""};
}

Producer::Producer(rd_kafka_t* handle, const ProducerOptions& options)
    : handle_(handle), options_(options), poller_([this] { PollLoop(); }) {}

Producer::~Producer() {
  stop_.store(true);
  poller_.join();

  // Give outstanding messages their bounded chance, then fail the rest so
  // every waiting caller gets a report.
  const int outstanding = Flush(options_.close_timeout_ms);
  if (outstanding > 0) {
    spdlog::warn("producer: closing with {} messages undelivered after {} ms",
                 outstanding, options_.close_timeout_ms);
    rd_kafka_purge(handle_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(handle_, 1000);
  }
  rd_kafka_destroy(handle_);
}

void Producer::PollLoop() {
  while (!stop_.load()) rd_kafka_poll(handle_, 50);
}

DeliveryReport Producer::Send(const OutgoingMessage& message) {
  return PublishAll(std::span<const OutgoingMessage>(&message, 1)).front();
}

std::vector<DeliveryReport> Producer::PublishAll(
    std::span<const OutgoingMessage> messages) {
  auto batch = std::make_shared<Batch>();
  batch->reports.resize(messages.size());
  batch->remaining = messages.size();

  // Hand every message to librdkafka; a full local queue drains as reports
  // arrive on the poll thread.
  for (size_t i = 0; i < messages.size(); ++i) {
    auto* ticket = new Ticket{batch, i};
    rd_kafka_resp_err_t code = Produce(handle_, messages[i], ticket);
    while (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      code = Produce(handle_, messages[i], ticket);
    }
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Complete(ticket, DeliveryReport{"topic '" + messages[i].topic +
                                      "': " + ErrorText(code)});
    }
  }

  // Wait for the reports. message.timeout.ms bounds each; the slack covers
  // the poll interval.
  const auto bound = std::chrono::milliseconds(options_.delivery_timeout_ms) +
                     std::chrono::seconds(5);
  std::unique_lock<std::mutex> lock(batch->mutex);
  if (!batch->done.wait_for(lock, bound, [&] { return batch->remaining == 0; })) {
    for (DeliveryReport& report : batch->reports) {
      if (report.ok() && report.offset < 0) {
        report.error = "no delivery report within " +
                       std::to_string(bound.count()) + " ms";
      }
    }
  }
  return batch->reports;
}

int Producer::Flush(int timeout_ms) {
  rd_kafka_flush(handle_, timeout_ms);
  return rd_kafka_outq_len(handle_);
}

std::string Producer::FatalError() const {
  char reason[512];
  if (rd_kafka_fatal_error(handle_, reason, sizeof reason) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "";
  }
  return reason;
}

}  // namespace queue_demo
