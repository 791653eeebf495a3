// Exercise: the RBAC/ABAC policy evaluator.
//
// Implement Evaluate and Policy::Check below. The parser (given, in
// auth/src/policy_file.cc) has already turned the policy file into the
// index that Check reads: auth/include/auth/internal/policy_index.h. The
// rules of a decision are in auth/include/auth/policy.h.
//
//   Check your work:  ./labkit check auth policy
//   Get a hint:       ./labkit hint auth policy
//
// Rules the tests enforce:
//   - Deny overrides allow, whatever order the rules were written in.
//   - A deny rule whose condition cannot be evaluated (a missing or empty
//     attribute, two sides of different types) denies: fail closed. An
//     allow rule that cannot be evaluated does not apply.
//   - With no matching allow rule, the decision is deny (default deny).
//   - A role gets the rules of every role it inherits; '*' matches any
//     role, action or resource type.
//   - <, <=, > and >= compare integers only; on strings or booleans the
//     condition cannot be evaluated.
//   - Every decision names its rule (AccessDecision::rule), so
//     Explanation() can say why.

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

#include "auth/policy.h"
#include "auth/internal/policy_index.h"

namespace auth {
namespace {

using internal::Bucket;
using internal::CompareOp;
using internal::Condition;
using internal::Operand;
using internal::OperandKind;
using internal::Rule;

// Value is an operand's value during a check, borrowed from the inputs or
// the policy. Its kind is kMissing when the attribute is absent or the
// field is empty.
struct Value {
  enum class Kind { kMissing, kBool, kInteger, kString };
  Kind kind = Kind::kMissing;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string_view string;
};

Value FromField(const std::string& field) {
  if (field.empty()) return {};
  return Value{Value::Kind::kString, false, 0, field};
}

Value FromAttributeValue(const AttributeValue& value) {
  if (const bool* b = std::get_if<bool>(&value)) {
    return Value{Value::Kind::kBool, *b, 0, {}};
  }
  if (const std::int64_t* i = std::get_if<std::int64_t>(&value)) {
    return Value{Value::Kind::kInteger, false, *i, {}};
  }
  return Value{Value::Kind::kString, false, 0, std::get<std::string>(value)};
}

Value FromAttributes(const Attributes& attributes, const std::string& name) {
  auto found = attributes.find(name);
  if (found == attributes.end()) return {};
  return FromAttributeValue(found->second);
}

[[maybe_unused]] Value Resolve(const Operand& operand,
                               const Subject& subject,
                               const Resource& resource,
                               const AccessRequest& request) {
  switch (operand.kind) {
    case OperandKind::kLiteral: return FromAttributeValue(operand.literal);
    case OperandKind::kSubjectId: return FromField(subject.id);
    case OperandKind::kSubjectTenant: return FromField(subject.tenant);
    case OperandKind::kSubjectAttribute:
      return FromAttributes(subject.attributes, operand.name);
    case OperandKind::kResourceId: return FromField(resource.id);
    case OperandKind::kResourceType: return FromField(resource.type);
    case OperandKind::kResourceOwner: return FromField(resource.owner);
    case OperandKind::kResourceTenant: return FromField(resource.tenant);
    case OperandKind::kResourceAttribute:
      return FromAttributes(resource.attributes, operand.name);
    case OperandKind::kRequestAction: return FromField(request.action);
    case OperandKind::kRequestAttribute:
      return FromAttributes(request.attributes, operand.name);
  }
  return {};
}

// Truth is a condition's outcome; kUnknown when it cannot be evaluated.
enum class Truth { kFalse, kTrue, kUnknown };

[[maybe_unused]] Truth FromBool(bool b) {
  return b ? Truth::kTrue : Truth::kFalse;
}

// TODO: Resolve both operands. The condition is kUnknown when the left one
// is missing or the two have different kinds. Otherwise compare them with
// condition.op: integers with any operator, booleans and strings with ==
// and != only (an ordering operator on them is kUnknown).
[[maybe_unused]] Truth Evaluate(
    [[maybe_unused]] const Condition& condition,
    [[maybe_unused]] const Subject& subject,
    [[maybe_unused]] const Resource& resource,
    [[maybe_unused]] const AccessRequest& request) {
  throw std::logic_error(
      "not implemented yet: Evaluate (see labs/auth/hints/policy.md)");
}

[[maybe_unused]] std::uint32_t FindSymbol(
    const internal::SymbolTable& table,
                         std::string_view name, bool& found) {
  auto it = table.find(name);
  found = it != table.end();
  return found ? it->second : internal::kAnyId;
}

// BucketList collects the buckets a check reads, without allocating for
// subjects of up to 16 roles.
class BucketList {
 public:
  void Add(const Bucket* bucket) {
    if (size_ < inline_.size()) {
      inline_[size_++] = bucket;
    } else {
      overflow_.push_back(bucket);
    }
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (std::size_t i = 0; i < size_; ++i) f(*inline_[i]);
    for (const Bucket* bucket : overflow_) f(*bucket);
  }

 private:
  std::array<const Bucket*, 4 * 17> inline_{};
  std::size_t size_ = 0;
  std::vector<const Bucket*> overflow_;
};

}  // namespace

Policy::Policy(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}

std::size_t Policy::rule_count() const { return compiled_->rules.size(); }

// TODO: Gather the buckets that can match (for the "*" role and each of
// the subject's known roles: the exact action and type, each with "*", and
// "*" for both), then evaluate every deny rule before any allow rule. A
// rule applies when all its conditions are true; a deny rule also applies
// when one is kUnknown. Fill in allowed, reason, rule and condition.
AccessDecision Policy::Check(
    [[maybe_unused]] const Subject& subject,
    [[maybe_unused]] const Resource& resource,
    [[maybe_unused]] const AccessRequest& request) const {
  throw std::logic_error(
      "not implemented yet: Policy::Check (see labs/auth/hints/policy.md)");
}

std::string AccessDecision::Explanation() const {
  const std::string where =
      rule == nullptr ? std::string()
                      : rule->file + ":" + std::to_string(rule->line) + ": " +
                            rule->text;
  switch (reason) {
    case DecisionReason::kAllowedByRule:
      return "allowed by rule " + where;
    case DecisionReason::kDeniedByRule:
      return "denied by rule " + where;
    case DecisionReason::kDeniedUnevaluable:
      return "denied by rule " + where + " because its condition '" +
             rule->conditions.at(static_cast<std::size_t>(condition)) +
             "' could not be evaluated (an attribute is missing or empty, or "
             "the two sides have different types), and a deny rule that "
             "cannot be evaluated applies";
    case DecisionReason::kNoRuleAllowed:
      return "denied by default: no allow rule matches the subject's roles, "
             "the action and the resource type with all its conditions true";
  }
  return "denied";
}

}  // namespace auth
