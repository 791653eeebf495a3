// Policy exercise: the specification, step by step.
//
// Each test loads a small policy with the given parser and checks one rule
// of the decision: deny overrides allow, fail closed, default deny, role
// inheritance, wildcards, and the types a condition compares.

#include "auth/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using auth::AccessDecision;
using auth::AccessRequest;
using auth::DecisionReason;
using auth::Policy;
using auth::Resource;
using auth::Subject;

// Load parses `text` as the policy file "policy.txt".
Policy Load(const std::string& text) {
  auth::Result<Policy> policy = Policy::Parse(text, "policy.txt");
  EXPECT_TRUE(policy.ok()) << "the test's policy must load: "
                           << (policy.ok() ? "" : policy.error().message);
  return std::move(policy).value();
}

Subject User(std::vector<std::string> roles, std::string id = "alice",
             std::string tenant = "acme") {
  Subject subject;
  subject.id = std::move(id);
  subject.tenant = std::move(tenant);
  subject.roles = std::move(roles);
  return subject;
}

Resource Document(std::string owner = "alice", std::string tenant = "acme") {
  Resource resource;
  resource.type = "document";
  resource.id = "doc-1";
  resource.owner = std::move(owner);
  resource.tenant = std::move(tenant);
  return resource;
}

Resource OfType(std::string type) {
  Resource resource;
  resource.type = std::move(type);
  return resource;
}

AccessRequest Action(std::string action) {
  AccessRequest request;
  request.action = std::move(action);
  return request;
}

// RuleLine returns the deciding rule's line, or 0 when there is none.
int RuleLine(const AccessDecision& decision) {
  return decision.rule == nullptr ? 0 : decision.rule->line;
}

TEST(PolicyExerciseTest, AllowRuleWithConditions) {
  Policy policy = Load(
      "role viewer\n"
      "allow viewer read document when resource.tenant == subject.tenant\n");

  AccessDecision same =
      policy.Check(User({"viewer"}), Document(), Action("read"));
  EXPECT_TRUE(same.allowed)
      << "a viewer reads a document of their own tenant (line 2)";
  EXPECT_EQ(same.reason, DecisionReason::kAllowedByRule)
      << "an allowed request is kAllowedByRule";
  EXPECT_EQ(RuleLine(same), 2)
      << "the decision must point at the allow rule on line 2";

  AccessDecision other =
      policy.Check(User({"viewer"}), Document("bob", "globex"), Action("read"));
  EXPECT_FALSE(other.allowed)
      << "a viewer of tenant acme must not read a document of tenant globex";
  EXPECT_EQ(other.reason, DecisionReason::kNoRuleAllowed)
      << "a false condition means the rule does not apply: default deny";
  EXPECT_EQ(other.rule, nullptr) << "a default deny names no rule";
}

TEST(PolicyExerciseTest, DefaultDeny) {
  Policy policy = Load("role viewer\nallow viewer read document\n");

  AccessDecision write =
      policy.Check(User({"viewer"}), Document(), Action("write"));
  EXPECT_FALSE(write.allowed) << "no rule allows a viewer to write";
  EXPECT_EQ(write.reason, DecisionReason::kNoRuleAllowed)
      << "with no matching rule the answer is the default deny";

  AccessDecision no_role = policy.Check(User({}), Document(), Action("read"));
  EXPECT_FALSE(no_role.allowed) << "a subject without roles gets nothing";

  AccessDecision undeclared =
      policy.Check(User({"superuser"}), Document(), Action("read"));
  EXPECT_FALSE(undeclared.allowed)
      << "a role the policy does not declare is ignored, not trusted";
}

TEST(PolicyExerciseTest, DenyOverridesAllowInAnyOrder) {
  // The allow rule comes first in the file: order must not matter.
  Policy policy = Load(
      "role editor\n"
      "allow editor delete document\n"
      "deny editor delete document when resource.locked == true\n");
  Resource locked = Document();
  locked.attributes["locked"] = true;

  AccessDecision d = policy.Check(User({"editor"}), locked, Action("delete"));
  EXPECT_FALSE(d.allowed) << "a matching deny rule overrides a matching allow "
                             "rule, even one written before it";
  EXPECT_EQ(d.reason, DecisionReason::kDeniedByRule)
      << "the deny rule decided, so the reason is kDeniedByRule";
  EXPECT_EQ(RuleLine(d), 3) << "the decision must name the deny rule (line 3)";

  Resource unlocked = Document();
  unlocked.attributes["locked"] = false;
  EXPECT_TRUE(
      policy.Check(User({"editor"}), unlocked, Action("delete")).allowed)
      << "with locked == false the deny rule does not apply, and the allow "
         "rule does";
}

TEST(PolicyExerciseTest, UnevaluableDenyFailsClosed) {
  Policy policy = Load(
      "role editor\n"
      "allow editor delete document\n"
      "deny editor delete document when resource.locked == true\n");

  // No "locked" attribute at all: the deny rule cannot be evaluated.
  AccessDecision missing =
      policy.Check(User({"editor"}), Document(), Action("delete"));
  EXPECT_FALSE(missing.allowed)
      << "a deny rule whose attribute is missing must deny (fail closed): "
         "a forgotten attribute must never open access";
  EXPECT_EQ(missing.reason, DecisionReason::kDeniedUnevaluable)
      << "the reason is kDeniedUnevaluable";
  EXPECT_EQ(missing.condition, 0)
      << "the decision must give the index of the condition that could not "
         "be evaluated (0, the only one)";

  // "locked" is a string: the two sides have different types.
  Resource text = Document();
  text.attributes["locked"] = std::string("true");
  AccessDecision mistyped =
      policy.Check(User({"editor"}), text, Action("delete"));
  EXPECT_FALSE(mistyped.allowed)
      << "\"true\" (a string) == true (a boolean) cannot be evaluated, so "
         "the deny rule must deny";
  EXPECT_EQ(mistyped.reason, DecisionReason::kDeniedUnevaluable)
      << "a type mismatch in a deny rule is kDeniedUnevaluable";
}

