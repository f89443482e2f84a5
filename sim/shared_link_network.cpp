#include "sim/shared_link_network.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace cdsim {
namespace {

constexpr std::uint32_t kNoLink = std::numeric_limits<std::uint32_t>::max();

// Nanoseconds to send `bits` at `rate`, rounded up; quotients within rounding noise of a
// whole number are taken as that number, so that exact cases stay exact.
SimTime time_to_send(double bits, double bits_per_second) {
  if (bits <= 0.0) return SimTime::zero();
  if (!(bits_per_second > 0.0)) throw std::logic_error("SharedLinkNetwork: a flow has no bandwidth");
  const double ns = bits * 1e9 / bits_per_second;
  if (ns >= 9.2e18) throw std::overflow_error("SharedLinkNetwork: a transfer would end beyond the largest SimTime");
  const double nearest = std::round(ns);
  const double whole = std::abs(ns - nearest) <= 1e-9 * std::max(1.0, ns) ? nearest : std::ceil(ns);
  return SimTime::from_ns(static_cast<std::int64_t>(whole));
}

}  // namespace

SharedLinkNetwork::SharedLinkNetwork(Simulation& simulation, std::size_t node_count,
                                     const std::vector<PhysicalLink>& links)
    : simulation_(simulation), table_(node_count), last_update_(simulation.now()) {
  for (const PhysicalLink& link : links) add_link(link.a, link.b, link.spec);
}

AgentId SharedLinkNetwork::add_node() { return table_.add_node(); }

void SharedLinkNetwork::add_link(AgentId a, AgentId b, LinkSpec spec) {
  table_.add_duplex_link(a, b, spec);
  routes_.clear();  // shorter routes may exist now; flows in progress keep their own copy
}

LinkEndpoints SharedLinkNetwork::link_endpoints(std::size_t link_index) const {
  const LinkTable::Link& link = table_.link(link_index);
  return LinkEndpoints{link.from, link.to};
}

const std::vector<std::uint32_t>& SharedLinkNetwork::route(AgentId from, AgentId to) const {
  const std::uint64_t key = (std::uint64_t{from.value} << 32) | to.value;
  if (const auto cached = routes_.find(key); cached != routes_.end()) return cached->second;
  const std::string no_route = "SharedLinkNetwork: no route from " + node_name(from) + " to " + node_name(to);
  if (from.index() >= node_count() || to.index() >= node_count() || from == to) throw std::logic_error(no_route);

  // Breadth-first search from `from`, remembering the link that first reached each node.
  std::vector<std::uint32_t> reached_by(node_count(), kNoLink);
  std::deque<AgentId> frontier{from};
  while (!frontier.empty() && reached_by[to.index()] == kNoLink) {
    const AgentId node = frontier.front();
    frontier.pop_front();
    for (const std::uint32_t link : table_.outgoing(node)) {
      const AgentId next = table_.link(link).to;
      if (next == from || reached_by[next.index()] != kNoLink) continue;
      reached_by[next.index()] = link;
      frontier.push_back(next);
    }
  }
  if (reached_by[to.index()] == kNoLink) throw std::logic_error(no_route);
  std::vector<std::uint32_t> path;
  for (AgentId node = to; node != from; node = table_.link(reached_by[node.index()]).from) {
    path.push_back(reached_by[node.index()]);
  }
  std::reverse(path.begin(), path.end());
  return routes_.emplace(key, std::move(path)).first->second;
}

void SharedLinkNetwork::send(Message message) {
  check_sendable(message);
  const std::vector<std::uint32_t>& path = route(message.from, message.to);
  const SimTime now = simulation_.now();
  SimTime path_latency = SimTime::zero();
  for (const std::uint32_t link : path) path_latency += table_.link(link).spec.latency;

  record_send(message, now);
  for (const std::uint32_t link : path) record_transmission_start(message, now, link);
  advance_to(now);
  const double bits = 8.0 * static_cast<double>(message.size.bytes());
  flows_.push_back(Flow{std::move(message), path, path_latency, bits, 0.0, now});
  allocate_rates();
  reschedule_completion();
}

