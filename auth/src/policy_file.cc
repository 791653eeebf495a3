// The policy file parser: text to Policy::Compiled, every error naming the
// file, the line and the offending text. The file format is described in
// auth/policy.h.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "auth/policy.h"
#include "auth/internal/policy_index.h"

namespace auth {
namespace {

using internal::CompareOp;
using internal::Condition;
using internal::Operand;
using internal::OperandKind;

// kMaxPolicyFileBytes bounds what LoadFile reads.
constexpr std::size_t kMaxPolicyFileBytes = 64 * 1024 * 1024;

struct Token {
  std::string text;
  bool quoted = false;  // a "string" literal, text without the quotes
};

struct RoleDeclaration {
  std::string name;
  std::vector<std::string> parents;
  int line = 0;
};

// Parser reads one policy text, line by line, and keeps the first error.
class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  Result<std::shared_ptr<const Policy::Compiled>> Run(std::string_view text);

 private:
  Status ParseLine(std::string_view line_text);
  Result<std::vector<Token>> Tokenize(std::string_view line_text);
  Status ParseRole(const std::vector<Token>& tokens);
  Status ParseRule(const std::vector<Token>& tokens, std::string_view text);
  Result<Condition> ParseCondition(const Token& left, const Token& op,
                                   const Token& right);
  Result<Operand> ParseOperand(const Token& token);
  Status CheckOperandTypes(const Condition& condition);
  Result<std::vector<std::vector<std::uint32_t>>> ResolveRoles(
      Policy::Compiled& compiled);

  Error Fail(std::string message) const { return FailAt(line_, message); }
  Error FailAt(int line, const std::string& message) const {
    return MakeError(ErrorCode::kInvalidPolicy,
                     file_ + ":" + std::to_string(line) + ": " + message);
  }

  std::string file_;
  int line_ = 0;
  std::vector<RoleDeclaration> roles_;
  std::unordered_map<std::string, int> role_lines_;  // name to its line
  std::vector<internal::Rule> rules_;
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
         c == ':';
}

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsAttributeName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsNameChar(c) || c == '.' || c == ':' || c == '-') return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// OperandType is what an operand is known to be at load time.
enum class OperandType { kUnknown, kBool, kInteger, kString };

OperandType TypeOf(const Operand& operand) {
  switch (operand.kind) {
    case OperandKind::kLiteral:
      if (std::holds_alternative<bool>(operand.literal)) return OperandType::kBool;
      if (std::holds_alternative<std::int64_t>(operand.literal)) {
        return OperandType::kInteger;
      }
      return OperandType::kString;
    case OperandKind::kSubjectAttribute:
    case OperandKind::kResourceAttribute:
    case OperandKind::kRequestAttribute:
      return OperandType::kUnknown;
    default:
      return OperandType::kString;  // the fixed fields are strings
  }
}

std::string_view TypeName(OperandType type) {
  switch (type) {
    case OperandType::kBool: return "a boolean";
    case OperandType::kInteger: return "an integer";
    case OperandType::kString: return "a string";
    case OperandType::kUnknown: return "an attribute";
  }
  return "a value";
}

std::optional<CompareOp> ParseCompareOp(std::string_view op) {
  if (op == "==") return CompareOp::kEq;
  if (op == "!=") return CompareOp::kNe;
  if (op == "<") return CompareOp::kLt;
  if (op == "<=") return CompareOp::kLe;
  if (op == ">") return CompareOp::kGt;
  if (op == ">=") return CompareOp::kGe;
  return std::nullopt;
}

std::string Quote(const Token& token) {
  return token.quoted ? "\"" + token.text + "\"" : "'" + token.text + "'";
}

Result<std::shared_ptr<const Policy::Compiled>> Parser::Run(
    std::string_view text) {
  // Read every statement.
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line_;
    if (Status parsed = ParseLine(text.substr(start, end - start));
        !parsed.ok()) {
      return parsed.error();
    }
    start = end + 1;
  }

  // Check the role graph, then index the rules.
  auto compiled = std::make_shared<Policy::Compiled>();
  Result<std::vector<std::vector<std::uint32_t>>> heirs =
      ResolveRoles(*compiled);
  if (!heirs.ok()) return heirs.error();
  compiled->rules = std::move(rules_);
  internal::BuildIndex(*compiled, heirs.value());
  return std::shared_ptr<const Policy::Compiled>(std::move(compiled));
}

