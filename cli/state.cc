#include "state.h"

#include <system_error>

#include <boost/json.hpp>

#include "files.h"

namespace labkit::cli {

namespace json = boost::json;

LabState LabState::Load(const Layout& layout, const std::string& lab) {
  LabState state;
  state.path_ = layout.StateDir() / (lab + ".json");
  StatusOr<std::string> text = ReadFile(state.path_);
  if (!text.ok()) return state;

  std::error_code error;
  json::value document = json::parse(text.value(), error);
  if (error || !document.is_object()) return state;
  const json::value* exercises = document.as_object().if_contains("exercises");
  if (exercises == nullptr || !exercises->is_object()) return state;

  for (const auto& [name, value] : exercises->as_object()) {
    if (!value.is_object()) continue;
    const json::object& fields = value.as_object();
    ExerciseState& exercise = state.exercises_[std::string(name)];
    if (const json::value* hash = fields.if_contains("passed_hash"); hash && hash->is_string()) {
      exercise.passed_hash = std::string(hash->as_string());
    }
    if (const json::value* result = fields.if_contains("last_result"); result && result->is_string()) {
      exercise.last_result = std::string(result->as_string());
    }
    if (const json::value* hints = fields.if_contains("hints_shown"); hints && hints->is_int64()) {
      exercise.hints_shown = static_cast<int>(hints->as_int64());
    }
  }
  return state;
}

Status LabState::Save() const {
  json::object exercises;
  for (const auto& [name, exercise] : exercises_) {
    exercises[name] = json::object{{"passed_hash", exercise.passed_hash},
                                   {"last_result", exercise.last_result},
                                   {"hints_shown", exercise.hints_shown}};
  }
  json::object document{{"version", 1}, {"exercises", std::move(exercises)}};
  return WriteFileAtomically(path_, json::serialize(document) + "\n");
}

ExerciseStatus StatusOf(const Lab& lab, const Exercise& exercise, LabState& state) {
  StatusOr<std::string> learner = ReadFile(lab.LearnerFile(exercise));
  if (!learner.ok()) return ExerciseStatus::kMissing;
  StatusOr<std::string> starter = ReadFile(lab.StarterFile(exercise));
  if (starter.ok() && starter.value() == learner.value()) return ExerciseStatus::kNotStarted;

  const ExerciseState& saved = state.For(exercise.name);
  if (!saved.passed_hash.empty() && saved.passed_hash == HashContents(learner.value())) {
    return ExerciseStatus::kPassed;
  }
  return ExerciseStatus::kInProgress;
}

std::string ProgressNote(ExerciseStatus status, const std::string& last_result) {
  if (status != ExerciseStatus::kInProgress) return "";
  if (last_result.empty() || last_result == "not started") return "not checked yet";
  if (last_result == "passed") return "edited since it passed";
  return "last check: " + last_result;
}

const char* StatusName(ExerciseStatus status) {
  switch (status) {
    case ExerciseStatus::kNotStarted: return "not started";
    case ExerciseStatus::kInProgress: return "in progress";
    case ExerciseStatus::kPassed: return "passed";
    case ExerciseStatus::kMissing: return "missing";
  }
  return "unknown";
}

}  // namespace labkit::cli
