#include "sim/faulty_network.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "sim/link_table.h"

namespace cdsim {
namespace {

void check_probability(double probability) {
  if (!(probability >= 0.0 && probability <= 1.0)) {
    throw std::invalid_argument("FaultyNetwork: loss probability outside [0, 1]");
  }
}

FaultSchedule links_only(const std::vector<LinkStateChange>& changes, double loss_probability) {
  FaultSchedule schedule;
  schedule.links = changes;
  schedule.loss_probability = loss_probability;
  return schedule;
}

}  // namespace

FaultyNetwork::FaultyNetwork(Simulation& simulation, std::unique_ptr<Network> inner,
                             const std::vector<LinkStateChange>& changes, double loss_probability,
                             std::uint64_t seed)
    : FaultyNetwork(simulation, std::move(inner), links_only(changes, loss_probability), seed) {}

FaultyNetwork::FaultyNetwork(Simulation& simulation, std::unique_ptr<Network> inner, const FaultSchedule& schedule,
                             std::uint64_t seed)
    : simulation_(simulation),
      inner_(std::move(inner)),
      loss_probability_(schedule.loss_probability),
      loss_rng_(seed, 0, RngPurpose::kLoss) {
  check_probability(loss_probability_);
  if (!schedule.links.empty() && !schedule.network_links.empty()) {
    throw std::invalid_argument("FaultyNetwork: agent-pair link changes and network link changes together");
  }
  track_in_flight_ = !schedule.links.empty();
  any_loss_ = loss_probability_ > 0.0;
  for (const LinkLossProbability& loss : schedule.link_loss) {
    check_probability(loss.probability);
    link_loss_[key(loss.a, loss.b)] = loss.probability;
    link_loss_[key(loss.b, loss.a)] = loss.probability;
    any_loss_ = any_loss_ || loss.probability > 0.0;
  }
  for (const LinkLossProbability& loss : schedule.network_link_loss) {
    check_probability(loss.probability);
    if (network_link_loss_.empty()) network_link_loss_.assign(inner_->link_count(), 0.0);
    bool found = false;
    for (std::size_t link = 0; link < inner_->link_count(); ++link) {
      const LinkEndpoints ends = inner_->link_endpoints(link);
      if ((ends.from == loss.a && ends.to == loss.b) || (ends.from == loss.b && ends.to == loss.a)) {
        network_link_loss_[link] = loss.probability;
        found = true;
      }
    }
    if (!found) {
      throw std::invalid_argument("FaultyNetwork: no link between " + node_name(loss.a) + " and " + node_name(loss.b) +
                                  " to make lossy");
    }
    any_loss_ = any_loss_ || loss.probability > 0.0;
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
  forward.on_transmission_stopped = [this](const Message& message, SimTime end, std::size_t link) {
    record_transmission_stopped(message, end, link);
  };
  forward.on_lost = [this](const Message& message, SimTime, LossCause cause) { inner_lost(message, cause); };
  inner_->add_observer(std::move(forward));
  for (const LinkStateChange& change : schedule.links) {
    simulation_.schedule_at(change.at, [this, change] { set_link(change.a, change.b, change.up); });
  }
  for (const LinkStateChange& change : schedule.network_links) {
    simulation_.schedule_at(change.at, [this, change] { set_network_link(change.a, change.b, change.up); });
  }
  for (const AgentStateChange& change : schedule.agents) {
    simulation_.schedule_at(change.at, [this, change] {
      if (agent_down_.size() <= change.agent.value) agent_down_.resize(change.agent.value + 1, 0);
      agent_down_[change.agent.value] = change.up ? 0 : 1;
    });
  }
  for (const LinkRateChange& rate : schedule.rates) {
    simulation_.schedule_at(rate.at, [this, rate] { change_rate(rate); });
  }
}

void FaultyNetwork::change_rate(const LinkRateChange& rate) {
  bool found = false;
  for (std::size_t link = 0; link < inner_->link_count(); ++link) {
    const LinkEndpoints ends = inner_->link_endpoints(link);
    if ((ends.from == rate.a && ends.to == rate.b) || (ends.from == rate.b && ends.to == rate.a)) {
      inner_->change_link(link, rate.change);
      found = true;
    }
  }
  if (!found) {
    throw std::logic_error("FaultyNetwork: no link between " + node_name(rate.a) + " and " + node_name(rate.b) +
                           " to change");
  }
}

bool FaultyNetwork::link_up(AgentId a, AgentId b) const {
  const auto found = down_.find(key(a, b));
  return found == down_.end() || found->second == 0;
}

bool FaultyNetwork::agent_up(AgentId agent) const {
  return agent.value >= agent_down_.size() || agent_down_[agent.value] == 0;
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

void FaultyNetwork::set_network_link(AgentId a, AgentId b, bool up) {
  int& count = network_down_[a.value < b.value ? key(a, b) : key(b, a)];
  const bool was_up = count == 0;
  count = up ? std::max(0, count - 1) : count + 1;
  if ((count == 0) == was_up) return;
  route_loss_.clear();
  bool found = false;
  for (std::size_t link = 0; link < inner_->link_count(); ++link) {
    const LinkEndpoints ends = inner_->link_endpoints(link);
    if ((ends.from == a && ends.to == b) || (ends.from == b && ends.to == a)) {
      inner_->set_link_up(link, up);
      found = true;
    }
  }
  if (!found) {
    throw std::logic_error("FaultyNetwork: no link between " + node_name(a) + " and " + node_name(b) + " to take " +
                           (up ? "up" : "down"));
  }
  record_link_state(a, b, up, simulation_.now());
}

void FaultyNetwork::inner_lost(const Message& message, LossCause cause) {
  LossStats& l = losses_;
  switch (cause) {
    case LossCause::kLinkDown: return lose(l.messages_lost_link_down, l.bytes_lost_link_down, message, cause);
    case LossCause::kInFlight: return lose(l.messages_lost_in_flight, l.bytes_lost_in_flight, message, cause);
    case LossCause::kRandom: return lose(l.messages_lost_random, l.bytes_lost_random, message, cause);
    case LossCause::kAgentDown: return lose(l.messages_lost_agent_down, l.bytes_lost_agent_down, message, cause);
  }
  throw std::logic_error("FaultyNetwork: an unknown loss cause");
}

void FaultyNetwork::lose(std::uint64_t& messages, ByteCount& bytes, const Message& message, LossCause cause) {
  ++messages;
  bytes += message.size;
  record_loss(message, simulation_.now(), cause);
}

void FaultyNetwork::send(Message message) {
  check_sendable(message);
  record_send(message, simulation_.now());
  if (!agent_up(message.from) || !agent_up(message.to)) {
    lose(losses_.messages_lost_agent_down, losses_.bytes_lost_agent_down, message, LossCause::kAgentDown);
    return;
  }
  if (!link_up(message.from, message.to)) {
    lose(losses_.messages_lost_link_down, losses_.bytes_lost_link_down, message, LossCause::kLinkDown);
    return;
  }
  // Drawn for every message on an up link, lost or not, so the draws follow send order.
  if (any_loss_) {
    const auto own = link_loss_.find(key(message.from, message.to));
    double probability = own == link_loss_.end() ? loss_probability_ : own->second;
    if (!network_link_loss_.empty()) {
      // route_links builds a vector: once per pair and route, not once per message.
      const auto [cached, added] = route_loss_.try_emplace(key(message.from, message.to), 0.0);
      if (added) {
        double survival = 1.0 - probability;
        for (const std::size_t link : inner_->route_links(message.from, message.to)) {
          survival *= 1.0 - network_link_loss_[link];
        }
        cached->second = 1.0 - survival;
      }
      probability = cached->second;
    }
    if (loss_rng_.uniform01() < probability) {
      lose(losses_.messages_lost_random, losses_.bytes_lost_random, message, LossCause::kRandom);
      return;
    }
  }
  if (track_in_flight_) in_flight_[key(message.from, message.to)].push_back(false);
  inner_->send(std::move(message));
}

void FaultyNetwork::arrived(Message&& message) {
  bool lost = false;
  if (track_in_flight_) {
    std::deque<bool>& queue = in_flight_.at(key(message.from, message.to));
    lost = queue.front();
    queue.pop_front();
  }
  if (lost) {
    lose(losses_.messages_lost_in_flight, losses_.bytes_lost_in_flight, message, LossCause::kInFlight);
    return;
  }
  if (!agent_up(message.to)) {
    lose(losses_.messages_lost_agent_down, losses_.bytes_lost_agent_down, message, LossCause::kAgentDown);
    return;
  }
  deliver(std::move(message), simulation_.now());
}

}  // namespace cdsim