Status Parser::ParseLine(std::string_view line_text) {
  Result<std::vector<Token>> tokens = Tokenize(line_text);
  if (!tokens.ok()) return tokens.error();
  const std::vector<Token>& words = tokens.value();
  if (words.empty()) return {};

  const Token& statement = words[0];
  if (!statement.quoted && statement.text == "role") return ParseRole(words);
  if (!statement.quoted &&
      (statement.text == "allow" || statement.text == "deny")) {
    // The statement's text for explanations: the line up to its comment.
    std::string text;
    for (const Token& word : words) {
      if (!text.empty()) text += ' ';
      text += word.quoted ? "\"" + word.text + "\"" : word.text;
    }
    return ParseRule(words, text);
  }
  return Fail("unknown statement " + Quote(statement) +
              "; expected role, allow or deny");
}

Result<std::vector<Token>> Parser::Tokenize(std::string_view line_text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line_text.size()) {
    const char c = line_text[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') break;  // a comment, to the end of the line

    if (c == '"') {
      const std::size_t close = line_text.find('"', i + 1);
      if (close == std::string_view::npos) {
        return Fail("unterminated string " +
                    std::string(line_text.substr(i)) +
                    "; close it with a double quote");
      }
      tokens.push_back({std::string(line_text.substr(i + 1, close - i - 1)),
                        true});
      i = close + 1;
      continue;
    }

    std::size_t end = i;
    while (end < line_text.size() && line_text[end] != ' ' &&
           line_text[end] != '\t' && line_text[end] != '\r' &&
           line_text[end] != '"') {
      ++end;
    }
    tokens.push_back({std::string(line_text.substr(i, end - i)), false});
    i = end;
  }
  return tokens;
}

Status Parser::ParseRole(const std::vector<Token>& tokens) {
  if (tokens.size() < 2) return Fail("'role' needs a name: role NAME");
  const Token& name = tokens[1];
  if (name.quoted || !IsName(name.text) || name.text == "*") {
    return Fail("invalid role name " + Quote(name) +
                "; use letters, digits, '_', '-', '.' and ':'");
  }
  if (auto first = role_lines_.find(name.text); first != role_lines_.end()) {
    return Fail("duplicate role '" + name.text + "' (first declared at line " +
                std::to_string(first->second) + ")");
  }
  role_lines_.emplace(name.text, line_);

  RoleDeclaration declaration{name.text, {}, line_};
  if (tokens.size() > 2) {
    if (tokens[2].quoted || tokens[2].text != "inherits") {
      return Fail("expected 'inherits' after role '" + name.text + "', got " +
                  Quote(tokens[2]));
    }
    if (tokens.size() == 3) {
      return Fail("role '" + name.text + "' inherits nothing; name a role "
                  "after 'inherits'");
    }

    // "a, b", "a,b" and "a ,b" all list the roles a and b.
    std::string list;
    for (std::size_t i = 3; i < tokens.size(); ++i) list += tokens[i].text + " ";
    std::stringstream parents(list);
    std::string parent;
    while (std::getline(parents, parent, ',')) {
      const std::string_view trimmed = Trim(parent);
      if (!IsName(trimmed) || trimmed.find(' ') != std::string_view::npos) {
        return Fail("invalid parent role '" + std::string(trimmed) +
                    "' of role '" + name.text +
                    "'; separate parent roles with commas");
      }
      declaration.parents.emplace_back(trimmed);
    }
  }
  roles_.push_back(std::move(declaration));
  return {};
}

