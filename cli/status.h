// Status and StatusOr: errors as values for the labkit CLI.
//
// Every fallible function returns a Status (or a StatusOr<T> when it also
// produces a value). The message is a full sentence for the learner: it names
// the bad value and says what to do next.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace labkit::cli {

class Status {
 public:
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !message_.has_value(); }
  // message() is empty for an OK status.
  const std::string& message() const {
    static const std::string kEmpty;
    return message_ ? *message_ : kEmpty;
  }

 private:
  Status() = default;
  explicit Status(std::string message) : message_(std::move(message)) {}

  std::optional<std::string> message_;
};

// StatusOr<T> holds either a T or the error that prevented it.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)), status_(Status::Ok()) {}
  // REQUIRES: !status.ok()
  StatusOr(Status status) : status_(std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace labkit::cli
