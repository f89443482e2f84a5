#include "sim/link_table.h"

#include <limits>
#include <stdexcept>

namespace cdsim {

void LinkTable::set_spec(std::size_t index, const LinkChange& change) {
  LinkSpec& spec = links_.at(index).spec;
  if (change.latency && *change.latency < SimTime::zero()) throw std::invalid_argument("LinkTable: negative latency");
  if (change.latency) spec.latency = *change.latency;
  if (change.bandwidth) spec.bandwidth = *change.bandwidth;
}

std::string node_name(AgentId id) { return "node " + std::to_string(id.value); }

LinkTable::LinkTable(std::size_t node_count) {
  if (node_count > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("network: " + std::to_string(node_count) + " nodes is more than 2^32 - 1");
  }
  outgoing_.resize(node_count);
}

AgentId LinkTable::add_node() {
  if (outgoing_.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("network: too many nodes");
  }
  outgoing_.emplace_back();
  return AgentId{static_cast<std::uint32_t>(outgoing_.size() - 1)};
}

void LinkTable::add_duplex_link(AgentId a, AgentId b, LinkSpec spec) { add_duplex_link(a, b, spec, spec); }

void LinkTable::add_duplex_link(AgentId a, AgentId b, LinkSpec a_to_b, LinkSpec b_to_a) {
  const std::string pair = "link between " + node_name(a) + " and " + node_name(b);
  if (a.index() >= node_count() || b.index() >= node_count()) {
    throw std::invalid_argument("network: " + pair + ": unknown node, there are " + std::to_string(node_count()) +
                                " nodes (add_node() adds one)");
  }
  if (a == b) throw std::invalid_argument("network: " + pair + " is a self-loop");
  if (find(a, b).has_value()) throw std::invalid_argument("network: " + pair + " is repeated");
  for (const LinkSpec& spec : {a_to_b, b_to_a}) {
    if (spec.latency < SimTime::zero()) {
      throw std::invalid_argument("network: " + pair + " has a negative latency " + to_string(spec.latency));
    }
  }
  add_directed_link(a, b, a_to_b);
  add_directed_link(b, a, b_to_a);
}

void LinkTable::add_directed_link(AgentId from, AgentId to, LinkSpec spec) {
  const auto index = static_cast<std::uint32_t>(links_.size());
  link_by_endpoints_.emplace(key(from, to), index);
  outgoing_[from.index()].push_back(index);
  links_.push_back(Link{from, to, spec});
}

std::optional<std::size_t> LinkTable::find(AgentId from, AgentId to) const {
  const auto found = link_by_endpoints_.find(key(from, to));
  if (found == link_by_endpoints_.end()) return std::nullopt;
  return found->second;
}

}  // namespace cdsim
