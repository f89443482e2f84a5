#include "sim/point_to_point_network.h"

#include <algorithm>
#include <limits>
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

namespace {

__extension__ typedef __int128 Int128;
constexpr Int128 kBitNanosecondsPerByte = 8 * static_cast<Int128>(1'000'000'000);

// Whole nanoseconds (rounded up) to send `bit_ns` (in 1e-9 bit) at `bandwidth`.
SimTime time_to_send(Int128 bit_ns, Bandwidth bandwidth) {
  const Int128 bits_per_second = bandwidth.bits_per_second();
  const Int128 ns = (bit_ns + bits_per_second - 1) / bits_per_second;
  if (ns > std::numeric_limits<std::int64_t>::max()) {
    throw std::overflow_error("PointToPointNetwork: a transmission outlasts the largest SimTime");
  }
  return SimTime::from_ns(static_cast<std::int64_t>(ns));
}

}  // namespace

void PointToPointNetwork::make_changeable(std::size_t link_index) {
  if (link_index >= table_.link_count()) {
    throw std::out_of_range("PointToPointNetwork: no link " + std::to_string(link_index) + " to make changeable");
  }
  if (any_sent_) throw std::logic_error("PointToPointNetwork: links are made changeable before the first send");
  changeable_slot_.resize(table_.link_count(), 0);
  if (changeable_slot_[link_index] != 0) return;
  changeable_.emplace_back();
  changeable_slot_[link_index] = static_cast<std::uint32_t>(changeable_.size());
}

void PointToPointNetwork::change_link(std::size_t link_index, const LinkChange& change) {
  if (link_index >= table_.link_count()) {
    throw std::out_of_range("PointToPointNetwork: no link " + std::to_string(link_index) + " to change");
  }
  if (link_index >= changeable_slot_.size() || changeable_slot_[link_index] == 0) {
    throw std::logic_error("PointToPointNetwork: link " + std::to_string(link_index) + " (" +
                           node_name(table_.link(link_index).from) + " -> " + node_name(table_.link(link_index).to) +
                           ") was not made changeable before the run");
  }
  const Bandwidth old_bandwidth = table_.link(link_index).spec.bandwidth;
  table_.set_spec(link_index, change);
  ChangeableLink& link = changeable_[changeable_slot_[link_index] - 1];
  if (link.queue.empty()) return;  // nothing on the link: the next message takes the new spec
  // The head's bits sent since its segment began went at the old rate; the rest goes at the
  // new one. Rounding the end up to a whole nanosecond can leave the head a fraction of a
  // nanosecond past its exact end: then nothing remains.
  const SimTime now = simulation_.now();
  const Int128 sent = static_cast<Int128>((now - link.segment_start).ns()) * old_bandwidth.bits_per_second();
  link.remaining_bit_ns = sent >= link.remaining_bit_ns ? 0 : link.remaining_bit_ns - sent;
  link.segment_start = now;
  simulation_.cancel(link.end_event);
  schedule_head_end(link_index, link, now);
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
  any_sent_ = true;
  const std::size_t index = send_link(message.from, message.to);
  const SimTime now = simulation_.now();
  if (!changeable_.empty() && index < changeable_slot_.size() && changeable_slot_[index] != 0) {
    record_send(message, now);
    ChangeableLink& link = changeable_[changeable_slot_[index] - 1];
    link.queue.push_back(std::move(message));
    if (link.queue.size() == 1) start_head(index, link, now);
    return;
  }
  send_committed(std::move(message), index, now);
}

void PointToPointNetwork::start_head(std::size_t index, ChangeableLink& link, SimTime now) {
  link.segment_start = now;
  link.remaining_bit_ns = static_cast<Int128>(link.queue.front().size.bytes()) * kBitNanosecondsPerByte;
  link.head_latency = table_.link(index).spec.latency;
  record_transmission_start(link.queue.front(), now, index);
  schedule_head_end(index, link, now);
}

void PointToPointNetwork::schedule_head_end(std::size_t index, ChangeableLink& link, SimTime now) {
  const SimTime end = now + time_to_send(link.remaining_bit_ns, table_.link(index).spec.bandwidth);
  link.end_event = simulation_.schedule_at(end, [this, index] { end_head(index); });
}

void PointToPointNetwork::end_head(std::size_t index) {
  ChangeableLink& link = changeable_[changeable_slot_[index] - 1];
  const SimTime now = simulation_.now();
  Message message = std::move(link.queue.front());
  link.queue.pop_front();
  record_transmission_end(message, now, index);
  const SimTime arrival = std::max(now + link.head_latency, link.last_arrival);
  link.last_arrival = arrival;
  simulation_.schedule_at(arrival, [this, message = std::move(message)]() mutable {
    deliver(std::move(message), simulation_.now());
  });
  if (!link.queue.empty()) start_head(index, link, now);
}

void PointToPointNetwork::send_committed(Message message, std::size_t index, SimTime now) {
  const LinkSpec& spec = table_.link(index).spec;
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
