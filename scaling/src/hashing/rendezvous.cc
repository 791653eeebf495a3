#include "scaling/rendezvous.h"

#include <cmath>
#include <cstdint>

namespace scaling {

double RendezvousScore(std::uint64_t key_hash, std::uint64_t node_hash,
                       double weight) {
  // Map the pair's hash to u in (0, 1): the top 53 bits fill a double's
  // mantissa exactly, and the + 0.5 keeps u away from 0 and 1, where the
  // logarithm is infinite or zero.
  const std::uint64_t x = Mix64(key_hash ^ node_hash) >> 11;
  const double u = (static_cast<double>(x) + 0.5) / 9007199254740992.0;  // 2^53

  // -1 / ln(u) grows with u, and scaling it by the weight makes the chance
  // of the highest score proportional to the weight.
  return -weight / std::log(u);
}

std::optional<std::string_view> RendezvousHash::NodeForHash(
    std::uint64_t key_hash) const {
  const Node* best = nullptr;
  double best_score = 0;
  for (const Node& node : nodes_) {
    const double score = RendezvousScore(key_hash, node.hash, node.weight);
    const bool wins = best == nullptr || score > best_score ||
                      (score == best_score && node.name < best->name);
    if (wins) {
      best = &node;
      best_score = score;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->name;
}

}  // namespace scaling
