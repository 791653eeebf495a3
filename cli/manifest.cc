#include "manifest.h"

#include <algorithm>
#include <system_error>

#include <boost/json.hpp>

#include "files.h"

namespace labkit::cli {

namespace json = boost::json;

namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined.empty() ? "(none)" : joined;
}

// RequireString reads object[key] as a string, or records what is missing.
std::string RequireString(const json::object& object, std::string_view key,
                          std::string_view where, std::string* error) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    if (error->empty()) {
      *error = std::string(where) + " has no string \"" + std::string(key) + "\"";
    }
    return "";
  }
  return std::string(value->as_string());
}

std::string OptionalString(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

// A "bench" key (its benchmark sources) marks an exercise with benchmarks;
// false, null or an empty list turns it off.
bool HasBench(const json::object& object) {
  const json::value* value = object.if_contains("bench");
  if (value == nullptr || value->is_null()) return false;
  if (value->is_bool()) return value->as_bool();
  if (value->is_array()) return !value->as_array().empty();
  return true;
}

// ParseDemoBuilds reads the optional "build" list of the "demo" object.
StatusOr<std::vector<std::string>> ParseDemoBuilds(const json::object& demo, std::string_view where) {
  std::vector<std::string> targets;
  const json::value* build = demo.if_contains("build");
  if (build == nullptr) return targets;
  const std::string invalid = std::string(where) +
                              ": \"demo\": \"build\" must be a list of target names, such as "
                              "[\"rl-service\"]";
  if (!build->is_array()) return Status::Error(invalid);
  for (const json::value& target : build->as_array()) {
    if (!target.is_string() || target.as_string().empty()) return Status::Error(invalid);
    targets.emplace_back(target.as_string());
  }
  return targets;
}

StatusOr<Exercise> ParseExercise(const json::value& value, std::string_view where) {
  if (!value.is_object()) return Status::Error(std::string(where) + " is not a JSON object");
  const json::object& object = value.as_object();

  std::string error;
  Exercise exercise;
  exercise.name = RequireString(object, "name", where, &error);
  exercise.file = RequireString(object, "file", where, &error);
  exercise.reference = RequireString(object, "reference", where, &error);
  exercise.title = OptionalString(object, "title");
  exercise.hints = OptionalString(object, "hints");
  exercise.has_bench = HasBench(object);
  if (!error.empty()) return Status::Error(error);
  if (exercise.title.empty()) exercise.title = exercise.name;

  if (const json::value* mutants = object.if_contains("mutants"); mutants != nullptr) {
    if (!mutants->is_array()) return Status::Error(std::string(where) + ": \"mutants\" is not an array");
    for (const json::value& entry : mutants->as_array()) {
      if (!entry.is_object()) return Status::Error(std::string(where) + ": a mutant is not an object");
      const std::string mutant_where = std::string(where) + " " + exercise.name + " mutant";
      Mutant mutant;
      mutant.name = RequireString(entry.as_object(), "name", mutant_where, &error);
      mutant.patch = RequireString(entry.as_object(), "patch", mutant_where, &error);
      mutant.description = OptionalString(entry.as_object(), "description");
      if (!error.empty()) return Status::Error(error);
      exercise.mutants.push_back(std::move(mutant));
    }
  }
  return exercise;
}

}  // namespace

std::string Lab::ExerciseNames() const {
  std::vector<std::string> names;
  for (const Exercise& exercise : exercises) names.push_back(exercise.name);
  return JoinNames(names);
}

std::vector<std::string> ListLabNames(const Layout& layout) {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(layout.LabsDir(), error)) {
    if (entry.is_directory(error) && fs::is_regular_file(entry.path() / "lab.json", error)) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<Lab> LoadLab(const Layout& layout, std::string_view name) {
  // Accept only a listed lab name, which also keeps paths inside labs/.
  const std::vector<std::string> names = ListLabNames(layout);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return Status::Error("unknown lab '" + std::string(name) + "': valid labs are " +
                         JoinNames(names) + ". See them with ./labkit list");
  }

  Lab lab;
  lab.name = std::string(name);
  lab.dir = layout.LabsDir() / lab.name;
  const fs::path manifest_path = lab.dir / "lab.json";
  const std::string where = layout.Relative(manifest_path);

  StatusOr<std::string> text = ReadFile(manifest_path);
  if (!text.ok()) return text.status();
  std::error_code parse_error;
  json::value document = json::parse(text.value(), parse_error);
  if (parse_error) return Status::Error(where + " is not valid JSON: " + parse_error.message());
  if (!document.is_object()) return Status::Error(where + " is not a JSON object");
  const json::object& root = document.as_object();

  lab.title = OptionalString(root, "title");
  if (lab.title.empty()) lab.title = lab.name;
  if (const json::value* demo = root.if_contains("demo"); demo != nullptr && demo->is_object()) {
    lab.demo_target = OptionalString(demo->as_object(), "target");
    StatusOr<std::vector<std::string>> builds = ParseDemoBuilds(demo->as_object(), where);
    if (!builds.ok()) return builds.status();
    lab.demo_builds = std::move(builds.value());
  }

  const json::value* exercises = root.if_contains("exercises");
  if (exercises == nullptr || !exercises->is_array()) {
    return Status::Error(where + " has no \"exercises\" array");
  }
  for (const json::value& entry : exercises->as_array()) {
    StatusOr<Exercise> exercise = ParseExercise(entry, where);
    if (!exercise.ok()) return exercise.status();
    lab.exercises.push_back(std::move(exercise.value()));
  }
  return lab;
}

StatusOr<std::vector<Lab>> LoadLabs(const Layout& layout, std::string_view name) {
  std::vector<std::string> names;
  if (name.empty()) {
    names = ListLabNames(layout);
  } else {
    names.emplace_back(name);
  }

  std::vector<Lab> labs;
  for (const std::string& lab_name : names) {
    StatusOr<Lab> lab = LoadLab(layout, lab_name);
    if (!lab.ok()) return lab.status();
    labs.push_back(std::move(lab.value()));
  }
  if (labs.empty()) return Status::Error("no labs found: expected labs/<lab>/lab.json under " + layout.root.string());
  return labs;
}

StatusOr<std::vector<const Exercise*>> SelectExercises(const Lab& lab, std::string_view name) {
  std::vector<const Exercise*> selected;
  for (const Exercise& exercise : lab.exercises) {
    if (name.empty() || exercise.name == name) selected.push_back(&exercise);
  }
  if (selected.empty()) {
    return Status::Error("unknown exercise '" + std::string(name) + "' in lab " + lab.name +
                         ": valid exercises are " + lab.ExerciseNames());
  }
  return selected;
}

}  // namespace labkit::cli
