// The policy engine apart from Check: operand resolution, symbol look-up,
// and the Policy and AccessDecision members that loading and explaining
// use. Check is in policy.cc, and loading in policy_file.cc.
#include <memory>
#include <string>
#include <utility>

#include "auth/internal/policy_eval.h"
#include "auth/internal/policy_index.h"
#include "auth/policy.h"

namespace auth {
namespace internal {
namespace {

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

}  // namespace

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

std::uint32_t FindSymbol(const SymbolTable& table,
                         std::string_view name, bool& found) {
  auto it = table.find(name);
  found = it != table.end();
  return found ? it->second : kAnyId;
}

}  // namespace internal

Policy::Policy(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}

std::size_t Policy::rule_count() const { return compiled_->rules.size(); }

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