Status Parser::ParseRule(const std::vector<Token>& tokens,
                         std::string_view text) {
  if (tokens.size() < 4) {
    return Fail("incomplete rule '" + std::string(text) +
                "'; expected: " + tokens[0].text +
                " ROLE ACTION RESOURCE_TYPE [when CONDITION ...]");
  }
  static constexpr const char* kParts[] = {"role", "action", "resource type"};
  for (std::size_t i = 1; i <= 3; ++i) {
    const Token& part = tokens[i];
    if (part.quoted || (part.text != "*" && !IsName(part.text))) {
      return Fail(std::string("invalid ") + kParts[i - 1] + " " + Quote(part) +
                  "; use a name or '*'");
    }
  }

  internal::Rule rule;
  rule.source.effect = tokens[0].text == "allow" ? Effect::kAllow : Effect::kDeny;
  rule.source.role = tokens[1].text;
  rule.source.action = tokens[2].text;
  rule.source.resource_type = tokens[3].text;
  rule.source.text = std::string(text);
  rule.source.file = file_;
  rule.source.line = line_;

  // Conditions: "when A op B and C op D ...".
  std::size_t i = 4;
  if (i < tokens.size()) {
    if (tokens[i].quoted || tokens[i].text != "when") {
      return Fail("expected 'when' after the resource type, got " +
                  Quote(tokens[i]));
    }
    ++i;
    for (;;) {
      if (i + 3 > tokens.size()) {
        return Fail("incomplete condition after '" + tokens[i - 1].text +
                    "'; expected OPERAND OPERATOR OPERAND");
      }
      Result<Condition> condition =
          ParseCondition(tokens[i], tokens[i + 1], tokens[i + 2]);
      if (!condition.ok()) return condition.error();
      rule.source.conditions.push_back(condition.value().text);
      rule.conditions.push_back(std::move(condition).value());
      i += 3;
      if (i == tokens.size()) break;
      if (tokens[i].quoted || tokens[i].text != "and") {
        return Fail("expected 'and' between conditions, got " +
                    Quote(tokens[i]) + "; write a second rule for 'or'");
      }
      ++i;
    }
  }
  rules_.push_back(std::move(rule));
  return {};
}

Result<Condition> Parser::ParseCondition(const Token& left, const Token& op,
                                         const Token& right) {
  Condition condition;
  Result<Operand> left_operand = ParseOperand(left);
  if (!left_operand.ok()) return left_operand.error();
  Result<Operand> right_operand = ParseOperand(right);
  if (!right_operand.ok()) return right_operand.error();

  std::optional<CompareOp> compare =
      op.quoted ? std::nullopt : ParseCompareOp(op.text);
  if (!compare.has_value()) {
    return Fail("unknown operator " + Quote(op) +
                "; use ==, !=, <, <=, > or >=");
  }

  condition.left = std::move(left_operand).value();
  condition.op = *compare;
  condition.right = std::move(right_operand).value();
  condition.text = (left.quoted ? "\"" + left.text + "\"" : left.text) + " " +
                   op.text + " " +
                   (right.quoted ? "\"" + right.text + "\"" : right.text);
  if (Status types = CheckOperandTypes(condition); !types.ok()) {
    return types.error();
  }
  return condition;
}

Result<Operand> Parser::ParseOperand(const Token& token) {
  Operand operand;
  if (token.quoted) {
    operand.literal = token.text;
    return operand;
  }
  const std::string& t = token.text;
  if (t == "true" || t == "false") {
    operand.literal = (t == "true");
    return operand;
  }

  // An integer: digits with an optional '-'.
  if (!t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) ||
                     (t[0] == '-' && t.size() > 1))) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (error == std::errc::result_out_of_range) {
      return Fail("integer '" + t + "' is out of range for 64 bits");
    }
    if (error != std::errc() || end != t.data() + t.size()) {
      return Fail("invalid integer '" + t + "'");
    }
    operand.literal = value;
    return operand;
  }

  // An attribute: subject.NAME, resource.NAME or request.NAME.
  const std::size_t dot = t.find('.');
  const std::string_view scope = std::string_view(t).substr(0, dot);
  const std::string_view name =
      dot == std::string::npos ? std::string_view() : std::string_view(t).substr(dot + 1);
  if (dot == std::string::npos || !IsAttributeName(name) ||
      (scope != "subject" && scope != "resource" && scope != "request")) {
    return Fail("invalid operand '" + t +
                "'; expected subject.NAME, resource.NAME, request.NAME, a "
                "\"string\", an integer, true or false");
  }
  operand.name = std::string(name);
  if (scope == "subject") {
    operand.kind = name == "id"       ? OperandKind::kSubjectId
                   : name == "tenant" ? OperandKind::kSubjectTenant
                                      : OperandKind::kSubjectAttribute;
  } else if (scope == "resource") {
    operand.kind = name == "id"       ? OperandKind::kResourceId
                   : name == "type"   ? OperandKind::kResourceType
                   : name == "owner"  ? OperandKind::kResourceOwner
                   : name == "tenant" ? OperandKind::kResourceTenant
                                      : OperandKind::kResourceAttribute;
  } else {
    operand.kind = name == "action" ? OperandKind::kRequestAction
                                    : OperandKind::kRequestAttribute;
  }
  return operand;
}

