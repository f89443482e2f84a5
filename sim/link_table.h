// The links of a network: nodes 0 .. node_count - 1 and full-duplex links between them,
// each stored as two directed links with their own index (2k: a -> b, 2k + 1: b -> a) and
// spec. Owns the lookup from endpoints to link and each node's outgoing links, in the order
// they were added (which makes routing deterministic). Network models build on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/agent_id.h"
#include "sim/link_spec.h"

namespace cdsim {

class LinkTable {
 public:
  struct Link {
    AgentId from;
    AgentId to;
    LinkSpec spec;
  };

  explicit LinkTable(std::size_t node_count);

  std::size_t node_count() const { return outgoing_.size(); }
  // Adds a node with no links and returns its id.
  AgentId add_node();
  // Adds the directed links a -> b and b -> a. Throws std::invalid_argument for an unknown
  // node, a self-loop, a link that already exists or a negative latency.
  void add_duplex_link(AgentId a, AgentId b, LinkSpec spec);
  // The same with a spec of its own for each direction (asymmetric access links).
  void add_duplex_link(AgentId a, AgentId b, LinkSpec a_to_b, LinkSpec b_to_a);

  std::size_t link_count() const { return links_.size(); }
  const Link& link(std::size_t index) const { return links_.at(index); }
  // Replaces a directed link's spec (a degraded link); throws std::invalid_argument for a
  // negative latency, std::out_of_range for an unknown link.
  void set_spec(std::size_t index, const LinkChange& change);
  // Index of the directed link from -> to, if there is one.
  std::optional<std::size_t> find(AgentId from, AgentId to) const;
  // Indices of the links leaving `node`, in the order they were added.
  const std::vector<std::uint32_t>& outgoing(AgentId node) const { return outgoing_.at(node.index()); }

 private:
  static std::uint64_t key(AgentId from, AgentId to) { return (std::uint64_t{from.value} << 32) | to.value; }
  void add_directed_link(AgentId from, AgentId to, LinkSpec spec);

  std::vector<Link> links_;
  std::vector<std::vector<std::uint32_t>> outgoing_;  // per node
  std::unordered_map<std::uint64_t, std::uint32_t> link_by_endpoints_;
};

// "node 3", for messages that name nodes.
std::string node_name(AgentId id);

}  // namespace cdsim
