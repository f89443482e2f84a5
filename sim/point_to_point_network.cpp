#include "sim/point_to_point_network.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace cdsim {
namespace {

std::string node_name(AgentId id) { return "node " + std::to_string(id.value); }

}  // namespace

PointToPointNetwork::PointToPointNetwork(Simulation& simulation, std::size_t node_count,
                                         const std::vector<Edge>& edges, LinkSpec spec)
    : PointToPointNetwork(simulation, node_count, edges, std::vector<LinkSpec>(edges.size(), spec)) {}

PointToPointNetwork::PointToPointNetwork(Simulation& simulation, std::size_t node_count,
                                         const std::vector<Edge>& edges, const std::vector<LinkSpec>& specs)
    : simulation_(simulation), node_count_(node_count) {
  if (specs.size() != edges.size()) {
    throw std::invalid_argument("PointToPointNetwork: " + std::to_string(specs.size()) + " link specs for " +
                                std::to_string(edges.size()) + " edges");
  }
  if (node_count > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("PointToPointNetwork: too many nodes");
  }
  links_.reserve(2 * edges.size());
  link_by_endpoints_.reserve(2 * edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) add_link(edges[i].first, edges[i].second, specs[i]);
}

AgentId PointToPointNetwork::add_node() {
  if (node_count_ >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("PointToPointNetwork: too many nodes");
  }
  return AgentId{static_cast<std::uint32_t>(node_count_++)};
}

void PointToPointNetwork::add_link(AgentId a, AgentId b, LinkSpec spec) {
  const std::string pair = "between " + node_name(a) + " and " + node_name(b);
  if (a.index() >= node_count_ || b.index() >= node_count_) {
    throw std::invalid_argument("PointToPointNetwork: link " + pair + ": unknown node, there are " +
                                std::to_string(node_count_) + " nodes (add_node() adds one)");
  }
  if (a == b) throw std::invalid_argument("PointToPointNetwork: link " + pair + " is a self-loop");
  if (has_link(a, b)) throw std::invalid_argument("PointToPointNetwork: link " + pair + " is repeated");
  if (spec.latency < SimTime::zero()) {
    throw std::invalid_argument("PointToPointNetwork: link " + pair + " has a negative latency " +
                                to_string(spec.latency));
  }
  add_directed_link(a, b, spec);
  add_directed_link(b, a, spec);
}

void PointToPointNetwork::add_directed_link(AgentId from, AgentId to, LinkSpec spec) {
  link_by_endpoints_.emplace(key(from, to), static_cast<std::uint32_t>(links_.size()));
  links_.push_back(Link{from, to, spec, SimTime::zero()});
}

LinkEndpoints PointToPointNetwork::link_endpoints(std::size_t link_index) const {
  const Link& link = links_.at(link_index);
  return LinkEndpoints{link.from, link.to};
}

bool PointToPointNetwork::has_link(AgentId from, AgentId to) const {
  return link_by_endpoints_.contains(key(from, to));
}

std::size_t PointToPointNetwork::link_index(AgentId from, AgentId to) const {
  const auto found = link_by_endpoints_.find(key(from, to));
  if (found == link_by_endpoints_.end()) {
    throw std::logic_error("PointToPointNetwork: no link from " + node_name(from) + " to " + node_name(to));
  }
  return found->second;
}

void PointToPointNetwork::send(Message message) {
  const std::size_t index = link_index(message.from, message.to);
  if (message.size < ByteCount{0}) {
    throw std::logic_error("PointToPointNetwork: message from " + node_name(message.from) + " to " +
                           node_name(message.to) + " has a negative size " + to_string(message.size));
  }
  Link& link = links_[index];
  const SimTime now = simulation_.now();
  const SimTime start = std::max(now, link.free_at);
  const SimTime finish = start + link.spec.bandwidth.transmission_time(message.size);
  const SimTime arrival = finish + link.spec.latency;
  record_send(message, now);
  link.free_at = finish;
  record_transmission_start(message, start, index);
  simulation_.schedule_at(arrival, [this, message = std::move(message)]() mutable {
    deliver(std::move(message), simulation_.now());
  });
}

}  // namespace cdsim
