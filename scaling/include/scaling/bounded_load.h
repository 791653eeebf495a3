// BoundedLoadAssigner: consistent hashing with bounded loads (Mirrokni,
// Thorup and Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA
// 2018), on top of a HashRing.
//
// A plain ring sends a hot range of keys to one node however busy it is.
// Here every node has a capacity, and a key that finds its ring node full
// walks clockwise to the next point whose node has room. With m keys
// assigned, counting the key being placed, and n nodes, the capacity is
//
//   capacity = ceil((1 + epsilon) * m / n)
//
// so no node ever has more than ceil((1 + epsilon) * m / n) keys. A
// smaller epsilon balances better and moves more keys when nodes change.
// HAProxy's hash-balance-factor is 100 * (1 + epsilon).
//
//   scaling::HashRing ring(100);
//   ring.AddNode("a");  ring.AddNode("b");
//   scaling::BoundedLoadAssigner assigner(&ring, /*epsilon=*/0.25);
//   std::optional<std::string> node = assigner.Assign("user:42");
//   ...
//   assigner.Release(*node);   // the key's session ended
//
// Assign is stateful: the same key assigned twice counts twice and may land
// on different nodes, as two connections of one client would.
//
// Thread-safety: none; callers serialize Assign and Release.
//
// This header is light: it is an exercise of the scaling lab.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "scaling/hash_ring.h"

namespace scaling {

class BoundedLoadAssigner {
 public:
  // REQUIRES: epsilon > 0, and `ring` outlives the assigner and does not
  // change while any key is assigned.
  BoundedLoadAssigner(const HashRing* ring, double epsilon);

  // Assign places one more key: the node of the first point clockwise from
  // the key's hash whose node has fewer keys than the capacity (computed
  // with the new key counted), and counts the key there. It returns
  // std::nullopt, and counts nothing, when the ring is empty.
  std::optional<std::string> Assign(std::string_view key);

  // Release takes one key off `node`. It fails when `node` has no key.
  Status Release(std::string_view node);

  // Capacity returns the most keys a node may hold once `keys` keys are
  // assigned: ceil((1 + epsilon) * keys / nodes), or 0 for an empty ring.
  std::int64_t Capacity(std::int64_t keys) const;

  // LoadOf returns the number of keys on `node`.
  std::int64_t LoadOf(std::string_view node) const;

  // assigned returns the number of keys on all nodes.
  std::int64_t assigned() const { return assigned_; }

 private:
  const HashRing* ring_;
  double epsilon_;
  std::int64_t assigned_ = 0;
  std::map<std::string, std::int64_t, std::less<>> loads_;
};

}  // namespace scaling
