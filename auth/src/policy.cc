// The policy engine: Check, over the index that loading builds
// (policy_file.cc).
#include <array>
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

Value Resolve(const Operand& operand, const Subject& subject,
              const Resource& resource, const AccessRequest& request) {
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

Truth FromBool(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

template <typename T>
Truth CompareValues(const T& a, CompareOp op, const T& b) {
  switch (op) {
    case CompareOp::kEq: return FromBool(a == b);
    case CompareOp::kNe: return FromBool(a != b);
    case CompareOp::kLt: return FromBool(a < b);
    case CompareOp::kLe: return FromBool(a <= b);
    case CompareOp::kGt: return FromBool(a > b);
    case CompareOp::kGe: return FromBool(a >= b);
  }
  return Truth::kUnknown;
}

Truth Evaluate(const Condition& condition, const Subject& subject,
               const Resource& resource, const AccessRequest& request) {
  const Value left = Resolve(condition.left, subject, resource, request);
  const Value right = Resolve(condition.right, subject, resource, request);
  if (left.kind == Value::Kind::kMissing || left.kind != right.kind) {
    return Truth::kUnknown;
  }

  const bool ordering =
      condition.op != CompareOp::kEq && condition.op != CompareOp::kNe;
  switch (left.kind) {
    case Value::Kind::kInteger:
      return CompareValues(left.integer, condition.op, right.integer);
    case Value::Kind::kBool:
      if (ordering) return Truth::kUnknown;
      return CompareValues(left.boolean, condition.op, right.boolean);
    case Value::Kind::kString:
      if (ordering) return Truth::kUnknown;
      return CompareValues(left.string, condition.op, right.string);
    case Value::Kind::kMissing:
      break;
  }
  return Truth::kUnknown;
}

// RuleOutcome is the conjunction of a rule's conditions: false if any is
// false, else unknown if any is unknown (with the first such index).
struct RuleOutcome {
  Truth truth = Truth::kTrue;
  int unknown_condition = -1;
};

RuleOutcome EvaluateRule(const Rule& rule, const Subject& subject,
                         const Resource& resource,
                         const AccessRequest& request) {
  RuleOutcome outcome;
  for (std::size_t i = 0; i < rule.conditions.size(); ++i) {
    const Truth truth = Evaluate(rule.conditions[i], subject, resource, request);
    if (truth == Truth::kFalse) return RuleOutcome{Truth::kFalse, -1};
    if (truth == Truth::kUnknown && outcome.truth == Truth::kTrue) {
      outcome = RuleOutcome{Truth::kUnknown, static_cast<int>(i)};
    }
  }
  return outcome;
}

std::uint32_t FindSymbol(const internal::SymbolTable& table,
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

AccessDecision Policy::Check(const Subject& subject, const Resource& resource,
                             const AccessRequest& request) const {
  const Compiled& c = *compiled_;

  // Gather the buckets that can match: for each of the subject's roles and
  // the "*" role, the exact (action, type) and its wildcard forms. An
  // action or type that no rule names can match only wildcards.
  bool action_known = false;
  bool type_known = false;
  const std::uint32_t action = FindSymbol(c.actions, request.action, action_known);
  const std::uint32_t type = FindSymbol(c.types, resource.type, type_known);
  BucketList buckets;
  auto add_role = [&](std::uint32_t role) {
    auto add = [&](std::uint32_t a, std::uint32_t t) {
      auto found = c.buckets.find(internal::BucketKey(role, a, t));
      if (found != c.buckets.end()) buckets.Add(&found->second);
    };
    if (action_known && type_known) add(action, type);
    if (action_known) add(action, internal::kAnyId);
    if (type_known) add(internal::kAnyId, type);
    add(internal::kAnyId, internal::kAnyId);
  };
  add_role(internal::kAnyId);
  for (const std::string& name : subject.roles) {
    bool role_known = false;
    const std::uint32_t role = FindSymbol(c.roles, name, role_known);
    if (role_known && role != internal::kAnyId) add_role(role);
  }

  // Deny overrides allow: every deny rule is checked before any allow rule.
  AccessDecision decision;
  bool decided = false;
  buckets.ForEach([&](const Bucket& bucket) {
    for (const Rule* rule : bucket.deny) {
      if (decided) return;
      const RuleOutcome outcome = EvaluateRule(*rule, subject, resource, request);
      if (outcome.truth == Truth::kFalse) continue;
      decision.reason = outcome.truth == Truth::kTrue
                            ? DecisionReason::kDeniedByRule
                            : DecisionReason::kDeniedUnevaluable;
      decision.rule = &rule->source;
      decision.condition = outcome.unknown_condition;
      decided = true;
    }
  });
  if (decided) return decision;

  buckets.ForEach([&](const Bucket& bucket) {
    for (const Rule* rule : bucket.allow) {
      if (decided) return;
      if (EvaluateRule(*rule, subject, resource, request).truth != Truth::kTrue) {
        continue;
      }
      decision.allowed = true;
      decision.reason = DecisionReason::kAllowedByRule;
      decision.rule = &rule->source;
      decided = true;
    }
  });
  return decision;  // default deny when no allow rule applied
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
