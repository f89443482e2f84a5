#include "sim/protocols/link_assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/invalid_input.h"
#include "core/rng.h"
#include "sim/platform_file.h"

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
  const Access nic{spec.nic.uplink.value_or(unlimited), spec.nic.downlink.value_or(unlimited), SimTime::zero()};
  std::vector<Access> access(node_count, nic);
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

namespace {

// The links of the protocol's edges; with `per_link_access` narrowed by both ends' access
// (the point-to-point model), otherwise left to the NICs.
std::vector<DuplexLinkSpec> edge_link_specs(const NetworkSpec& spec, const ProtocolLinks& links, std::size_t agents,
                                            const Graph& graph, const std::vector<LinkOverride>& edge_overrides,
                                            std::uint64_t seed, bool per_link_access) {
  std::vector<Access> access = access_of(spec, links.node_count, agents, seed);
  if (!per_link_access) {
    const Bandwidth unlimited = Bandwidth::from_bits_per_second(std::numeric_limits<std::int64_t>::max());
    std::fill(access.begin(), access.end(), Access{unlimited, unlimited, SimTime::zero()});
  }
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

}  // namespace

std::vector<DuplexLinkSpec> point_to_point_link_specs(const NetworkSpec& spec, const ProtocolLinks& links,
                                                      std::size_t agents, const Graph& graph,
                                                      const std::vector<LinkOverride>& edge_overrides,
                                                      std::uint64_t seed) {
  return edge_link_specs(spec, links, agents, graph, edge_overrides, seed, true);
}

std::vector<DuplexLinkSpec> nic_link_specs(const NetworkSpec& spec, std::size_t node_count, std::size_t agents,
                                           std::uint64_t seed) {
  const std::vector<Access> access = access_of(spec, node_count, agents, seed);
  std::vector<DuplexLinkSpec> specs;
  specs.reserve(node_count);
  for (const Access& a : access) {
    specs.push_back(DuplexLinkSpec{LinkSpec{a.latency, a.uplink}, LinkSpec{a.latency, a.downlink}});
  }
  return specs;
}

Platform build_platform(const NetworkSpec& spec, const ProtocolLinks& links, std::size_t agents, const Graph& graph,
                        const std::vector<LinkOverride>& edge_overrides, std::uint64_t seed) {
  if (spec.model == "nic") {
    return nic_platform(nic_link_specs(spec, links.node_count, agents, seed), links.edges,
                        edge_link_specs(spec, links, agents, graph, edge_overrides, seed, false));
  }
  const std::vector<DuplexLinkSpec> hosts = host_link_specs(spec, links.node_count, agents, seed);
  if (spec.model == "switch") return single_switch_platform(hosts);
  if (spec.model != "platform") throw std::logic_error("the \"" + spec.model + "\" model has no platform");
  const PlatformSpec& p = spec.platform;
  const SimTime core_latency = p.core_latency.value_or(spec.latency);
  const Bandwidth core_bandwidth = p.core_bandwidth.value_or(spec.bandwidth);
  if (p.kind == "switch") return single_switch_platform(hosts);
  if (p.kind == "tree") {
    const double bits = static_cast<double>(p.hosts_per_switch) * static_cast<double>(spec.bandwidth.bits_per_second()) /
                        p.oversubscription;
    if (!(bits >= 1.0 && bits < 9.2e18)) throw std::overflow_error("a tree's core link bandwidth is out of range");
    return two_level_tree_platform(hosts, p.hosts_per_switch,
                                   LinkSpec{core_latency, Bandwidth::from_bits_per_second(std::llround(bits))});
  }
  if (p.kind == "dumbbell") return dumbbell_platform(hosts, LinkSpec{core_latency, core_bandwidth});
  if (p.kind == "regions") return regions_platform(hosts, p.wan_latency, core_bandwidth);
  if (p.kind == "file") {
    try {
      return platform_from_file(spec, read_platform_file(p.file, links.node_count), agents, seed);
    } catch (const InvalidInput& error) {
      throw error.within("/network/platform");
    }
  }
  throw std::logic_error("unknown platform kind '" + p.kind + "'");
}

Platform platform_from_file(const NetworkSpec& spec, const PlatformFile& file, std::size_t agents, std::uint64_t seed) {
  const std::vector<Access> access = access_of(spec, file.host_count, agents, seed);
  Platform platform;
  platform.kind = "file";
  platform.host_count = file.host_count;
  platform.node_count = file.node_count;
  platform.links.reserve(file.links.size());
  for (std::size_t l = 0; l < file.links.size(); ++l) {
    const PlatformFileLink& link = file.links[l];
    LinkSpec forward{link.forward_latency.value_or(spec.latency), link.forward_bandwidth.value_or(spec.bandwidth)};
    LinkSpec backward{link.backward_latency.value_or(spec.latency), link.backward_bandwidth.value_or(spec.bandwidth)};
    if (l < file.host_count) {  // links[h] is host h's: forward is its uplink
      const SimTime drawn = draw_latency(spec, l, seed);
      forward.latency = link.forward_latency.value_or(drawn) + access[l].latency;
      backward.latency = link.backward_latency.value_or(drawn) + access[l].latency;
      forward.bandwidth = std::min(forward.bandwidth, access[l].uplink);
      backward.bandwidth = std::min(backward.bandwidth, access[l].downlink);
    }
    platform.links.push_back(Platform::Link{link.a, link.b, DuplexLinkSpec{forward, backward}});
  }
  return platform;
}

std::vector<DuplexLinkSpec> host_link_specs(const NetworkSpec& spec, std::size_t node_count, std::size_t agents,
                                            std::uint64_t seed) {
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
