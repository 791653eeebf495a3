// Exercise: the RBAC/ABAC policy evaluator.
//
// Implement Evaluate, EvaluateRule and Policy::Check below. The parser
// (given, in auth/src/policy_file.cc) has already turned the policy file
// into the index that Check reads: auth/include/auth/internal/policy_index.h.
// Resolve, CompareValues, FindSymbol, BucketList and the Truth and
// RuleOutcome types are given in auth/include/auth/internal/policy_eval.h.
// The rules of a decision are in auth/include/auth/policy.h.
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

#include <stdexcept>

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

// TODO: Evaluate every condition of the rule. The outcome is kFalse if any
// condition is false, else kUnknown if any is unknown (remember the index
// of the first unknown one in unknown_condition), else kTrue.
[[maybe_unused]] RuleOutcome EvaluateRule(
    [[maybe_unused]] const Rule& rule,
    [[maybe_unused]] const Subject& subject,
    [[maybe_unused]] const Resource& resource,
    [[maybe_unused]] const AccessRequest& request) {
  throw std::logic_error(
      "not implemented yet: EvaluateRule (see labs/auth/hints/policy.md)");
}

}  // namespace

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

}  // namespace auth