TEST(PolicyExerciseTest, UnevaluableAllowDoesNotApply) {
  Policy policy = Load(
      "role admin\n"
      "allow admin delete document when request.mfa == true\n");

  AccessDecision d =
      policy.Check(User({"admin"}), Document(), Action("delete"));
  EXPECT_FALSE(d.allowed) << "an allow rule whose attribute (request.mfa) is "
                             "missing does not apply";
  EXPECT_EQ(d.reason, DecisionReason::kNoRuleAllowed)
      << "an unevaluable allow rule leads to the default deny";

  AccessRequest with_mfa = Action("delete");
  with_mfa.attributes["mfa"] = true;
  EXPECT_TRUE(policy.Check(User({"admin"}), Document(), with_mfa).allowed)
      << "with request.mfa == true the admin may delete";
}

TEST(PolicyExerciseTest, EmptyFieldsNeverMatch) {
  Policy policy = Load(
      "role editor\n"
      "allow editor write document when resource.owner == subject.id\n");

  EXPECT_TRUE(policy.Check(User({"editor"}), Document("alice"), Action("write"))
                  .allowed)
      << "alice owns the document, so she may write it";
  EXPECT_FALSE(
      policy.Check(User({"editor"}), Document("bob"), Action("write")).allowed)
      << "alice must not write bob's document";
  EXPECT_FALSE(
      policy.Check(User({"editor"}, ""), Document(""), Action("write")).allowed)
      << "an empty owner and an empty subject id are both missing, never "
         "equal: a document without an owner belongs to nobody";
}

TEST(PolicyExerciseTest, RolesInheritTransitively) {
  Policy policy = Load(
      "role viewer\n"
      "role editor inherits viewer\n"
      "role admin inherits editor\n"
      "allow viewer read document\n"
      "allow editor write document\n"
      "deny viewer export document\n");

  EXPECT_TRUE(policy.Check(User({"admin"}), Document(), Action("read")).allowed)
      << "admin inherits editor, which inherits viewer's read";
  EXPECT_TRUE(
      policy.Check(User({"admin"}), Document(), Action("write")).allowed)
      << "admin inherits editor's write";
  EXPECT_FALSE(
      policy.Check(User({"viewer"}), Document(), Action("write")).allowed)
      << "inheritance goes one way: a viewer does not get editor's write";
  EXPECT_FALSE(
      policy.Check(User({"admin"}), Document(), Action("export")).allowed)
      << "an inherited deny rule applies too: admin inherits viewer's deny";
}

TEST(PolicyExerciseTest, WildcardsMatchAnything) {
  Policy policy = Load(
      "role viewer\n"
      "role admin\n"
      "allow * read status\n"
      "allow admin * settings\n"
      "allow viewer read *\n"
      "deny * * secret\n"
      "allow admin read secret\n");

  EXPECT_TRUE(
      policy.Check(User({"admin"}), OfType("status"), Action("read")).allowed)
      << "'allow * read status' applies to every role, admin included";
  EXPECT_TRUE(policy.Check(User({"admin"}), OfType("settings"), Action("reset"))
                  .allowed)
      << "'allow admin * settings' applies to any action, even one no rule "
         "names";
  EXPECT_TRUE(
      policy.Check(User({"viewer"}), OfType("invoice"), Action("read")).allowed)
      << "'allow viewer read *' applies to any resource type, even one no "
         "rule names";

  AccessDecision secret =
      policy.Check(User({"admin"}), OfType("secret"), Action("read"));
  EXPECT_FALSE(secret.allowed)
      << "'deny * * secret' applies to every role and action, and overrides "
         "'allow admin read secret'";
  EXPECT_EQ(RuleLine(secret), 6) << "the deny rule on line 6 decided";
}

TEST(PolicyExerciseTest, OrderingComparesIntegersOnly) {
  Policy policy = Load(
      "role viewer\n"
      "allow viewer read report when subject.clearance >= resource.level\n");
  Subject user = User({"viewer"});
  Resource report = OfType("report");

  user.attributes["clearance"] = std::int64_t{3};
  report.attributes["level"] = std::int64_t{3};
  EXPECT_TRUE(policy.Check(user, report, Action("read")).allowed)
      << "clearance 3 >= level 3";

  report.attributes["level"] = std::int64_t{4};
  EXPECT_FALSE(policy.Check(user, report, Action("read")).allowed)
      << "clearance 3 < level 4";

  user.attributes["clearance"] = std::string("secret");
  report.attributes["level"] = std::string("public");
  AccessDecision strings = policy.Check(user, report, Action("read"));
  EXPECT_FALSE(strings.allowed)
      << "\"secret\" >= \"public\" is true as text, but ordering operators "
         "compare integers only: the condition cannot be evaluated";
}

TEST(PolicyExerciseTest, DecisionExplainsItself) {
  Policy policy = Load(
      "role editor\n"
      "deny * delete document when resource.locked == true\n");
  AccessDecision d =
      policy.Check(User({"editor"}), Document(), Action("delete"));
  ASSERT_NE(d.rule, nullptr) << "a deny by rule must name the rule";
  EXPECT_NE(d.Explanation().find("policy.txt:2"), std::string::npos)
      << "the explanation must name the file and line of the deciding rule; "
         "got: "
      << d.Explanation();
}

}  // namespace
