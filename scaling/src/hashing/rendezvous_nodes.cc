// The node list of RendezvousHash. The lab's rendezvous exercise replaces
// rendezvous.cc (the score and the lookup) and keeps this file.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "scaling/rendezvous.h"

namespace scaling {

Status RendezvousHash::AddNode(std::string_view node, double weight) {
  if (node.empty()) {
    return Status::Error("invalid node name '': a node name must not be empty");
  }
  if (!std::isfinite(weight) || weight <= 0) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", weight);
    return Status::Error("invalid weight " + std::string(text) +
                         " for node '" + std::string(node) +
                         "': a weight must be a finite number greater than 0");
  }
  const bool present = std::any_of(nodes_.begin(), nodes_.end(),
                                   [node](const Node& n) { return n.name == node; });
  if (present) {
    return Status::Error("node '" + std::string(node) + "' is already present");
  }
  nodes_.push_back({std::string(node), KeyHash(node), weight});
  return Status::Ok();
}

Status RendezvousHash::RemoveNode(std::string_view node) {
  const auto found = std::find_if(nodes_.begin(), nodes_.end(),
                                  [node](const Node& n) { return n.name == node; });
  if (found == nodes_.end()) {
    return Status::Error("node '" + std::string(node) + "' is not present");
  }
  nodes_.erase(found);
  return Status::Ok();
}

}  // namespace scaling
