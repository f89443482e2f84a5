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

std::logic_error no_route(AgentId from, AgentId to) {
  return std::logic_error("SharedLinkNetwork: no route from " + node_name(from) + " to " + node_name(to));
}

}  // namespace

SharedLinkNetwork::SharedLinkNetwork(Simulation& simulation, std::size_t node_count,
                                     const std::vector<PhysicalLink>& links)
    : simulation_(simulation), table_(node_count) {
  for (const PhysicalLink& link : links) add_link(link.a, link.b, link.spec);
}

AgentId SharedLinkNetwork::add_node() { return table_.add_node(); }

void SharedLinkNetwork::add_link(AgentId a, AgentId b, LinkSpec spec) { add_link(a, b, spec, spec); }

void SharedLinkNetwork::add_link(AgentId a, AgentId b, LinkSpec a_to_b, LinkSpec b_to_a) {
  table_.add_duplex_link(a, b, a_to_b, b_to_a);
  routes_.clear();  // shorter routes may exist now; flows in progress keep their own copy
  const std::size_t links = table_.link_count();
  flows_on_link_.resize(links);
  link_dirty_.resize(links, 0);
  visit_stamp_link_.resize(links, 0);
  residual_bits_per_second_.resize(links, 0.0);
  unfrozen_flows_on_link_.resize(links, 0);
  link_down_.resize(links, 0);
  link_failures_.resize(links, 0);
}

LinkEndpoints SharedLinkNetwork::link_endpoints(std::size_t link_index) const {
  const LinkTable::Link& link = table_.link(link_index);
  return LinkEndpoints{link.from, link.to};
}

const std::vector<std::uint32_t>& SharedLinkNetwork::route(AgentId from, AgentId to) const {
  const std::vector<std::uint32_t>& path = find_route(from, to);
  if (path.empty()) throw no_route(from, to);
  return path;
}

const std::vector<std::uint32_t>& SharedLinkNetwork::find_route(AgentId from, AgentId to) const {
  const std::uint64_t key = (std::uint64_t{from.value} << 32) | to.value;
  if (const auto cached = routes_.find(key); cached != routes_.end()) return cached->second;
  if (from.index() >= node_count() || to.index() >= node_count() || from == to) throw no_route(from, to);

  // Breadth-first search from `from` over the links that are up, remembering the link that
  // first reached each node.
  std::vector<std::uint32_t> reached_by(node_count(), kNoLink);
  std::deque<AgentId> frontier{from};
  while (!frontier.empty() && reached_by[to.index()] == kNoLink) {
    const AgentId node = frontier.front();
    frontier.pop_front();
    for (const std::uint32_t link : table_.outgoing(node)) {
      if (link_down_[link]) continue;
      const AgentId next = table_.link(link).to;
      if (next == from || reached_by[next.index()] != kNoLink) continue;
      reached_by[next.index()] = link;
      frontier.push_back(next);
    }
  }
  std::vector<std::uint32_t> path;  // stays empty: no route (cached too, until a link changes)
  if (reached_by[to.index()] != kNoLink) {
    for (AgentId node = to; node != from; node = table_.link(reached_by[node.index()]).from) {
      path.push_back(reached_by[node.index()]);
    }
    std::reverse(path.begin(), path.end());
  }
  return routes_.emplace(key, std::move(path)).first->second;
}

std::vector<std::size_t> SharedLinkNetwork::route_links(AgentId from, AgentId to) const {
  const std::vector<std::uint32_t>& path = find_route(from, to);
  return std::vector<std::size_t>(path.begin(), path.end());
}

std::uint64_t SharedLinkNetwork::path_failures(const std::vector<std::uint32_t>& path) const {
  std::uint64_t failures = 0;
  for (const std::uint32_t link : path) failures += link_failures_[link];
  return failures;
}

void SharedLinkNetwork::send(Message message) {
  check_sendable(message);
  const std::vector<std::uint32_t>& path = find_route(message.from, message.to);
  const SimTime now = simulation_.now();
  if (path.empty()) {
    if (links_down_ == 0) throw no_route(message.from, message.to);
    record_send(message, now);
    record_loss(message, now, LossCause::kLinkDown);
    return;
  }
  SimTime path_latency = SimTime::zero();
  for (const std::uint32_t link : path) path_latency += table_.link(link).spec.latency;

  record_send(message, now);
  for (const std::uint32_t link : path) record_transmission_start(message, now, link);
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(flows_.size());
    flows_.emplace_back();
    visit_stamp_flow_.push_back(0);
    frozen_.push_back(0);
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Flow& flow = flows_[slot];
  flow.remaining_bits = 8.0 * static_cast<double>(message.size.bytes());
  flow.message = std::move(message);
  flow.path = path;
  flow.path_latency = path_latency;
  flow.rate_bits_per_second = 0.0;
  flow.updated_at = now;
  flow.finish = SimTime::max();
  flow.sequence = next_sequence_++;
  flow.path_failures = path_failures(flow.path);
  flow.active = true;
  for (const std::uint32_t link : flow.path) flows_on_link_[link].push_back(slot);
  mark_dirty(flow.path);
}

