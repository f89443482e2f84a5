// A network whose links are shared by concurrent transfers, routed over a physical graph
// that may differ from the agents' logical topology (e.g. agents behind one switch). Each
// message is a fluid flow along its route; active flows get max-min fair rates (progressive
// filling). A message is delivered once its last bit has left the sender (at its current
// rates) plus the sum of the route's latencies.
// Rates are recomputed lazily and locally, as SimGrid's LMM solver does with its
// "modified set": a flow start or end marks its route's links; once per simulated instant
// (one event after every change made at that time) only the flows connected to a marked
// link through shared links are re-solved, since max-min sharing splits into independent
// problems over the connected components of the flow-link graph. Cost of one re-solve:
// O(rounds * component links + component flows * hops), rounds the number of distinct
// bottleneck levels; completions come from an ordered set, O(log flows) each.
// Physical links may go down and come back (set_link_up): the flows crossing a link that
// goes down are lost, and routes are recomputed over the links that are up. Routes are
// cached per (source, destination) and the cache is dropped on every link state change,
// so a steady state does no search per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <tuple>
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
  // The same with a spec of its own for each direction (an asymmetric access link).
  void add_link(AgentId a, AgentId b, LinkSpec a_to_b, LinkSpec b_to_a);

  // Routes the message on a shortest path over the links that are up (fewest hops; among
  // equals, the one found first by a breadth-first search visiting links in the order they
  // were added). With links down and no route left, the message is lost (kLinkDown, through
  // on_lost). Throws std::logic_error, naming both nodes, when there is no route although
  // every link is up (a disconnected network).
  void send(Message message) override;

  std::size_t node_count() const override { return table_.node_count(); }
  std::size_t link_count() const override { return table_.link_count(); }
  LinkEndpoints link_endpoints(std::size_t link_index) const override;
  const LinkSpec& link_spec(std::size_t link_index) const override { return table_.link(link_index).spec; }
  // A bandwidth change re-solves the rates of the link's component now: flows in progress
  // send their remaining bits at their new rates. A latency change applies to flows that
  // start after it.
  void change_link(std::size_t link_index, const LinkChange& change) override;
  // Down: every message whose route crosses the link is lost (kInFlight): a flow still
  // sending stops now (its links' shares are re-solved at once, so the flows left get its
  // bandwidth) and is reported lost now; one whose last bit has left (propagating) is lost
  // at the instant it would have arrived. Messages sent from now on avoid the link. Up:
  // routes are those of a network where it never failed. A repeated state is no change.
  void set_link_up(std::size_t link_index, bool up) override;
  bool link_up(std::size_t link_index) const { return link_down_.at(link_index) == 0; }
  // The current route over the links that are up (the cached one).
  std::vector<std::size_t> route_links(AgentId from, AgentId to) const override;

  // The directed links from -> to travels over now (over the links that are up); throws
  // std::logic_error if there is none.
  const std::vector<std::uint32_t>& route(AgentId from, AgentId to) const;

  // A transfer in progress, for inspection and tests.
  struct FlowState {
    AgentId from;
    AgentId to;
    std::int64_t round;
    double rate_bits_per_second;
    double remaining_bits;  // as of the last rate change
  };
  // Active flows, oldest first, with their rates brought up to date.
  std::vector<FlowState> active_flows();

 private:
  struct Flow {
    Message message;
    std::vector<std::uint32_t> path;  // directed link indices
    SimTime path_latency;
    double remaining_bits = 0.0;      // as of updated_at (the last change of its rate)
    double rate_bits_per_second = 0.0;
    SimTime updated_at;
    SimTime finish;                   // when the last bit leaves at the current rate
    std::uint64_t sequence = 0;       // send order: ties complete oldest first
    std::uint64_t path_failures = 0;  // failures of the path's links so far, at send
    bool active = false;              // sending; a propagating flow keeps its slot until it arrives
  };
  // (finish, sequence, slot) of every active flow whose rate is known.
  using Completion = std::tuple<SimTime, std::uint64_t, std::uint32_t>;

  void mark_dirty(const std::vector<std::uint32_t>& path);
  void schedule_resolve();
  void resolve();
  void allocate_component(const std::vector<std::uint32_t>& flows, const std::vector<std::uint32_t>& links);
  void reschedule_completion();
  void complete_due_flows();
  // The cached route from -> to over the links that are up; empty when there is none.
  const std::vector<std::uint32_t>& find_route(AgentId from, AgentId to) const;
  std::uint64_t path_failures(const std::vector<std::uint32_t>& path) const;
  void take_off_links(std::uint32_t slot);  // a sending flow leaves its links' flow lists
  void stop_flow(std::uint32_t slot);       // a sending flow on a link that went down
  void arrive(std::uint32_t slot);          // a propagating flow reaches its destination

  Simulation& simulation_;
  LinkTable table_;
  // Route cache (an empty route: none over the links up), cleared by add_link and by every
  // link state change.
  mutable std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> routes_;
  std::vector<char> link_down_;             // per directed link
  std::vector<std::uint64_t> link_failures_;  // per directed link: how often it went down
  std::size_t links_down_ = 0;
  std::vector<Flow> flows_;                 // slots; inactive ones are reused
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::vector<std::uint32_t>> flows_on_link_;  // active flow slots per link
  std::set<Completion> completions_;
  std::uint64_t next_sequence_ = 0;
  std::vector<std::uint32_t> dirty_links_;
  std::vector<char> link_dirty_;
  EventHandle resolve_event_;
  EventHandle completion_event_;
  SimTime scheduled_completion_ = SimTime::max();
  // Scratch space of resolve() and allocate_component(), kept to avoid reallocating.
  std::vector<std::uint32_t> visit_stamp_link_;
  std::vector<std::uint32_t> visit_stamp_flow_;
  std::uint32_t stamp_ = 0;
  std::vector<double> residual_bits_per_second_;
  std::vector<std::uint32_t> unfrozen_flows_on_link_;
  std::vector<char> frozen_;  // per slot
  std::vector<double> old_rates_;
  std::vector<std::uint32_t> component_links_;
  std::vector<std::uint32_t> component_flows_;
  std::vector<std::uint32_t> bottlenecks_;
};

}  // namespace cdsim
