// The evaluation helpers that the policy engine's Check
// (auth/src/policy.cc, which an exercise of the auth lab replaces) is
// given: operand values, three-valued truth, and the list of buckets that
// a check reads. Defined in auth/src/policy_eval.cc, apart from the inline
// ones.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "auth/internal/policy_index.h"
#include "auth/policy.h"

namespace auth::internal {

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

// Resolve returns the value of `operand` for one check, borrowed from the
// inputs or the policy.
Value Resolve(const Operand& operand, const Subject& subject,
              const Resource& resource, const AccessRequest& request);

// Truth is a condition's outcome. It is kUnknown when the condition cannot
// be evaluated.
enum class Truth { kFalse, kTrue, kUnknown };

inline Truth FromBool(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

// CompareValues compares `a` with `b` by `op`.
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

// RuleOutcome is the conjunction of a rule's conditions: false if any is
// false, else unknown if any is unknown (with the first such index).
struct RuleOutcome {
  Truth truth = Truth::kTrue;
  int unknown_condition = -1;
};

// FindSymbol returns the id of `name` in `table` and sets `found`, or
// returns kAnyId with `found` false when no rule names it.
std::uint32_t FindSymbol(const SymbolTable& table, std::string_view name,
                         bool& found);

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

}  // namespace auth::internal
