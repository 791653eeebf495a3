#include "scaling/bounded_load.h"

#include <cmath>
#include <string>

namespace scaling {

BoundedLoadAssigner::BoundedLoadAssigner(const HashRing* ring, double epsilon)
    : ring_(ring), epsilon_(epsilon) {}

std::int64_t BoundedLoadAssigner::Capacity(std::int64_t keys) const {
  if (ring_->empty()) return 0;
  const double nodes = static_cast<double>(ring_->nodes().size());
  return static_cast<std::int64_t>(
      std::ceil((1 + epsilon_) * static_cast<double>(keys) / nodes));
}

std::int64_t BoundedLoadAssigner::LoadOf(std::string_view node) const {
  const auto found = loads_.find(node);
  return found == loads_.end() ? 0 : found->second;
}

std::optional<std::string> BoundedLoadAssigner::Assign(std::string_view key) {
  if (ring_->empty()) return std::nullopt;
  const std::int64_t capacity = Capacity(assigned_ + 1);

  // Walk clockwise from the key's point to the first node with room. The
  // capacity times the node count is at least assigned_ + 1, so some node
  // has room and one lap of the ring finds it.
  const auto& points = ring_->points();
  std::size_t index = ring_->FirstPointAtOrAfter(ring_->hash_function()(key));
  for (std::size_t step = 0; step < points.size(); ++step) {
    const std::string& node = *points[index].node;
    if (LoadOf(node) < capacity) {
      ++loads_[node];
      ++assigned_;
      return node;
    }
    index = (index + 1) % points.size();
  }
  return std::nullopt;  // unreachable while the capacity is right
}

Status BoundedLoadAssigner::Release(std::string_view node) {
  const auto found = loads_.find(node);
  if (found == loads_.end() || found->second == 0) {
    return Status::Error("node '" + std::string(node) +
                         "' holds no key to release");
  }
  --found->second;
  --assigned_;
  return Status::Ok();
}

}  // namespace scaling
