// Status: the outcome of an operation of the scaling library that can fail,
// in the style of LevelDB's Status. A failure is a value, never an
// exception, and its message names the offending value and the fix:
//
//   scaling::Status status = ring.AddNode("");
//   if (!status.ok()) std::puts(status.message().c_str());
//   // "invalid node name '': a node name must not be empty"
//
// Thread-safety: a Status is an immutable value.
//
// This header is light (standard library only): the lab's starter files
// include it.
#pragma once

#include <string>
#include <utility>

namespace scaling {

class Status {
 public:
  // Ok returns the success value.
  static Status Ok() { return Status(); }

  // Error returns a failure carrying `message`.
  static Status Error(std::string message) {
    Status status;
    status.ok_ = false;
    status.message_ = std::move(message);
    return status;
  }

  bool ok() const { return ok_; }

  // message is empty for a success.
  const std::string& message() const { return message_; }

 private:
  Status() = default;

  bool ok_ = true;
  std::string message_;
};

}  // namespace scaling
