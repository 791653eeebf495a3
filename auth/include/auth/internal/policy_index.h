// The loaded form of a Policy, shared by the parser (auth/src/policy_file.cc)
// and the engine (auth/src/policy.cc, which an exercise of the auth lab
// replaces).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/policy.h"

namespace auth::internal {

// OperandKind is the source of an operand's value.
enum class OperandKind {
  kLiteral,
  kSubjectId,
  kSubjectTenant,
  kSubjectAttribute,
  kResourceId,
  kResourceType,
  kResourceOwner,
  kResourceTenant,
  kResourceAttribute,
  kRequestAction,
  kRequestAttribute,
};

struct Operand {
  OperandKind kind = OperandKind::kLiteral;
  std::string name;        // the attribute name, for the *Attribute kinds
  AttributeValue literal;  // for kLiteral
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Condition {
  Operand left;
  CompareOp op = CompareOp::kEq;
  Operand right;
  std::string text;  // as written, for explanations
};

// Rule is a PolicyRule with its parsed conditions, all of which must hold.
struct Rule {
  PolicyRule source;
  std::vector<Condition> conditions;
};

// Bucket lists the rules that can match one (role, action, resource type),
// deny rules apart so that they are evaluated first.
struct Bucket {
  std::vector<const Rule*> deny;
  std::vector<const Rule*> allow;
};

// StringHash lets the symbol tables be searched with a string_view.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    return std::hash<std::string_view>{}(s);
  }
};

using SymbolTable =
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

// kAnyId is the symbol id of "*" in every symbol table.
inline constexpr std::uint32_t kAnyId = 0;
// kSymbolBits is the width of one symbol id in a bucket key.
inline constexpr int kSymbolBits = 21;
inline constexpr std::uint32_t kMaxSymbols = (1u << kSymbolBits) - 1;

inline std::uint64_t BucketKey(std::uint32_t role, std::uint32_t action,
                               std::uint32_t type) {
  return (std::uint64_t{role} << (2 * kSymbolBits)) |
         (std::uint64_t{action} << kSymbolBits) | type;
}

}  // namespace auth::internal

namespace auth {

// Policy::Compiled is the loaded policy: the rules, and the index that
// Check reads. Immutable once built.
struct Policy::Compiled {
  // rules is never resized after the index is built, so Bucket pointers and
  // AccessDecision::rule stay valid.
  std::vector<internal::Rule> rules;
  internal::SymbolTable roles;    // "*" is kAnyId
  internal::SymbolTable actions;  // "*" is kAnyId
  internal::SymbolTable types;    // "*" is kAnyId
  std::unordered_map<std::uint64_t, internal::Bucket> buckets;
};

namespace internal {

// BuildIndex fills compiled.buckets from compiled.rules. heirs[r] lists the
// role ids that get the rules of role id r, r itself included. Defined in
// policy_file.cc, so that the engine's file defines only what policy.h
// declares.
void BuildIndex(Policy::Compiled& compiled,
                const std::vector<std::vector<std::uint32_t>>& heirs);

}  // namespace internal
}  // namespace auth