std::vector<SharedLinkNetwork::FlowState> SharedLinkNetwork::active_flows() const {
  std::vector<FlowState> states;
  states.reserve(flows_.size());
  for (const Flow& flow : flows_) {
    states.push_back(FlowState{flow.message.from, flow.message.to, flow.message.round, flow.rate_bits_per_second,
                               flow.remaining_bits});
  }
  return states;
}

void SharedLinkNetwork::advance_to(SimTime now) {
  const double elapsed_seconds = static_cast<double>((now - last_update_).ns()) * 1e-9;
  for (Flow& flow : flows_) {
    flow.remaining_bits = std::max(0.0, flow.remaining_bits - flow.rate_bits_per_second * elapsed_seconds);
  }
  last_update_ = now;
}

// Max-min fairness by progressive filling: repeatedly find the link whose remaining
// capacity, split evenly among its unfrozen flows, is smallest; those flows get that share
// and are frozen, and their share is taken off every link of their path.
void SharedLinkNetwork::allocate_rates() {
  const std::size_t links = table_.link_count();
  residual_bits_per_second_.assign(links, 0.0);
  unfrozen_flows_on_link_.assign(links, 0);
  frozen_.assign(flows_.size(), 0);
  for (const Flow& flow : flows_) {
    for (const std::uint32_t link : flow.path) {
      residual_bits_per_second_[link] = static_cast<double>(table_.link(link).spec.bandwidth.bits_per_second());
      ++unfrozen_flows_on_link_[link];
    }
  }
  std::size_t unfrozen = flows_.size();
  while (unfrozen > 0) {
    double share = std::numeric_limits<double>::infinity();
    for (std::size_t link = 0; link < links; ++link) {
      if (unfrozen_flows_on_link_[link] == 0) continue;
      share = std::min(share, residual_bits_per_second_[link] / unfrozen_flows_on_link_[link]);
    }
    // Every link at exactly the smallest share is a bottleneck of this round (freezing one
    // of them first would leave the others' share unchanged).
    bottleneck_.assign(links, 0);
    for (std::size_t link = 0; link < links; ++link) {
      if (unfrozen_flows_on_link_[link] == 0) continue;
      bottleneck_[link] = residual_bits_per_second_[link] / unfrozen_flows_on_link_[link] == share;
    }
    for (std::size_t i = 0; i < flows_.size(); ++i) {
      Flow& flow = flows_[i];
      if (frozen_[i]) continue;
      const bool limited = std::any_of(flow.path.begin(), flow.path.end(),
                                       [this](std::uint32_t link) { return bottleneck_[link] != 0; });
      if (!limited) continue;
      flow.rate_bits_per_second = share;
      frozen_[i] = 1;
      --unfrozen;
      for (const std::uint32_t link : flow.path) {
        residual_bits_per_second_[link] = std::max(0.0, residual_bits_per_second_[link] - share);
        --unfrozen_flows_on_link_[link];
      }
    }
  }
  for (Flow& flow : flows_) flow.finish = last_update_ + time_to_send(flow.remaining_bits, flow.rate_bits_per_second);
}

void SharedLinkNetwork::reschedule_completion() {
  simulation_.cancel(completion_event_);
  completion_event_ = EventHandle{};
  if (flows_.empty()) return;
  SimTime earliest = SimTime::max();
  for (const Flow& flow : flows_) earliest = std::min(earliest, flow.finish);
  completion_event_ = simulation_.schedule_at(earliest, [this] { complete_due_flows(); });
}

void SharedLinkNetwork::complete_due_flows() {
  const SimTime now = simulation_.now();
  advance_to(now);
  // Flows whose last bit has left are removed, oldest first; the others keep their order.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < flows_.size(); ++i) {
    Flow& flow = flows_[i];
    if (flow.finish <= now) {
      for (const std::uint32_t link : flow.path) record_transmission_end(flow.message, now, link);
      simulation_.schedule_at(now + flow.path_latency, [this, message = std::move(flow.message)]() mutable {
        deliver(std::move(message), simulation_.now());
      });
    } else {
      if (kept != i) flows_[kept] = std::move(flow);
      ++kept;
    }
  }
  flows_.erase(flows_.begin() + static_cast<std::ptrdiff_t>(kept), flows_.end());
  allocate_rates();
  reschedule_completion();
}

}  // namespace cdsim