std::vector<SharedLinkNetwork::FlowState> SharedLinkNetwork::active_flows() {
  if (!dirty_links_.empty()) resolve();
  std::vector<const Flow*> active;
  for (const Flow& flow : flows_) {
    if (flow.active) active.push_back(&flow);
  }
  std::sort(active.begin(), active.end(), [](const Flow* a, const Flow* b) { return a->sequence < b->sequence; });
  std::vector<FlowState> states;
  states.reserve(active.size());
  for (const Flow* flow : active) {
    states.push_back(FlowState{flow->message.from, flow->message.to, flow->message.round, flow->rate_bits_per_second,
                               flow->remaining_bits});
  }
  return states;
}

void SharedLinkNetwork::change_link(std::size_t link_index, const LinkChange& change) {
  table_.set_spec(link_index, change);
  if (change.bandwidth) mark_dirty({static_cast<std::uint32_t>(link_index)});
}

void SharedLinkNetwork::set_link_up(std::size_t link_index, bool up) {
  if (link_index >= table_.link_count()) throw std::out_of_range("SharedLinkNetwork: no link " + std::to_string(link_index));
  if (link_up(link_index) == up) return;
  link_down_[link_index] = up ? 0 : 1;
  routes_.clear();
  if (up) {
    --links_down_;
    return;
  }
  ++links_down_;
  ++link_failures_[link_index];
  // The flows sending over it stop, oldest first (a deterministic order for traces).
  std::vector<std::uint32_t> stopped = flows_on_link_[link_index];
  std::sort(stopped.begin(), stopped.end(),
            [this](std::uint32_t a, std::uint32_t b) { return flows_[a].sequence < flows_[b].sequence; });
  for (const std::uint32_t slot : stopped) stop_flow(slot);
}

void SharedLinkNetwork::take_off_links(std::uint32_t slot) {
  const Flow& flow = flows_[slot];
  for (const std::uint32_t link : flow.path) {
    std::vector<std::uint32_t>& on_link = flows_on_link_[link];
    const auto it = std::find(on_link.begin(), on_link.end(), slot);
    *it = on_link.back();
    on_link.pop_back();
  }
  mark_dirty(flow.path);
}

void SharedLinkNetwork::stop_flow(std::uint32_t slot) {
  const SimTime now = simulation_.now();
  Flow& flow = flows_[slot];
  if (flow.finish != SimTime::max()) completions_.erase(Completion{flow.finish, flow.sequence, slot});
  for (const std::uint32_t link : flow.path) record_transmission_stopped(flow.message, now, link);
  take_off_links(slot);
  flow.active = false;
  flow.finish = SimTime::max();
  free_slots_.push_back(slot);
  const Message message = std::move(flow.message);
  record_loss(message, now, LossCause::kInFlight);
  reschedule_completion();
}

void SharedLinkNetwork::arrive(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  // Lost if a link of its route went down since it was sent (it was on the route then).
  const bool lost = path_failures(flow.path) != flow.path_failures;
  Message message = std::move(flow.message);
  free_slots_.push_back(slot);  // before deliver(): the handler may send and reuse it
  if (lost) {
    record_loss(message, simulation_.now(), LossCause::kInFlight);
  } else {
    deliver(std::move(message), simulation_.now());
  }
}

void SharedLinkNetwork::mark_dirty(const std::vector<std::uint32_t>& path) {
  for (const std::uint32_t link : path) {
    if (link_dirty_[link]) continue;
    link_dirty_[link] = 1;
    dirty_links_.push_back(link);
  }
  schedule_resolve();
}

// One re-solve per instant, after every change made at that time.
void SharedLinkNetwork::schedule_resolve() {
  if (dirty_links_.empty() || simulation_.is_pending(resolve_event_)) return;
  resolve_event_ = simulation_.schedule_at(simulation_.now(), [this] { resolve(); });
}

