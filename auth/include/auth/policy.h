// Policy: role-based and attribute-based authorization (RBAC with ABAC
// conditions), loaded from a policy file and checked in well under a
// microsecond.
//
// The policy file, one statement per line ('#' starts a comment):
//
//   role viewer
//   role editor inherits viewer
//   role admin inherits editor, auditor
//
//   allow viewer read document when resource.tenant == subject.tenant
//   allow editor write document when resource.owner == subject.id
//   deny * delete document when resource.locked == true
//   allow admin * * when request.mfa == true
//
// A role inherits every rule of the roles it names, transitively; an
// inheritance cycle is an error. A rule is
//   (allow|deny) ROLE ACTION RESOURCE_TYPE [when CONDITION and CONDITION ...]
// where ROLE, ACTION and RESOURCE_TYPE may be '*' (any). A condition
// compares two operands with ==, !=, <, <=, > or >=. An operand is an
// attribute (subject.id, subject.tenant, resource.id, resource.type,
// resource.owner, resource.tenant, request.action, or subject.NAME,
// resource.NAME, request.NAME for any other attribute), a "string" in
// double quotes (no escapes), an integer, true or false. The ordering
// operators compare integers only; == and != compare values of the same
// type. There is no "or": write a second rule.
//
// Decisions, in this order:
//   1. Deny overrides allow: if any matching deny rule's conditions hold, the
//      request is denied.
//   2. A deny rule whose condition cannot be evaluated (an attribute is
//      missing, or the two sides have different types) also denies: the
//      engine fails closed.
//   3. Else, if a matching allow rule's conditions all hold, it is allowed.
//   4. Else it is denied by default. An allow rule whose condition cannot
//      be evaluated does not apply.
// An empty id, tenant or owner counts as missing, so "resource.owner ==
// subject.id" is never true between two empty strings.
//
// Speed: loading indexes the rules by (role, action, resource type), with
// each role's inherited rules copied into its own lists, so a check looks
// only at the few rules that can match, however many the policy has.
// bench/auth/policy_bench.cc measured about 190 ns of CPU per check with
// 10,000 rules (RelWithDebInfo, GCC 12, one core of a 2-core x86-64 VM).
//
// Every load error is kInvalidPolicy with a message "file:line: ..." that
// names the offending text, for example
//   policy.txt:7: unknown role 'edtor' in rule; declare it with 'role edtor'
//
// Example:
//   auth::Result<auth::Policy> policy = auth::Policy::LoadFile("policy.txt");
//   auth::AccessDecision d = policy.value().Check(subject, resource, request);
//   if (!d.allowed) spdlog::info("{}", d.Explanation());
//
// Thread-safety: a Policy is immutable after loading; Check from any number
// of threads is safe. Copies share the loaded rules.
//
// This header is deliberately light (standard library and auth/errors.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/errors.h"

namespace auth {

// AttributeValue is the value of one attribute: a boolean, an integer or a
// string.
using AttributeValue = std::variant<bool, std::int64_t, std::string>;

// Attributes maps attribute names to values. Look-ups take string_view.
using Attributes = std::map<std::string, AttributeValue, std::less<>>;

// Subject is who acts: a user or a service.
struct Subject {
  std::string id;
  std::string tenant;
  std::vector<std::string> roles;  // roles the policy does not declare are ignored
  Attributes attributes;
};

// Resource is what is acted on.
struct Resource {
  std::string type;
  std::string id;
  std::string owner;   // the owning subject's id, or empty
  std::string tenant;
  Attributes attributes;
};

// AccessRequest is the action and the request's own attributes (whether
// the session passed MFA, the client's network, the hour...).
struct AccessRequest {
  std::string action;
  Attributes attributes;
};

enum class Effect { kAllow, kDeny };

// PolicyRule is one rule as written in the policy file.
struct PolicyRule {
  Effect effect = Effect::kDeny;
  std::string role;           // or "*"
  std::string action;         // or "*"
  std::string resource_type;  // or "*"
  std::string text;           // the statement, without its comment
  std::vector<std::string> conditions;  // each condition, as written
  std::string file;
  int line = 0;
};

enum class DecisionReason {
  kAllowedByRule,       // an allow rule matched and no deny rule did
  kDeniedByRule,        // a deny rule matched
  kDeniedUnevaluable,   // a deny rule's condition could not be evaluated
  kNoRuleAllowed,       // default deny: no allow rule matched
};

// AccessDecision is the outcome of one check.
struct AccessDecision {
  bool allowed = false;
  DecisionReason reason = DecisionReason::kNoRuleAllowed;
  // rule is the deciding rule, or null for kNoRuleAllowed. It points into
  // the Policy and is valid while that Policy or a copy of it lives.
  const PolicyRule* rule = nullptr;
  // condition is, for kDeniedUnevaluable, the index of the condition that
  // could not be evaluated; -1 otherwise.
  int condition = -1;

  // Explanation returns why, in one line, for logs and for the person who
  // wrote the policy, for example
  //   denied by rule policy.txt:3: deny * delete document when ...
  std::string Explanation() const;
};

// Policy is a loaded, indexed set of roles and rules.
class Policy {
 public:
  // Parse loads a policy from `text`; `file_name` is used in error messages
  // and explanations.
  static Result<Policy> Parse(std::string_view text, std::string_view file_name);

  // LoadFile reads and parses the policy file at `path`. Errors: see Parse,
  // and kInvalidPolicy when the file cannot be read.
  static Result<Policy> LoadFile(const std::string& path);

  // Check decides whether `subject` may perform `request.action` on
  // `resource`. It does not allocate unless the subject has more than 16
  // roles.
  AccessDecision Check(const Subject& subject, const Resource& resource,
                       const AccessRequest& request) const;

  // rule_count returns the number of rules loaded.
  std::size_t rule_count() const;

  struct Compiled;  // defined in auth/internal/policy_index.h

 private:
  explicit Policy(std::shared_ptr<const Compiled> compiled);

  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace auth
