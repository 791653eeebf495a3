// Status and Result: how the queue_demo library reports failure.
//
// A failure is a value, never an exception: a code that callers and tests
// compare, and a message for people that names the topic, partition, offset
// or file involved. For example
//
//   queue_demo::Result<std::int64_t> next = sink.NextOffset("orders", 0);
//   if (!next.ok()) spdlog::error("{}", next.error().message);
//
// This header is light (standard library only): exercise starters include it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace queue_demo {

enum class ErrorCode {
  kInvalidArgument,  // an option or argument is out of range
  kKafka,            // librdkafka returned an error
  kState,            // the partition is not assigned to this consumer (any more)
  kSink,             // the sink (SQLite) failed; nothing of the message applied
  kHandler,          // the message handler failed to process a message
  kTimedOut,         // a bounded wait ran out of time
};

// Error is one failure: its code, and a message for people.
struct Error {
  ErrorCode code;
  std::string message;
};

// Status is the outcome of an operation that returns nothing on success.
class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }

  // REQUIRES: !ok().
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

// Result contains either a value of type T or the Error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }

  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }

  // REQUIRES: !ok().
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace queue_demo