// CheckOperandTypes rejects a condition that could never hold because of
// the types known at load time. Types of named attributes are known only
// at check time.
Status Parser::CheckOperandTypes(const Condition& condition) {
  if (condition.left.kind == OperandKind::kLiteral &&
      condition.right.kind == OperandKind::kLiteral) {
    return Fail("condition '" + condition.text +
                "' compares two literals; compare an attribute");
  }

  const OperandType left = TypeOf(condition.left);
  const OperandType right = TypeOf(condition.right);
  const bool ordering = condition.op != CompareOp::kEq &&
                        condition.op != CompareOp::kNe;
  if (ordering) {
    for (OperandType side : {left, right}) {
      if (side != OperandType::kUnknown && side != OperandType::kInteger) {
        return Fail("condition '" + condition.text +
                    "' orders " + std::string(TypeName(side)) +
                    "; <, <=, > and >= compare integers only");
      }
    }
  }
  if (left != OperandType::kUnknown && right != OperandType::kUnknown &&
      left != right) {
    return Fail("condition '" + condition.text + "' compares " +
                std::string(TypeName(left)) + " with " +
                std::string(TypeName(right)) + ", which is never equal");
  }
  return {};
}

// ResolveRoles checks that every role named exists and that inheritance has
// no cycle, interns the roles, actions and resource types, and returns for
// each role id the ids of the roles that inherit its rules (itself
// included).
Result<std::vector<std::vector<std::uint32_t>>> Parser::ResolveRoles(
    Policy::Compiled& compiled) {
  // Intern the roles: "*" first, as kAnyId.
  compiled.roles.emplace("*", internal::kAnyId);
  for (const RoleDeclaration& role : roles_) {
    compiled.roles.emplace(role.name,
                           static_cast<std::uint32_t>(compiled.roles.size()));
  }
  if (compiled.roles.size() > internal::kMaxSymbols) {
    return FailAt(line_, "too many roles (" + std::to_string(roles_.size()) +
                             "); the maximum is " +
                             std::to_string(internal::kMaxSymbols - 1));
  }

  // Resolve parents to ids.
  const std::size_t n = compiled.roles.size();
  std::vector<std::vector<std::uint32_t>> parents(n);
  for (const RoleDeclaration& role : roles_) {
    const std::uint32_t id = compiled.roles.at(role.name);
    for (const std::string& parent : role.parents) {
      auto found = compiled.roles.find(parent);
      if (found == compiled.roles.end() || found->second == internal::kAnyId) {
        return FailAt(role.line, "role '" + role.name +
                                     "' inherits unknown role '" + parent +
                                     "'; declare it with 'role " + parent + "'");
      }
      parents[id].push_back(found->second);
    }
  }

  // Find cycles by depth-first search, keeping the path for the message.
  std::vector<std::string> names(n);
  for (const auto& [name, id] : compiled.roles) names[id] = name;
  std::vector<int> state(n, 0);  // 0 new, 1 on the path, 2 done
  std::vector<std::uint32_t> path;
  std::function<std::optional<std::string>(std::uint32_t)> visit =
      [&](std::uint32_t role) -> std::optional<std::string> {
    state[role] = 1;
    path.push_back(role);
    for (std::uint32_t parent : parents[role]) {
      if (state[parent] == 1) {
        std::string cycle;
        auto from = std::find(path.begin(), path.end(), parent);
        for (auto it = from; it != path.end(); ++it) cycle += names[*it] + " -> ";
        return cycle + names[parent];
      }
      if (state[parent] == 0) {
        if (auto cycle = visit(parent)) return cycle;
      }
    }
    path.pop_back();
    state[role] = 2;
    return std::nullopt;
  };
  for (const RoleDeclaration& role : roles_) {
    const std::uint32_t id = compiled.roles.at(role.name);
    if (state[id] != 0) continue;
    if (std::optional<std::string> cycle = visit(id)) {
      return FailAt(role.line, "role inheritance cycle: " + *cycle);
    }
  }

  // Each role's rules go to the role itself and every role that inherits
  // it, directly or through others.
  // seen_by[r] is the last role whose ancestors reached r, so one vector
  // serves every walk.
  std::vector<std::vector<std::uint32_t>> heirs(n);
  std::vector<std::uint32_t> seen_by(n, UINT32_MAX);
  std::vector<std::uint32_t> stack;
  for (std::uint32_t role = 0; role < n; ++role) {
    stack.assign(1, role);
    seen_by[role] = role;
    while (!stack.empty()) {
      const std::uint32_t ancestor = stack.back();
      stack.pop_back();
      heirs[ancestor].push_back(role);
      for (std::uint32_t parent : parents[ancestor]) {
        if (seen_by[parent] != role) {
          seen_by[parent] = role;
          stack.push_back(parent);
        }
      }
    }
  }

  // Check the rules' roles, and intern their actions and resource types.
  compiled.actions.emplace("*", internal::kAnyId);
  compiled.types.emplace("*", internal::kAnyId);
  for (const internal::Rule& rule : rules_) {
    if (compiled.roles.find(rule.source.role) == compiled.roles.end()) {
      return FailAt(rule.source.line,
                    "unknown role '" + rule.source.role +
                        "' in rule; declare it with 'role " + rule.source.role +
                        "'");
    }
    compiled.actions.emplace(rule.source.action,
                             static_cast<std::uint32_t>(compiled.actions.size()));
    compiled.types.emplace(rule.source.resource_type,
                           static_cast<std::uint32_t>(compiled.types.size()));
  }
  if (compiled.actions.size() > internal::kMaxSymbols ||
      compiled.types.size() > internal::kMaxSymbols) {
    return FailAt(line_, "too many distinct actions or resource types; the "
                         "maximum of each is " +
                             std::to_string(internal::kMaxSymbols - 1));
  }
  return heirs;
}

}  // namespace