// Re-solves the connected components of the flow-link graph that hold a dirty link.
void SharedLinkNetwork::resolve() {
  simulation_.cancel(resolve_event_);
  resolve_event_ = EventHandle{};
  const SimTime now = simulation_.now();
  if (++stamp_ == 0) {  // wrapped: clear the stamps
    std::fill(visit_stamp_link_.begin(), visit_stamp_link_.end(), 0);
    std::fill(visit_stamp_flow_.begin(), visit_stamp_flow_.end(), 0);
    stamp_ = 1;
  }
  std::vector<std::uint32_t>& component_links = component_links_;
  std::vector<std::uint32_t>& component_flows = component_flows_;
  for (const std::uint32_t seed : dirty_links_) {
    link_dirty_[seed] = 0;
    if (visit_stamp_link_[seed] == stamp_) continue;
    component_links.clear();
    component_flows.clear();
    visit_stamp_link_[seed] = stamp_;
    component_links.push_back(seed);
    for (std::size_t next = 0; next < component_links.size(); ++next) {
      for (const std::uint32_t slot : flows_on_link_[component_links[next]]) {
        if (visit_stamp_flow_[slot] == stamp_) continue;
        visit_stamp_flow_[slot] = stamp_;
        component_flows.push_back(slot);
        for (const std::uint32_t link : flows_[slot].path) {
          if (visit_stamp_link_[link] == stamp_) continue;
          visit_stamp_link_[link] = stamp_;
          component_links.push_back(link);
        }
      }
    }
    // Re-solve the component; a flow whose rate did not change keeps its finish (and is
    // not re-rounded), the others are brought to `now` at their old rate and rescheduled.
    old_rates_.clear();
    for (const std::uint32_t slot : component_flows) old_rates_.push_back(flows_[slot].rate_bits_per_second);
    allocate_component(component_flows, component_links);
    for (std::size_t i = 0; i < component_flows.size(); ++i) {
      const std::uint32_t slot = component_flows[i];
      Flow& flow = flows_[slot];
      if (flow.finish != SimTime::max() && flow.rate_bits_per_second == old_rates_[i]) continue;
      if (flow.finish != SimTime::max()) completions_.erase(Completion{flow.finish, flow.sequence, slot});
      const double elapsed_seconds = static_cast<double>((now - flow.updated_at).ns()) * 1e-9;
      flow.remaining_bits = std::max(0.0, flow.remaining_bits - old_rates_[i] * elapsed_seconds);
      flow.updated_at = now;
      flow.finish = now + time_to_send(flow.remaining_bits, flow.rate_bits_per_second);
      completions_.emplace(flow.finish, flow.sequence, slot);
    }
  }
  dirty_links_.clear();
  reschedule_completion();
}

// Max-min fairness by progressive filling: repeatedly find the link whose remaining
// capacity, split evenly among its unfrozen flows, is smallest; every link at exactly that
// share is a bottleneck of this round (freezing one of them first would leave the others'
// share unchanged); their flows get that share and are frozen, and the share is taken off
// every link of their paths. All flows frozen in a round take the same share off, so the
// order in which they are visited does not change any residual.
void SharedLinkNetwork::allocate_component(const std::vector<std::uint32_t>& flows,
                                           const std::vector<std::uint32_t>& links) {
  for (const std::uint32_t link : links) {
    residual_bits_per_second_[link] = static_cast<double>(table_.link(link).spec.bandwidth.bits_per_second());
    unfrozen_flows_on_link_[link] = static_cast<std::uint32_t>(flows_on_link_[link].size());
  }
  for (const std::uint32_t slot : flows) frozen_[slot] = 0;
  std::size_t unfrozen = flows.size();
  std::vector<std::uint32_t>& bottlenecks = bottlenecks_;
  while (unfrozen > 0) {
    double share = std::numeric_limits<double>::infinity();
    for (const std::uint32_t link : links) {
      if (unfrozen_flows_on_link_[link] == 0) continue;
      share = std::min(share, residual_bits_per_second_[link] / unfrozen_flows_on_link_[link]);
    }
    bottlenecks.clear();
    for (const std::uint32_t link : links) {
      if (unfrozen_flows_on_link_[link] == 0) continue;
      if (residual_bits_per_second_[link] / unfrozen_flows_on_link_[link] == share) bottlenecks.push_back(link);
    }
    for (const std::uint32_t bottleneck : bottlenecks) {
      for (const std::uint32_t slot : flows_on_link_[bottleneck]) {
        if (frozen_[slot]) continue;
        Flow& flow = flows_[slot];
        flow.rate_bits_per_second = share;
        frozen_[slot] = 1;
        --unfrozen;
        for (const std::uint32_t link : flow.path) {
          residual_bits_per_second_[link] = std::max(0.0, residual_bits_per_second_[link] - share);
          --unfrozen_flows_on_link_[link];
        }
      }
    }
  }
}

void SharedLinkNetwork::reschedule_completion() {
  const SimTime earliest = completions_.empty() ? SimTime::max() : std::get<0>(*completions_.begin());
  if (earliest == scheduled_completion_ && simulation_.is_pending(completion_event_)) return;
  simulation_.cancel(completion_event_);
  completion_event_ = EventHandle{};
  scheduled_completion_ = earliest;
  if (completions_.empty()) return;
  completion_event_ = simulation_.schedule_at(earliest, [this] { complete_due_flows(); });
}

void SharedLinkNetwork::complete_due_flows() {
  const SimTime now = simulation_.now();
  completion_event_ = EventHandle{};
  scheduled_completion_ = SimTime::max();
  // Flows whose last bit has left are removed, earliest first and oldest first among equals.
  while (!completions_.empty() && std::get<0>(*completions_.begin()) <= now) {
    const std::uint32_t slot = std::get<2>(*completions_.begin());
    completions_.erase(completions_.begin());
    Flow& flow = flows_[slot];
    for (const std::uint32_t link : flow.path) record_transmission_end(flow.message, now, link);
    take_off_links(slot);
    flow.active = false;  // propagating: the slot is freed on arrival
    flow.finish = SimTime::max();
    simulation_.schedule_at(now + flow.path_latency, [this, slot] { arrive(slot); });
  }
  reschedule_completion();
}

}  // namespace cdsim
