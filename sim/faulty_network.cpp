#include "sim/faulty_network.h"

#include <stdexcept>
#include <utility>

namespace cdsim {

FaultyNetwork::FaultyNetwork(Simulation& simulation, std::unique_ptr<Network> inner,
                             const std::vector<LinkStateChange>& changes, double loss_probability,
                             std::uint64_t seed)
    : simulation_(simulation),
      inner_(std::move(inner)),
      loss_probability_(loss_probability),
      loss_rng_(seed, 0, RngPurpose::kLoss) {
  if (!(loss_probability >= 0.0 && loss_probability <= 1.0)) {
    throw std::invalid_argument("FaultyNetwork: loss probability outside [0, 1]");
  }
  inner_->set_delivery_handler([this](Message&& message) { arrived(std::move(message)); });
  // Traces see the inner network's transmissions as this network's.
  NetworkObserver forward;
  forward.on_transmission_start = [this](const Message& message, SimTime start, std::size_t link) {
    record_transmission_start(message, start, link);
  };
  forward.on_transmission_end = [this](const Message& message, SimTime end, std::size_t link) {
    record_transmission_end(message, end, link);
  };
  inner_->add_observer(std::move(forward));
  for (const LinkStateChange& change : changes) {
    simulation_.schedule_at(change.at, [this, change] { set_link(change.a, change.b, change.up); });
  }
}

bool FaultyNetwork::link_up(AgentId a, AgentId b) const {
  const auto found = down_.find(key(a, b));
  return found == down_.end() || found->second == 0;
}

void FaultyNetwork::set_link(AgentId a, AgentId b, bool up) {
  // Overlapping partitions count: the link changes state when its count leaves or reaches 0.
  const bool was_up = link_up(a, b);
  for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    int& count = down_[key(from, to)];
    if (up) {
      if (count > 0) --count;
      continue;
    }
    ++count;
    // Whatever is on the link now never arrives.
    auto found = in_flight_.find(key(from, to));
    if (found == in_flight_.end()) continue;
    for (auto it = found->second.begin(); it != found->second.end(); ++it) *it = true;
  }
  if (link_up(a, b) != was_up) record_link_state(a, b, !was_up, simulation_.now());
}

void FaultyNetwork::send(Message message) {
  check_sendable(message);
  record_send(message, simulation_.now());
  if (!link_up(message.from, message.to)) {
    ++losses_.messages_lost_link_down;
    losses_.bytes_lost_link_down += message.size;
    record_loss(message, simulation_.now(), LossCause::kLinkDown);
    return;
  }
  // Drawn for every message on an up link, lost or not, so the draws follow send order.
  if (loss_probability_ > 0.0 && loss_rng_.uniform01() < loss_probability_) {
    ++losses_.messages_lost_random;
    losses_.bytes_lost_random += message.size;
    record_loss(message, simulation_.now(), LossCause::kRandom);
    return;
  }
  in_flight_[key(message.from, message.to)].push_back(false);
  inner_->send(std::move(message));
}

void FaultyNetwork::arrived(Message&& message) {
  std::deque<bool>& queue = in_flight_.at(key(message.from, message.to));
  const bool lost = queue.front();
  queue.pop_front();
  if (lost) {
    ++losses_.messages_lost_in_flight;
    losses_.bytes_lost_in_flight += message.size;
    record_loss(message, simulation_.now(), LossCause::kInFlight);
    return;
  }
  deliver(std::move(message), simulation_.now());
}

}  // namespace cdsim
