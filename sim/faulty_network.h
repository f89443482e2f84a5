// Faults on any network, as a decorator behind the Network interface: links go down and
// come back up at given times, agents crash and recover, and messages are lost with a
// seeded probability (one for every link, or a link's own). A message sent on a down link
// is lost at once; a message still in flight on a link when it goes down is lost (it never
// reaches the receiver); a link that comes back carries new messages only. A message to or
// from a crashed agent is lost when it is sent, and a message that arrives at a crashed
// agent is lost on arrival (one already on its way from an agent that then crashes still
// arrives: it has left). Every loss is counted by cause, so nothing is lost silently. The
// inner network keeps the timing (FIFO links, shared links, routes); in-flight messages are
// matched to their directed link in FIFO order, which is the delivery order of a
// point-to-point link.
// Links of the inner network itself (a platform's host and switch links, named by their
// nodes) fail through Network::set_link_up: the inner network loses the messages on them
// and routes around them, and this network counts those losses like its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/rng.h"
#include "sim/agent_id.h"
#include "sim/network.h"
#include "sim/simulation.h"
#include "sim/time.h"

namespace cdsim {

// Link {a, b} (both directions) goes down or comes back up at `at`.
struct LinkStateChange {
  SimTime at;
  AgentId a;
  AgentId b;
  bool up = false;
};

// Agent `agent` crashes (up = false) or recovers at `at`.
struct AgentStateChange {
  SimTime at;
  AgentId agent;
  bool up = false;
};

// Link {a, b} (both directions) gets a new latency and/or bandwidth at `at`.
struct LinkRateChange {
  SimTime at;
  AgentId a;
  AgentId b;
  LinkChange change;
};

// Link {a, b} (both directions) loses each message with its own probability.
struct LinkLossProbability {
  AgentId a;
  AgentId b;
  double probability = 0.0;
};

// Everything a FaultyNetwork does, in time order within each list (equal times apply in
// list order; link changes, then agent changes, then rate changes at one instant).
struct FaultSchedule {
  std::vector<LinkStateChange> links;
  // Links of the inner network, by their two nodes (e.g. a host and its switch): taken down
  // and up with Network::set_link_up. Not together with `links`: rerouting breaks the FIFO
  // order in which messages on an agent pair are matched.
  std::vector<LinkStateChange> network_links;
  std::vector<AgentStateChange> agents;
  std::vector<LinkRateChange> rates;  // applied by the inner network's change_link
  double loss_probability = 0.0;               // links without their own
  std::vector<LinkLossProbability> link_loss;  // overrides loss_probability on those links
  // Links of the inner network, by their two nodes (both directions): a message is lost
  // with 1 - (1 - p_pair) * prod(1 - p) over the links of its route (route_links at send),
  // p_pair its agent pair's probability above; one draw, as for the others.
  std::vector<LinkLossProbability> network_link_loss;
};

struct LossStats {
  std::uint64_t messages_lost_link_down = 0;   // sent while their link was down
  std::uint64_t messages_lost_in_flight = 0;   // on their link when it went down
  std::uint64_t messages_lost_random = 0;      // drawn lost (loss probability)
  std::uint64_t messages_lost_agent_down = 0;  // from or to a crashed agent
  ByteCount bytes_lost_link_down;
  ByteCount bytes_lost_in_flight;
  ByteCount bytes_lost_random;
  ByteCount bytes_lost_agent_down;
  std::uint64_t messages_lost() const {
    return messages_lost_link_down + messages_lost_in_flight + messages_lost_random + messages_lost_agent_down;
  }
  ByteCount bytes_lost() const {
    return bytes_lost_link_down + bytes_lost_in_flight + bytes_lost_random + bytes_lost_agent_down;
  }
};

class FaultyNetwork final : public Network {
 public:
  // Takes over the inner network's delivery handler. The schedule's changes are scheduled
  // now. A message on an up link between up agents is lost with its link's probability,
  // drawn from Rng(seed, 0, kLoss) in send order (one draw per such message when any
  // probability is > 0). Throws std::invalid_argument for a probability outside [0, 1], a
  // network_link_loss between nodes with no link, or both `links` and `network_links`.
  FaultyNetwork(Simulation& simulation, std::unique_ptr<Network> inner, const FaultSchedule& schedule,
                std::uint64_t seed);
  // Link changes and one loss probability only.
  FaultyNetwork(Simulation& simulation, std::unique_ptr<Network> inner, const std::vector<LinkStateChange>& changes,
                double loss_probability, std::uint64_t seed);

  void send(Message message) override;
  std::size_t node_count() const override { return inner_->node_count(); }
  std::size_t link_count() const override { return inner_->link_count(); }
  LinkEndpoints link_endpoints(std::size_t link_index) const override { return inner_->link_endpoints(link_index); }
  const LinkSpec& link_spec(std::size_t link_index) const override { return inner_->link_spec(link_index); }
  void change_link(std::size_t link_index, const LinkChange& change) override { inner_->change_link(link_index, change); }
  void set_link_up(std::size_t link_index, bool up) override {
    route_loss_.clear();
    inner_->set_link_up(link_index, up);
  }
  std::vector<std::size_t> route_links(AgentId from, AgentId to) const override { return inner_->route_links(from, to); }

  const LossStats& losses() const { return losses_; }
  bool link_up(AgentId a, AgentId b) const;
  bool agent_up(AgentId agent) const;

 private:
  static std::uint64_t key(AgentId from, AgentId to) { return (std::uint64_t{from.value} << 32) | to.value; }
  void set_link(AgentId a, AgentId b, bool up);
  // Takes both directed links of the inner network between the two nodes down or up (a
  // down count, as set_link); throws std::logic_error when there are none.
  void set_network_link(AgentId a, AgentId b, bool up);
  // Counts a loss the inner network reported.
  void inner_lost(const Message& message, LossCause cause);
  // Both directed links of the inner network between the two nodes; throws std::logic_error
  // when there are none.
  void change_rate(const LinkRateChange& rate);
  void arrived(Message&& message);
  // Counts a loss and tells the observers.
  void lose(std::uint64_t& messages, ByteCount& bytes, const Message& message, LossCause cause);

  Simulation& simulation_;
  std::unique_ptr<Network> inner_;
  double loss_probability_;
  bool any_loss_ = false;
  std::unordered_map<std::uint64_t, double> link_loss_;  // directed link -> its probability
  std::vector<double> network_link_loss_;  // by inner directed link; empty when none has one
  // Per directed agent pair, its loss probability combined with its route's lossy links:
  // computed at a pair's first send, dropped whenever a link's state changes (routes do).
  std::unordered_map<std::uint64_t, double> route_loss_;
  Rng loss_rng_;
  std::unordered_map<std::uint64_t, int> down_;  // directed link -> down count (partitions may overlap)
  std::unordered_map<std::uint64_t, int> network_down_;  // inner link {a, b} (a < b) -> down count
  bool track_in_flight_ = false;                 // only agent-pair link changes need it
  std::vector<std::uint8_t> agent_down_;         // by node; grows on demand
  // Per directed link, the messages in flight in sending order: true once lost.
  std::unordered_map<std::uint64_t, std::deque<bool>> in_flight_;
  LossStats losses_;
};

}  // namespace cdsim
