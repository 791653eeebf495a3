#include "auth/json_strict.h"

#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include "text_internal.h"

namespace auth {
namespace {

namespace json = boost::json;

// StrictHandler builds the value with Boost's value_stack, as
// boost::json::parser does. It finds duplicate member names in one of two
// modes:
//   kCount  counts the members each object declared. value_stack keeps
//           only the last of several equal names (documented in
//           value_stack::push_object), so a built tree with fewer members
//           than declared had a duplicate. This costs no allocation.
//   kName   keeps one set of names per open object and stops at the first
//           duplicate, to name it in the error.
// ParseStrictObject runs kCount first and reruns kName only on failure.
class StrictHandler {
 public:
  enum class Mode { kCount, kName };

  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  explicit StrictHandler(Mode mode)
      : mode_(mode), stack_({}, stack_buffer_, sizeof(stack_buffer_)) {
    stack_.reset();
  }

  // declared_members is the number of members of every object, duplicates
  // included.
  std::size_t declared_members() const { return declared_members_; }
  // duplicate_name is the repeated member name, once a kName parse failed
  // on one.
  const std::string& duplicate_name() const { return duplicate_name_; }
  bool found_duplicate() const { return found_duplicate_; }
  json::value Release() { return stack_.release(); }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code&) {
    if (mode_ == Mode::kName) names_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    if (mode_ == Mode::kName) names_.pop_back();
    declared_members_ += n;
    stack_.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack_.push_array(n);
    return true;
  }

  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (mode_ == Mode::kName) key_.append(s.data(), s.size());
    stack_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    if (mode_ == Mode::kName) {
      key_.append(s.data(), s.size());
      if (!names_.back().insert(key_).second) {
        // Stop here: the caller reports the duplicate, not this code.
        found_duplicate_ = true;
        duplicate_name_ = std::move(key_);
        ec = json::error::syntax;
        return false;
      }
      key_.clear();
    }
    stack_.push_key(s);
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack_.push_string(s);
    return true;
  }

  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    stack_.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack_.push_null();
    return true;
  }

  // Comments are disabled in the parse options, so these never run.
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  Mode mode_;
  // value_stack's working memory until it needs more: a JOSE header or a
  // claims set fits, so parsing one allocates only the values it returns.
  unsigned char stack_buffer_[1024];
  json::value_stack stack_;
  std::size_t declared_members_ = 0;
  std::vector<std::unordered_set<std::string>> names_;  // kName only
  std::string key_;  // the member name being read, across key parts
  bool found_duplicate_ = false;
  std::string duplicate_name_;
};

// CountMembers returns the number of members of every object in `value`.
std::size_t CountMembers(const json::value& value) {
  std::size_t count = 0;
  if (const json::object* object = value.if_object()) {
    count += object->size();
    for (const auto& member : *object) count += CountMembers(member.value());
  } else if (const json::array* array = value.if_array()) {
    for (const json::value& element : *array) count += CountMembers(element);
  }
  return count;
}

json::parse_options StrictOptions(const StrictJsonLimits& limits) {
  // The strictest options: no comments, no trailing commas, valid UTF-8
  // only.
  json::parse_options options;
  options.max_depth = limits.max_depth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  return options;
}

// Parse parses `text` in `mode`. A kCount parse that finds a duplicate
// returns kDuplicateMember without the name.
Result<json::object> Parse(std::string_view text,
                           const StrictJsonLimits& limits,
                           StrictHandler::Mode mode) {
  json::basic_parser<StrictHandler> parser(StrictOptions(limits), mode);
  json::error_code ec;
  const std::size_t consumed =
      parser.write_some(false, text.data(), text.size(), ec);

  // Report a duplicate name before the generic syntax error it raised.
  if (parser.handler().found_duplicate()) {
    return MakeError(ErrorCode::kDuplicateMember,
                     "duplicate member name '" +
                         Printable(parser.handler().duplicate_name()) +
                         "' in a JSON object: each name may appear once");
  }
  if (ec) {
    return MakeError(ErrorCode::kInvalidJson,
                     "invalid JSON at offset " + std::to_string(consumed) +
                         ": " + ec.message());
  }

  // write_some stops after one complete value; anything after it is an
  // error here.
  if (consumed != text.size()) {
    return MakeError(ErrorCode::kInvalidJson,
                     "invalid JSON: unexpected data after the object at "
                     "offset " + std::to_string(consumed));
  }

  json::value value = parser.handler().Release();
  if (mode == StrictHandler::Mode::kCount &&
      CountMembers(value) != parser.handler().declared_members()) {
    return MakeError(ErrorCode::kDuplicateMember,
                     "duplicate member name in a JSON object");
  }
  if (!value.is_object()) {
    return MakeError(ErrorCode::kInvalidJson,
                     "invalid JSON: the top level is not an object");
  }
  return std::move(value.as_object());
}

}  // namespace

Result<boost::json::object> ParseStrictObject(std::string_view text,
                                              const StrictJsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return MakeError(ErrorCode::kInvalidJson,
                     "invalid JSON: " + std::to_string(text.size()) +
                         " bytes is over the limit of " +
                         std::to_string(limits.max_bytes));
  }

  // The fast parse decides valid input. Any failure reruns the naming
  // parse, which stops at the first duplicate name as it is read, so the
  // error is the same whichever parse found it.
  Result<json::object> counted =
      Parse(text, limits, StrictHandler::Mode::kCount);
  if (counted.ok()) return counted;
  return Parse(text, limits, StrictHandler::Mode::kName);
}

}  // namespace auth
