// A network whose links are shared by concurrent transfers, routed over a physical graph
// that may differ from the agents' logical topology (e.g. agents behind one switch). Each
// message is a fluid flow along its route; active flows get max-min fair rates (progressive
// filling), recomputed whenever a flow starts or ends. A message is delivered once its last
// bit has left the sender (at its current rate) plus the sum of the route's latencies.
// Cost: every send and every completion recomputes all rates, O(rounds * (links + flows *
// hops)), where rounds is the number of distinct bottleneck levels (usually a few).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/agent_id.h"
#include "sim/event_queue.h"
#include "sim/link_spec.h"
#include "sim/link_table.h"
#include "sim/message.h"
#include "sim/network.h"
#include "sim/simulation.h"
#include "sim/time.h"

namespace cdsim {

class SharedLinkNetwork final : public Network {
 public:
  // One physical full-duplex link between two nodes.
  struct PhysicalLink {
    AgentId a;
    AgentId b;
    LinkSpec spec;
  };

  // Nodes 0 .. node_count - 1 (agents first, then switches or servers); physical link i
  // gets directed links 2i (a -> b) and 2i + 1 (b -> a). Throws std::invalid_argument for
  // an unknown node, a self-loop, a repeated link or a negative latency.
  SharedLinkNetwork(Simulation& simulation, std::size_t node_count, const std::vector<PhysicalLink>& links);

  AgentId add_node();
  void add_link(AgentId a, AgentId b, LinkSpec spec);

  // Routes the message on a shortest path (fewest hops; among equals, the one found first
  // by a breadth-first search visiting links in the order they were added). Throws
  // std::logic_error, naming both nodes, when there is no route.
  void send(Message message) override;

  std::size_t node_count() const override { return table_.node_count(); }
  std::size_t link_count() const override { return table_.link_count(); }
  LinkEndpoints link_endpoints(std::size_t link_index) const override;
  const LinkSpec& link_spec(std::size_t link_index) const override { return table_.link(link_index).spec; }

  // The directed links from -> to travels over; throws std::logic_error if there is none.
  const std::vector<std::uint32_t>& route(AgentId from, AgentId to) const;

  // A transfer in progress, for inspection and tests.
  struct FlowState {
    AgentId from;
    AgentId to;
    std::int64_t round;
    double rate_bits_per_second;
    double remaining_bits;  // as of the last rate change
  };
  // Active flows, oldest first.
  std::vector<FlowState> active_flows() const;

 private:
  struct Flow {
    Message message;
    std::vector<std::uint32_t> path;  // directed link indices
    SimTime path_latency;
    double remaining_bits;
    double rate_bits_per_second = 0.0;
    SimTime finish;  // when the last bit leaves at the current rate
  };

  void advance_to(SimTime now);
  void allocate_rates();
  void reschedule_completion();
  void complete_due_flows();

  Simulation& simulation_;
  LinkTable table_;
  mutable std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> routes_;  // cache, cleared by add_link
  std::vector<Flow> flows_;  // active, oldest first
  SimTime last_update_;
  EventHandle completion_event_;
  // Scratch space of allocate_rates, kept to avoid reallocating.
  std::vector<double> residual_bits_per_second_;
  std::vector<std::uint32_t> unfrozen_flows_on_link_;
  std::vector<char> frozen_;
  std::vector<char> bottleneck_;
};

}  // namespace cdsim
