#include "sim/protocols/link_assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/rng.h"

namespace cdsim {
namespace {

// Link k's latency draw comes from its own stream, so adding a link changes no other's.
SimTime draw_latency(const NetworkSpec& spec, std::size_t link, std::uint64_t seed) {
  const LatencyDistribution& d = spec.latency_distribution;
  if (d.kind == "fixed") return spec.latency;
  Rng rng(seed, link, RngPurpose::kLinks);
  double ns = 0.0;
  if (d.kind == "uniform") {
    ns = rng.uniform(static_cast<double>(d.min.ns()), static_cast<double>(d.max.ns()));
  } else if (d.kind == "log_normal") {
    ns = static_cast<double>(d.median.ns()) * std::exp(d.sigma * rng.normal());
  } else {
    throw std::logic_error("unknown latency distribution '" + d.kind + "'");
  }
  if (!(ns < 9.0e18)) throw std::overflow_error("a drawn link latency exceeds the largest SimTime");
  return SimTime::from_ns(std::llround(ns));
}

struct Access {
  Bandwidth uplink;
  Bandwidth downlink;
  SimTime latency = SimTime::zero();
};

std::vector<Access> access_of(const NetworkSpec& spec, std::size_t node_count, std::size_t agents,
                              std::uint64_t seed) {
  const std::vector<std::optional<std::size_t>> classes = assign_agent_classes(spec, agents, seed);
  // Without a class a node's access does not limit its links.
  const Bandwidth unlimited = Bandwidth::from_bits_per_second(std::numeric_limits<std::int64_t>::max());
  std::vector<Access> access(node_count, Access{unlimited, unlimited, SimTime::zero()});
  for (std::size_t node = 0; node < std::min(node_count, agents); ++node) {
    if (!classes[node]) continue;
    const AgentClass& c = spec.agent_classes[*classes[node]];
    access[node] = Access{c.uplink, c.downlink, c.latency};
  }
  return access;
}

}  // namespace

std::vector<std::optional<std::size_t>> assign_agent_classes(const NetworkSpec& spec, std::size_t agents,
                                                             std::uint64_t seed) {
  std::vector<std::optional<std::size_t>> classes(agents);
  if (spec.agent_classes.empty()) return classes;
  std::vector<std::size_t> order(agents);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed, 0, RngPurpose::kAgentClasses);
  for (std::size_t i = agents; i > 1; --i) std::swap(order[i - 1], order[rng.uniform_index(i)]);
  double cumulative = 0.0;
  std::size_t begin = 0;
  for (std::size_t c = 0; c < spec.agent_classes.size(); ++c) {
    cumulative += spec.agent_classes[c].fraction;
    const auto end = std::min(agents, static_cast<std::size_t>(std::llround(cumulative * static_cast<double>(agents))));
    for (std::size_t i = begin; i < end; ++i) classes[order[i]] = c;
    begin = std::max(begin, end);
  }
  return classes;
}

std::vector<DuplexLinkSpec> point_to_point_link_specs(const NetworkSpec& spec, const ProtocolLinks& links,
                                                      std::size_t agents, const Graph& graph,
                                                      const std::vector<LinkOverride>& edge_overrides,
                                                      std::uint64_t seed) {
  const std::vector<Access> access = access_of(spec, links.node_count, agents, seed);
  std::vector<DuplexLinkSpec> specs;
  specs.reserve(links.edges.size());
  for (std::size_t e = 0; e < links.edges.size(); ++e) {
    const std::size_t a = links.edges[e].first.index();
    const std::size_t b = links.edges[e].second.index();
    LinkSpec base{draw_latency(spec, e, seed), spec.bandwidth};
    if (!edge_overrides.empty() && a < graph.vertex_count() && b < graph.vertex_count() && graph.has_edge(a, b)) {
      const Edge key{std::min(a, b), std::max(a, b)};
      const auto it = std::lower_bound(graph.edges().begin(), graph.edges().end(), key);
      const LinkOverride& o = edge_overrides.at(static_cast<std::size_t>(it - graph.edges().begin()));
      if (o.latency) base.latency = *o.latency;
      if (o.bandwidth) base.bandwidth = *o.bandwidth;
    }
    auto directed = [&](std::size_t from, std::size_t to) {
      return LinkSpec{base.latency + access[from].latency + access[to].latency,
                      std::min({base.bandwidth, access[from].uplink, access[to].downlink})};
    };
    specs.push_back(DuplexLinkSpec{directed(a, b), directed(b, a)});
  }
  return specs;
}

std::vector<DuplexLinkSpec> switch_access_link_specs(const NetworkSpec& spec, std::size_t node_count,
                                                     std::size_t agents, std::uint64_t seed) {
  const std::vector<Access> access = access_of(spec, node_count, agents, seed);
  std::vector<DuplexLinkSpec> specs;
  specs.reserve(node_count);
  for (std::size_t node = 0; node < node_count; ++node) {
    const SimTime latency = draw_latency(spec, node, seed) + access[node].latency;
    specs.push_back(DuplexLinkSpec{LinkSpec{latency, std::min(spec.bandwidth, access[node].uplink)},
                                   LinkSpec{latency, std::min(spec.bandwidth, access[node].downlink)}});
  }
  return specs;
}

}  // namespace cdsim
