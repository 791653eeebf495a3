// Exercise: a hash ring with virtual nodes.
//
// Implement AddNode, RemoveNode, FirstPointAtOrAfter and NodeForHash below.
// The contract, and the private fields you may use (nodes_, points_,
// virtual_nodes_, hash_), are in scaling/include/scaling/hash_ring.h.
//
//   Check your work:  ./labkit check scaling hash_ring
//   Get a hint:       ./labkit hint scaling hash_ring
//
// Rules the tests enforce:
//   - Node "a" owns points hash_("a#0") to hash_("a#<virtual_nodes - 1>").
//   - A key belongs to the first point whose hash is >= the key's hash; a
//     key past the largest point wraps around to the smallest.
//   - Points that collide are all kept, and a collided hash belongs to the
//     node with the smaller name, whatever the order nodes were added in.
//   - An empty ring returns std::nullopt; a bad AddNode or RemoveNode
//     returns an error Status and changes nothing.

#include "scaling/hash_ring.h"

#include <stdexcept>

namespace scaling {

HashRing::HashRing(int virtual_nodes, HashFunction hash)
    : virtual_nodes_(virtual_nodes), hash_(hash) {}

// TODO: Reject an empty or present name. Insert the name into nodes_ (its
// address there stays valid), make its virtual_nodes_ points, and keep
// points_ sorted by (hash, node name).
Status HashRing::AddNode([[maybe_unused]] std::string_view node) {
  throw std::logic_error(
      "not implemented yet: HashRing::AddNode "
      "(see labs/scaling/hints/hash_ring.md)");
}

// TODO: Reject a name that is not on the ring. Erase the node's points from
// points_, then the name from nodes_.
Status HashRing::RemoveNode([[maybe_unused]] std::string_view node) {
  throw std::logic_error(
      "not implemented yet: HashRing::RemoveNode "
      "(see labs/scaling/hints/hash_ring.md)");
}

// TODO: Binary-search points_ for the first point whose hash is >= key_hash.
// Past the end, wrap around to index 0.
std::size_t HashRing::FirstPointAtOrAfter(
    [[maybe_unused]] std::uint64_t key_hash) const {
  throw std::logic_error(
      "not implemented yet: HashRing::FirstPointAtOrAfter "
      "(see labs/scaling/hints/hash_ring.md)");
}

// TODO: Return std::nullopt for an empty ring, else the node of the point
// that FirstPointAtOrAfter finds.
std::optional<std::string_view> HashRing::NodeForHash(
    [[maybe_unused]] std::uint64_t key_hash) const {
  throw std::logic_error(
      "not implemented yet: HashRing::NodeForHash "
      "(see labs/scaling/hints/hash_ring.md)");
}

}  // namespace scaling
