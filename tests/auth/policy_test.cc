// Tests of the authorization policy: RBAC inheritance, ABAC conditions,
// deny overrides, default deny, explanations and policy-file errors.
#include "auth/policy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace auth {
namespace {

constexpr const char* kPolicy = R"(# Roles of a document service.
role viewer
role editor inherits viewer
role auditor
role admin inherits editor, auditor

allow viewer read document when resource.tenant == subject.tenant
allow editor write document when resource.owner == subject.id
allow auditor read audit_log
deny * delete document when resource.locked == true
allow admin delete document when request.mfa == true
allow viewer read report when subject.clearance >= resource.level
deny viewer export * when subject.country != "US"
allow * read status
allow admin * settings
)";

Policy Load(const char* text = kPolicy) {
  Result<Policy> policy = Policy::Parse(text, "policy.txt");
  EXPECT_TRUE(policy.ok()) << policy.error().message;
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

Resource Doc(std::string owner = "alice", std::string tenant = "acme") {
  Resource resource;
  resource.type = "document";
  resource.id = "doc-1";
  resource.owner = std::move(owner);
  resource.tenant = std::move(tenant);
  // The deny rule on "locked" fails closed when the attribute is missing.
  resource.attributes["locked"] = false;
  return resource;
}

AccessRequest Do(std::string action) {
  AccessRequest request;
  request.action = std::move(action);
  return request;
}

TEST(PolicyRbac, RoleGetsItsOwnRules) {
  Policy policy = Load();
  AccessDecision d = policy.Check(User({"viewer"}), Doc(), Do("read"));
  EXPECT_TRUE(d.allowed) << d.Explanation();
  EXPECT_EQ(d.reason, DecisionReason::kAllowedByRule);
  ASSERT_NE(d.rule, nullptr);
  EXPECT_EQ(d.rule->line, 7) << "the viewer read rule is on line 7";
}

TEST(PolicyRbac, InheritsParentRules) {
  Policy policy = Load();
  EXPECT_TRUE(policy.Check(User({"editor"}), Doc(), Do("read")).allowed)
      << "editor inherits viewer's read";
  EXPECT_TRUE(policy.Check(User({"admin"}), Doc(), Do("read")).allowed)
      << "admin inherits viewer's read through editor";

  Resource log;
  log.type = "audit_log";
  EXPECT_TRUE(policy.Check(User({"admin"}), log, Do("read")).allowed)
      << "admin inherits auditor's read from its second parent";
  EXPECT_FALSE(policy.Check(User({"editor"}), log, Do("read")).allowed)
      << "editor does not inherit from auditor";
}

TEST(PolicyRbac, ParentDoesNotInheritChild) {
  Policy policy = Load();
  AccessDecision d = policy.Check(User({"viewer"}), Doc(), Do("write"));
  EXPECT_FALSE(d.allowed) << "viewer must not get editor's write";
  EXPECT_EQ(d.reason, DecisionReason::kNoRuleAllowed);
  EXPECT_EQ(d.rule, nullptr);
}

TEST(PolicyRbac, UnknownRolesAreIgnored) {
  Policy policy = Load();
  EXPECT_FALSE(policy.Check(User({"superuser"}), Doc(), Do("read")).allowed)
      << "a role the policy does not declare grants nothing";
  EXPECT_FALSE(policy.Check(User({}), Doc(), Do("read")).allowed)
      << "a subject without roles gets nothing but '*' rules";

  Resource status;
  status.type = "status";
  EXPECT_TRUE(policy.Check(User({}), status, Do("read")).allowed)
      << "'allow * read status' applies to every subject";
}

TEST(PolicyRbac, WildcardActionAndType) {
  Policy policy = Load();
  Resource settings;
  settings.type = "settings";
  EXPECT_TRUE(policy.Check(User({"admin"}), settings, Do("rotate-keys")).allowed)
      << "'allow admin * settings' covers an action no rule names";
  EXPECT_FALSE(policy.Check(User({"editor"}), settings, Do("read")).allowed);

  Resource image;
  image.type = "image";  // a type no rule names
  Subject abroad = User({"viewer"});
  abroad.attributes["country"] = std::string("FR");
  AccessDecision d = policy.Check(abroad, image, Do("export"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, DecisionReason::kDeniedByRule)
      << "'deny viewer export *' matches an unnamed type: " << d.Explanation();
}

TEST(PolicyAbac, OwnerMustBeSubject) {
  Policy policy = Load();
  EXPECT_TRUE(policy.Check(User({"editor"}), Doc("alice"), Do("write")).allowed)
      << "alice owns the document";
  EXPECT_FALSE(policy.Check(User({"editor"}), Doc("bob"), Do("write")).allowed)
      << "alice may not write bob's document";
}

TEST(PolicyAbac, EmptyOwnerNeverMatches) {
  Policy policy = Load();
  Subject nobody = User({"editor"}, "");
  EXPECT_FALSE(policy.Check(nobody, Doc(""), Do("write")).allowed)
      << "an empty owner and an empty subject id are missing, not equal";
}

TEST(PolicyAbac, TenantMustMatch) {
  Policy policy = Load();
  EXPECT_TRUE(policy.Check(User({"viewer"}), Doc("bob", "acme"), Do("read")).allowed);
  EXPECT_FALSE(
      policy.Check(User({"viewer"}), Doc("bob", "globex"), Do("read")).allowed)
      << "a viewer of acme may not read globex's document";
}

TEST(PolicyAbac, IntegerComparison) {
  Policy policy = Load();
  Resource report;
  report.type = "report";
  report.attributes["level"] = std::int64_t{3};
  Subject subject = User({"viewer"});

  subject.attributes["clearance"] = std::int64_t{3};
  EXPECT_TRUE(policy.Check(subject, report, Do("read")).allowed)
      << "clearance 3 >= level 3";
  subject.attributes["clearance"] = std::int64_t{2};
  EXPECT_FALSE(policy.Check(subject, report, Do("read")).allowed)
      << "clearance 2 < level 3";
  subject.attributes["clearance"] = std::string("3");
  AccessDecision d = policy.Check(subject, report, Do("read"));
  EXPECT_FALSE(d.allowed) << "a string clearance is not comparable to 3";
  EXPECT_EQ(d.reason, DecisionReason::kNoRuleAllowed)
      << "an allow rule that cannot be evaluated does not apply";
}

TEST(PolicyAbac, RequestAttribute) {
  Policy policy = Load();
  Resource doc = Doc();
  AccessRequest del = Do("delete");

  del.attributes["mfa"] = true;
  EXPECT_TRUE(policy.Check(User({"admin"}), doc, del).allowed);
  del.attributes["mfa"] = false;
  EXPECT_FALSE(policy.Check(User({"admin"}), doc, del).allowed)
      << "deleting needs MFA";
  del.attributes.erase("mfa");
  EXPECT_FALSE(policy.Check(User({"admin"}), doc, del).allowed)
      << "a missing mfa attribute is not true";
}

TEST(PolicyAbac, MissingAttributeInDenyFailsClosed) {
  Policy policy = Load();
  Resource doc = Doc();
  doc.attributes.erase("locked");
  AccessRequest del = Do("delete");
  del.attributes["mfa"] = true;

  AccessDecision d = policy.Check(User({"admin"}), doc, del);
  EXPECT_FALSE(d.allowed)
      << "without 'locked' the engine cannot rule out the deny, so it denies";
  EXPECT_EQ(d.reason, DecisionReason::kDeniedUnevaluable);
}

TEST(PolicyDeny, OverridesAllow) {
  Policy policy = Load();
  Resource doc = Doc();
  doc.attributes["locked"] = true;
  AccessRequest del = Do("delete");
  del.attributes["mfa"] = true;

  AccessDecision d = policy.Check(User({"admin"}), doc, del);
  EXPECT_FALSE(d.allowed)
      << "'deny * delete document' on a locked document beats admin's allow";
  EXPECT_EQ(d.reason, DecisionReason::kDeniedByRule);
  ASSERT_NE(d.rule, nullptr);
  EXPECT_EQ(d.rule->line, 10);
  EXPECT_EQ(d.rule->effect, Effect::kDeny);
}

TEST(PolicyDeny, OverridesAllowWrittenLater) {
  Policy policy = Load(R"(role user
deny user read secret
allow user read secret
allow user read *
)");
  Resource secret;
  secret.type = "secret";
  AccessDecision d = policy.Check(User({"user"}), secret, Do("read"));
  EXPECT_FALSE(d.allowed) << "deny wins whatever the order of the rules";
  EXPECT_EQ(d.rule->line, 2);
}

TEST(PolicyDeny, InheritedDenyOverridesOwnAllow) {
  Policy policy = Load(R"(role base
role power inherits base
deny base drop table
allow power drop table
)");
  Resource table;
  table.type = "table";
  EXPECT_FALSE(policy.Check(User({"power"}), table, Do("drop")).allowed)
      << "a parent's deny binds the child too";
}

TEST(PolicyDeny, UnevaluableDenyApplies) {
  Policy policy = Load();
  // "deny viewer export * when subject.country != "US"": no country known.
  Resource doc = Doc();
  AccessDecision d = policy.Check(User({"viewer"}), doc, Do("export"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, DecisionReason::kDeniedUnevaluable)
      << "a deny rule that cannot be evaluated fails closed";
  EXPECT_EQ(d.condition, 0);
  EXPECT_NE(d.Explanation().find("subject.country != \"US\""), std::string::npos)
      << d.Explanation();
}

TEST(PolicyDeny, DefaultDeny) {
  Policy policy = Load();
  AccessDecision d = policy.Check(User({"viewer"}), Doc(), Do("share"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, DecisionReason::kNoRuleAllowed);
  EXPECT_NE(d.Explanation().find("denied by default"), std::string::npos)
      << d.Explanation();

  Result<Policy> empty = Policy::Parse("# nothing yet\n", "empty.txt");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_FALSE(empty.value().Check(User({"viewer"}), Doc(), Do("read")).allowed)
      << "an empty policy denies everything";
}

TEST(PolicyExplain, NamesRuleFileAndLine) {
  Policy policy = Load();
  AccessDecision allowed = policy.Check(User({"editor"}), Doc(), Do("write"));
  EXPECT_EQ(allowed.Explanation(),
            "allowed by rule policy.txt:8: allow editor write document when "
            "resource.owner == subject.id");

  Resource doc = Doc();
  doc.attributes["locked"] = true;
  AccessDecision denied = policy.Check(User({"editor"}), doc, Do("delete"));
  EXPECT_EQ(denied.Explanation(),
            "denied by rule policy.txt:10: deny * delete document when "
            "resource.locked == true");
}

TEST(PolicyFile, CommentsAndBlankLines) {
  Policy policy = Load(R"(
# a comment
role user   # the only role

allow user read page # trailing comment
allow user write page when resource.tag == "a # b"
)");
  EXPECT_EQ(policy.rule_count(), 2u) << "comments are not rules";

  Resource page;
  page.type = "page";
  page.attributes["tag"] = std::string("a # b");
  EXPECT_TRUE(policy.Check(User({"user"}), page, Do("write")).allowed)
      << "a '#' inside a quoted string is not a comment";
}

TEST(PolicyFile, LoadsFromDisk) {
  const std::string path = ::testing::TempDir() + "policy_test_load.txt";
  {
    std::ofstream out(path);
    out << kPolicy;
  }
  Result<Policy> policy = Policy::LoadFile(path);
  std::remove(path.c_str());
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy.value().rule_count(), 9u);
  ASSERT_TRUE(policy.value().Check(User({"viewer"}), Doc(), Do("read")).allowed);
  EXPECT_EQ(policy.value().Check(User({"viewer"}), Doc(), Do("read")).rule->file,
            path);
}

TEST(PolicyFile, MissingFileNamesPath) {
  Result<Policy> policy = Policy::LoadFile("/nonexistent/policy.txt");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, ErrorCode::kInvalidPolicy);
  EXPECT_NE(policy.error().message.find("'/nonexistent/policy.txt'"),
            std::string::npos)
      << policy.error().message;
}

struct BadPolicy {
  const char* text;
  const char* expected;  // the start of the message, or a part of it
};

TEST(PolicyFile, ErrorsNameFileLineAndValue) {
  const BadPolicy cases[] = {
      {"role a\nalow a read x\n",
       "policy.txt:2: unknown statement 'alow'; expected role, allow or deny"},
      {"role editor\nallow edtor read doc\n",
       "policy.txt:2: unknown role 'edtor' in rule; declare it with 'role edtor'"},
      {"role a inherits ghost\n",
       "policy.txt:1: role 'a' inherits unknown role 'ghost'"},
      {"role a\nrole b\nrole a\n",
       "policy.txt:3: duplicate role 'a' (first declared at line 1)"},
      {"role a inherits b\nrole b inherits a\n",
       "policy.txt:1: role inheritance cycle: a -> b -> a"},
      {"role a inherits a\n", "policy.txt:1: role inheritance cycle: a -> a"},
      {"role x\nrole a inherits c\nrole b inherits a\nrole c inherits b\n",
       "policy.txt:2: role inheritance cycle: a -> c -> b -> a"},
      {"role a inherits\n", "policy.txt:1: role 'a' inherits nothing"},
      {"role a\nrole b inherits a,,a\n", "policy.txt:2: invalid parent role ''"},
      {"role a\nrole b extends a\n",
       "policy.txt:2: expected 'inherits' after role 'b', got 'extends'"},
      {"role *\n", "policy.txt:1: invalid role name '*'"},
      {"role a\nallow a read\n", "policy.txt:2: incomplete rule 'allow a read'"},
      {"role a\nallow a read doc if x\n",
       "policy.txt:2: expected 'when' after the resource type, got 'if'"},
      {"role a\nallow a read doc when resource.owner =~ subject.id\n",
       "policy.txt:2: unknown operator '=~'"},
      {"role a\nallow a read doc when resource.owner == subject.id or x\n",
       "policy.txt:2: expected 'and' between conditions, got 'or'"},
      {"role a\nallow a read doc when resource.owner ==\n",
       "policy.txt:2: incomplete condition after 'when'"},
      {"role a\nallow a read doc when resource.tag == \"open\n",
       "policy.txt:2: unterminated string \"open"},
      {"role a\nallow a read doc when subject.id < \"m\"\n",
       "policy.txt:2: condition 'subject.id < \"m\"' orders a string"},
      {"role a\nallow a read doc when 1 == 1\n",
       "policy.txt:2: condition '1 == 1' compares two literals"},
      {"role a\nallow a read doc when resource.tenant == 7\n",
       "policy.txt:2: condition 'resource.tenant == 7' compares a string with "
       "an integer"},
      {"role a\nallow a read doc when resource.size < 12x\n",
       "policy.txt:2: invalid integer '12x'"},
      {"role a\nallow a read doc when resource.size < 99999999999999999999\n",
       "policy.txt:2: integer '99999999999999999999' is out of range"},
      {"role a\nallow a read doc when owner == subject.id\n",
       "policy.txt:2: invalid operand 'owner'"},
      {"role a\nallow a read doc when session.mfa == true\n",
       "policy.txt:2: invalid operand 'session.mfa'"},
      {"role a\nallow a re/ad doc\n", "policy.txt:2: invalid action 're/ad'"},
  };
  for (const BadPolicy& bad : cases) {
    Result<Policy> policy = Policy::Parse(bad.text, "policy.txt");
    ASSERT_FALSE(policy.ok()) << "policy must be rejected:\n" << bad.text;
    EXPECT_EQ(policy.error().code, ErrorCode::kInvalidPolicy);
    EXPECT_NE(policy.error().message.find(bad.expected), std::string::npos)
        << "policy:\n"
        << bad.text << "expected a message containing: " << bad.expected
        << "\ngot: " << policy.error().message;
  }
}

}  // namespace
}  // namespace auth
