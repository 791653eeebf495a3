// The policy engine: Check, over the index that loading builds
// (policy_file.cc), with the helpers of policy_eval.h.
#include <string>

#include "auth/internal/policy_eval.h"
#include "auth/internal/policy_index.h"
#include "auth/policy.h"

namespace auth {
namespace {

using internal::Bucket;
using internal::BucketList;
using internal::CompareOp;
using internal::CompareValues;
using internal::Condition;
using internal::FindSymbol;
using internal::Resolve;
using internal::Rule;
using internal::RuleOutcome;
using internal::Truth;
using internal::Value;

// Evaluate decides one condition. It is kUnknown when the left operand is
// missing, the two sides have different kinds, or an ordering operator
// meets booleans or strings.
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

// EvaluateRule returns the conjunction of the rule's conditions, as
// RuleOutcome describes.
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

}  // namespace

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

}  // namespace auth
