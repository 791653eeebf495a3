// Exercise: weighted rendezvous hashing.
//
// Implement RendezvousScore and RendezvousHash::NodeForHash below. The
// contract is in scaling/include/scaling/rendezvous.h; AddNode and
// RemoveNode are given (scaling/src/hashing/rendezvous_nodes.cc) and keep
// nodes_ up to date, each node with its name, hash and weight.
//
//   Check your work:  ./labkit check scaling rendezvous
//   Get a hint:       ./labkit hint scaling rendezvous
//
// Rules the tests enforce:
//   - score = -weight / ln(u), where u = (x + 0.5) / 2^53 and x is the top
//     53 bits of Mix64(key_hash ^ node_hash) (Mix64 is in key_hash.h).
//   - A key goes to the node with the highest score; equal scores go to the
//     smaller name. No node: std::nullopt.
//   - Each node's share of the keys is proportional to its weight, and
//     removing a node moves only the keys that were on it.

#include "scaling/rendezvous.h"

#include <stdexcept>

namespace scaling {

// TODO: Hash the pair with Mix64, keep the top 53 bits as x, map them to
// u = (x + 0.5) / 2^53 and return -weight / ln(u).
double RendezvousScore([[maybe_unused]] std::uint64_t key_hash,
                       [[maybe_unused]] std::uint64_t node_hash,
                       [[maybe_unused]] double weight) {
  throw std::logic_error(
      "not implemented yet: RendezvousScore "
      "(see labs/scaling/hints/rendezvous.md)");
}

// TODO: Score every node in nodes_ and return the name of the highest,
// breaking ties by the smaller name; std::nullopt when nodes_ is empty.
std::optional<std::string_view> RendezvousHash::NodeForHash(
    [[maybe_unused]] std::uint64_t key_hash) const {
  throw std::logic_error(
      "not implemented yet: RendezvousHash::NodeForHash "
      "(see labs/scaling/hints/rendezvous.md)");
}

}  // namespace scaling
