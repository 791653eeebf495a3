// RendezvousHash: weighted rendezvous hashing, also called highest random
// weight (HRW) hashing.
//
// Every node scores every key, and the key belongs to the node with the
// highest score. The score of a node with weight w for a key is
//
//   score = -w / ln(u)
//
// where u in (0, 1) is a uniform hash of the (key, node) pair. With this
// form a node's expected share of the keys is exactly its weight over the
// total weight. The naive score w * u is not proportional: it gives a heavy
// node far more than its share.
//
// Removing a node moves only that node's keys, spread over the others in
// proportion to their weights. Adding a node takes only the keys it wins.
// There is no table to rebuild, but every lookup scores every node: O(nodes).
//
//   scaling::RendezvousHash nodes;
//   nodes.AddNode("small", 1.0);
//   nodes.AddNode("large", 3.0);   // gets about 3/4 of the keys
//   std::optional<std::string_view> node = nodes.NodeFor("user:42");
//
// Thread-safety: const methods may run concurrently; AddNode and RemoveNode
// need exclusive access.
//
// This header is light: it is an exercise of the scaling lab.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scaling/key_hash.h"
#include "scaling/status.h"

namespace scaling {

// RendezvousScore returns -weight / ln(u), the score of a node for a key.
// u = (x + 0.5) / 2^53, where x is the top 53 bits of
// Mix64(key_hash ^ node_hash), so u is never 0 or 1.
// REQUIRES: weight > 0.
double RendezvousScore(std::uint64_t key_hash, std::uint64_t node_hash,
                       double weight);

class RendezvousHash {
 public:
  struct Node {
    std::string name;
    std::uint64_t hash = 0;  // KeyHash(name)
    double weight = 1.0;
  };

  // AddNode adds `node` with `weight`. It fails, and changes nothing, when
  // the name is empty or already present, or when the weight is not a
  // finite number greater than 0.
  Status AddNode(std::string_view node, double weight = 1.0);

  // RemoveNode removes `node`. It fails when `node` is not present.
  Status RemoveNode(std::string_view node);

  // NodeFor returns the node with the highest score for `key`, or
  // std::nullopt when there is no node. Equal scores go to the node with the
  // smaller name, so the result never depends on the order of AddNode calls.
  std::optional<std::string_view> NodeFor(std::string_view key) const {
    return NodeForHash(KeyHash(key));
  }

  // NodeForHash is NodeFor for a key already hashed with KeyHash.
  std::optional<std::string_view> NodeForHash(std::uint64_t key_hash) const;

  // nodes returns the nodes in the order they were added.
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<Node> nodes_;
};

}  // namespace scaling