namespace internal {

void BuildIndex(Policy::Compiled& compiled,
                const std::vector<std::vector<std::uint32_t>>& heirs) {
  for (const Rule& rule : compiled.rules) {
    const std::uint32_t role = compiled.roles.at(rule.source.role);
    const std::uint32_t action = compiled.actions.at(rule.source.action);
    const std::uint32_t type = compiled.types.at(rule.source.resource_type);
    for (std::uint32_t heir : heirs[role]) {
      Bucket& bucket = compiled.buckets[BucketKey(heir, action, type)];
      (rule.source.effect == Effect::kDeny ? bucket.deny : bucket.allow)
          .push_back(&rule);
    }
  }
}

}  // namespace internal

Result<Policy> Policy::Parse(std::string_view text, std::string_view file_name) {
  Parser parser(file_name);
  Result<std::shared_ptr<const Compiled>> compiled = parser.Run(text);
  if (!compiled.ok()) return compiled.error();
  return Policy(std::move(compiled).value());
}

Result<Policy> Policy::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kInvalidPolicy,
                     "cannot open policy file '" + path +
                         "': " + std::strerror(errno));
  }
  std::string text;
  char chunk[64 * 1024];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxPolicyFileBytes) {
      return MakeError(ErrorCode::kInvalidPolicy,
                       "policy file '" + path + "' is larger than " +
                           std::to_string(kMaxPolicyFileBytes) + " bytes");
    }
  }
  if (in.bad()) {
    return MakeError(ErrorCode::kInvalidPolicy,
                     "cannot read policy file '" + path + "'");
  }
  return Parse(text, path);
}

}  // namespace auth
