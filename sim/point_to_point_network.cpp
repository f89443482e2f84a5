#include "sim/point_to_point_network.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cdsim {

PointToPointNetwork::PointToPointNetwork(Simulation& simulation, std::size_t node_count,
                                         const std::vector<Edge>& edges, LinkSpec spec)
    : PointToPointNetwork(simulation, node_count, edges, std::vector<LinkSpec>(edges.size(), spec)) {}

PointToPointNetwork::PointToPointNetwork(Simulation& simulation, std::size_t node_count,
                                         const std::vector<Edge>& edges, const std::vector<LinkSpec>& specs)
    : simulation_(simulation), table_(node_count) {
  if (specs.size() != edges.size()) {
    throw std::invalid_argument("PointToPointNetwork: " + std::to_string(specs.size()) + " link specs for " +
                                std::to_string(edges.size()) + " edges");
  }
  free_at_.reserve(2 * edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) add_link(edges[i].first, edges[i].second, specs[i]);
}

AgentId PointToPointNetwork::add_node() {
  index_stale_ = true;
  return table_.add_node();
}

void PointToPointNetwork::add_link(AgentId a, AgentId b, LinkSpec spec) { add_link(a, b, spec, spec); }

void PointToPointNetwork::add_link(AgentId a, AgentId b, LinkSpec a_to_b, LinkSpec b_to_a) {
  table_.add_duplex_link(a, b, a_to_b, b_to_a);
  free_at_.resize(table_.link_count(), SimTime::zero());
  last_transmission_.resize(table_.link_count(), {ByteCount{-1}, SimTime::zero()});
  index_stale_ = true;
}

void PointToPointNetwork::build_index() {
  const std::size_t nodes = table_.node_count();
  row_start_.assign(nodes + 1, 0);
  outgoing_.clear();
  outgoing_.reserve(table_.link_count());
  for (std::size_t node = 0; node < nodes; ++node) {
    row_start_[node] = outgoing_.size();
    for (const std::uint32_t link : table_.outgoing(AgentId{static_cast<std::uint32_t>(node)})) {
      outgoing_.push_back(OutgoingLink{table_.link(link).to.value, link});
    }
    std::sort(outgoing_.begin() + static_cast<std::ptrdiff_t>(row_start_[node]), outgoing_.end(),
              [](const OutgoingLink& a, const OutgoingLink& b) { return a.to < b.to; });
  }
  row_start_[nodes] = outgoing_.size();
  index_stale_ = false;
}

std::size_t PointToPointNetwork::send_link(AgentId from, AgentId to) {
  if (index_stale_) build_index();
  if (from.index() < table_.node_count()) {
    const auto first = outgoing_.begin() + static_cast<std::ptrdiff_t>(row_start_[from.index()]);
    const auto last = outgoing_.begin() + static_cast<std::ptrdiff_t>(row_start_[from.index() + 1]);
    const auto found = std::lower_bound(first, last, to.value,
                                        [](const OutgoingLink& entry, std::uint32_t node) { return entry.to < node; });
    if (found != last && found->to == to.value) return found->link;
  }
  return link_index(from, to);  // throws, naming the nodes
}

void PointToPointNetwork::change_link(std::size_t link_index, const LinkChange& change) {
  table_.set_spec(link_index, change);
  last_transmission_.at(link_index) = {ByteCount{-1}, SimTime::zero()};  // the cached time was the old rate's
}

LinkEndpoints PointToPointNetwork::link_endpoints(std::size_t link_index) const {
  const LinkTable::Link& link = table_.link(link_index);
  return LinkEndpoints{link.from, link.to};
}

bool PointToPointNetwork::has_link(AgentId from, AgentId to) const { return table_.find(from, to).has_value(); }

std::size_t PointToPointNetwork::link_index(AgentId from, AgentId to) const {
  const std::optional<std::size_t> found = table_.find(from, to);
  if (!found) {
    throw std::logic_error("PointToPointNetwork: no link from " + node_name(from) + " to " + node_name(to));
  }
  return *found;
}

void PointToPointNetwork::send(Message message) {
  check_sendable(message);
  const std::size_t index = send_link(message.from, message.to);
  const LinkSpec& spec = table_.link(index).spec;
  const SimTime now = simulation_.now();
  const SimTime start = std::max(now, free_at_[index]);
  auto& [last_size, last_time] = last_transmission_[index];
  if (message.size != last_size) {
    last_time = spec.bandwidth.transmission_time(message.size);
    last_size = message.size;
  }
  const SimTime finish = start + last_time;
  const SimTime arrival = finish + spec.latency;
  record_send(message, now);
  free_at_[index] = finish;
  record_transmission_start(message, start, index);
  record_transmission_end(message, finish, index);
  simulation_.schedule_at(arrival, [this, message = std::move(message)]() mutable {
    deliver(std::move(message), simulation_.now());
  });
}

}  // namespace cdsim
