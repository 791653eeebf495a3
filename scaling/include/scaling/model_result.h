// ModelResult: how the scalability model and the load-balancing simulator
// report failure.
//
// A failure is a value, never an exception. The message is for people: it
// names the offending value and, where it helps, the fix. For example
//
//   scaling::ModelResult<scaling::UslFit> fit = scaling::FitUsl(points);
//   if (!fit.ok()) {
//     std::fprintf(stderr, "%s\n", fit.error().c_str());
//     // "USL fit needs at least 3 points, got 2"
//   }
//
// Standard library only: the lab's starter files include it.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace scaling {

// ModelError is the message of a failed call. Construct it explicitly, so a
// plain string is never mistaken for a value: `return ModelError{"..."};`.
struct ModelError {
  std::string message;
};

// ModelResult<T> contains either a T or a ModelError.
template <typename T>
class ModelResult {
 public:
  ModelResult(T value) : state_(std::move(value)) {}              // NOLINT
  ModelResult(ModelError error) : state_(std::move(error)) {}     // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }

  // REQUIRES: ok().
  const T& value() const { return std::get<T>(state_); }
  T& value() { return std::get<T>(state_); }

  // REQUIRES: !ok().
  const std::string& error() const {
    return std::get<ModelError>(state_).message;
  }

 private:
  std::variant<T, ModelError> state_;
};

}  // namespace scaling
