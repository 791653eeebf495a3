// HashRing: consistent hashing on a ring of 64-bit points, with virtual
// nodes.
//
// Each node owns `virtual_nodes` points on the ring. Point i of node "a" is
// at hash("a#i"), with the ring's hash function. A key belongs to the node
// of the first point clockwise from the key's hash: the first point whose
// hash is greater than or equal to it, wrapping past the largest point to
// the smallest. Adding a node moves only the keys that its new points take
// over, and removing a node moves only that node's keys.
//
// Placement depends only on the set of nodes, never on the order they were
// added: points are kept sorted by (hash, node name), so when two nodes'
// points collide both are kept, and the node with the smaller name owns the
// hash itself.
//
//   scaling::HashRing ring(/*virtual_nodes=*/100);
//   ring.AddNode("cache-a");
//   ring.AddNode("cache-b");
//   std::optional<std::string_view> node = ring.NodeFor("user:42");
//
// An empty ring has no node for any key: NodeFor returns std::nullopt.
//
// Lookup is a binary search over the sorted points: O(log(points)).
// AddNode and RemoveNode rewrite the point array: O(points).
//
// Thread-safety: const methods may run concurrently; AddNode and RemoveNode
// need exclusive access. Copying is disabled because each point refers to
// its node's name in nodes_; moving is safe.
//
// This header is light: it is an exercise of the scaling lab.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scaling/key_hash.h"
#include "scaling/status.h"

namespace scaling {

// HashFunction maps a key or a point name to a 64-bit hash.
using HashFunction = std::uint64_t (*)(std::string_view);

class HashRing {
 public:
  // A point on the ring: its position and the node that owns it.
  struct Point {
    std::uint64_t hash = 0;
    const std::string* node = nullptr;  // an element of nodes_
  };

  // REQUIRES: virtual_nodes >= 1. `hash` places both points and keys.
  explicit HashRing(int virtual_nodes, HashFunction hash = KeyHash);

  HashRing(const HashRing&) = delete;
  HashRing& operator=(const HashRing&) = delete;
  HashRing(HashRing&&) = default;
  HashRing& operator=(HashRing&&) = default;

  // AddNode puts the node's virtual_nodes points on the ring. It fails, and
  // changes nothing, when `node` is empty or already on the ring.
  Status AddNode(std::string_view node);

  // RemoveNode takes every point of `node` off the ring. It fails, and
  // changes nothing, when `node` is not on the ring.
  Status RemoveNode(std::string_view node);

  // NodeFor returns the node that owns `key`, or std::nullopt when the ring
  // is empty. The view stays valid until that node is removed.
  std::optional<std::string_view> NodeFor(std::string_view key) const {
    return NodeForHash(hash_(key));
  }

  // NodeForHash is NodeFor for a key already hashed with hash_function().
  std::optional<std::string_view> NodeForHash(std::uint64_t key_hash) const;

  // FirstPointAtOrAfter returns the index in points() of the first point
  // clockwise from `key_hash`: the first point whose hash is >= key_hash,
  // or 0 when every point's hash is smaller (the ring wraps).
  // REQUIRES: the ring is not empty.
  std::size_t FirstPointAtOrAfter(std::uint64_t key_hash) const;

  // points returns every point, sorted by (hash, node name).
  const std::vector<Point>& points() const { return points_; }

  // nodes returns the node names, sorted.
  const std::set<std::string, std::less<>>& nodes() const { return nodes_; }

  bool empty() const { return nodes_.empty(); }
  int virtual_nodes() const { return virtual_nodes_; }
  HashFunction hash_function() const { return hash_; }

 private:
  int virtual_nodes_;
  HashFunction hash_;
  // Invariant: nodes_ contains every node on the ring, and points_ contains
  // exactly virtual_nodes_ points per node, sorted by (hash, *node).
  std::set<std::string, std::less<>> nodes_;
  std::vector<Point> points_;
};

}  // namespace scaling
