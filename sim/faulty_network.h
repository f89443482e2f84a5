// Faults on any network, as a decorator behind the Network interface: links go down and
// come back up at given times, and every message is lost with a seeded probability. A
// message sent on a down link is lost at once; a message still in flight on a link when
// it goes down is lost (it never reaches the receiver); a link that comes back carries new
// messages only. Every loss is counted by cause, so nothing is lost silently. The inner
// network keeps the timing (FIFO links, shared links, routes); in-flight messages are
// matched to their directed link in FIFO order, which is the delivery order of a
// point-to-point link.
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

struct LossStats {
  std::uint64_t messages_lost_link_down = 0;   // sent while their link was down
  std::uint64_t messages_lost_in_flight = 0;   // on their link when it went down
  std::uint64_t messages_lost_random = 0;      // drawn lost (loss_probability)
  ByteCount bytes_lost_link_down;
  ByteCount bytes_lost_in_flight;
  ByteCount bytes_lost_random;
  std::uint64_t messages_lost() const {
    return messages_lost_link_down + messages_lost_in_flight + messages_lost_random;
  }
};

class FaultyNetwork final : public Network {
 public:
  // Takes over the inner network's delivery handler. `changes` are scheduled now, in the
  // order given (equal times apply in that order). Each message is lost with
  // `loss_probability`, drawn from Rng(seed, 0, kLoss) in send order.
  FaultyNetwork(Simulation& simulation, std::unique_ptr<Network> inner, const std::vector<LinkStateChange>& changes,
                double loss_probability, std::uint64_t seed);

  void send(Message message) override;
  std::size_t node_count() const override { return inner_->node_count(); }
  std::size_t link_count() const override { return inner_->link_count(); }
  LinkEndpoints link_endpoints(std::size_t link_index) const override { return inner_->link_endpoints(link_index); }
  const LinkSpec& link_spec(std::size_t link_index) const override { return inner_->link_spec(link_index); }

  const LossStats& losses() const { return losses_; }
  bool link_up(AgentId a, AgentId b) const;

 private:
  static std::uint64_t key(AgentId from, AgentId to) { return (std::uint64_t{from.value} << 32) | to.value; }
  void set_link(AgentId a, AgentId b, bool up);
  void arrived(Message&& message);

  Simulation& simulation_;
  std::unique_ptr<Network> inner_;
  double loss_probability_;
  Rng loss_rng_;
  std::unordered_map<std::uint64_t, int> down_;  // directed link -> down count (partitions may overlap)
  // Per directed link, the messages in flight in sending order: true once lost.
  std::unordered_map<std::uint64_t, std::deque<bool>> in_flight_;
  LossStats losses_;
};

}  // namespace cdsim
