#include "sim/platform.h"

#include <stdexcept>
#include <string>

#include "sim/shared_link_network.h"

namespace cdsim {
namespace {

AgentId node(std::size_t index) { return AgentId{static_cast<std::uint32_t>(index)}; }

// The platform's hosts, each on switch switch_of(h) (a node index).
template <typename SwitchOf>
Platform hosts_on_switches(std::string kind, const std::vector<DuplexLinkSpec>& host_links, std::size_t switches,
                           SwitchOf switch_of) {
  if (host_links.empty()) throw std::invalid_argument("a platform needs at least one host");
  Platform platform;
  platform.kind = std::move(kind);
  platform.host_count = host_links.size();
  platform.node_count = host_links.size() + switches;
  platform.links.reserve(host_links.size());
  for (std::size_t h = 0; h < host_links.size(); ++h) {
    platform.links.push_back(Platform::Link{node(h), node(switch_of(h)), host_links[h]});
  }
  return platform;
}

}  // namespace

Platform single_switch_platform(const std::vector<DuplexLinkSpec>& host_links) {
  const std::size_t hosts = host_links.size();
  return hosts_on_switches("switch", host_links, 1, [hosts](std::size_t) { return hosts; });
}

Platform two_level_tree_platform(const std::vector<DuplexLinkSpec>& host_links, std::size_t hosts_per_switch,
                                 LinkSpec core_link) {
  if (hosts_per_switch == 0) throw std::invalid_argument("a tree needs at least one host per leaf switch");
  const std::size_t hosts = host_links.size();
  const std::size_t leaves = (hosts + hosts_per_switch - 1) / hosts_per_switch;
  Platform platform = hosts_on_switches("tree", host_links, leaves + 1,
                                        [&](std::size_t h) { return hosts + h / hosts_per_switch; });
  for (std::size_t leaf = 0; leaf < leaves; ++leaf) {
    platform.links.push_back(Platform::Link{node(hosts + leaf), node(hosts + leaves), {core_link, core_link}});
  }
  return platform;
}

Platform dumbbell_platform(const std::vector<DuplexLinkSpec>& host_links, LinkSpec bottleneck) {
  const std::size_t hosts = host_links.size();
  const std::size_t left = (hosts + 1) / 2;
  Platform platform = hosts_on_switches("dumbbell", host_links, 2,
                                        [&](std::size_t h) { return hosts + (h < left ? 0 : 1); });
  platform.links.push_back(Platform::Link{node(hosts), node(hosts + 1), {bottleneck, bottleneck}});
  return platform;
}

Platform regions_platform(const std::vector<DuplexLinkSpec>& host_links,
                          const std::vector<std::vector<SimTime>>& wan_latency, Bandwidth wan_bandwidth) {
  const std::size_t hosts = host_links.size();
  const std::size_t regions = wan_latency.size();
  if (regions < 2) throw std::invalid_argument("a regions platform needs at least 2 regions");
  if (regions > hosts) {
    throw std::invalid_argument(std::to_string(regions) + " regions for " + std::to_string(hosts) +
                                " hosts; expected at most one region per host");
  }
  for (std::size_t r = 0; r < regions; ++r) {
    if (wan_latency[r].size() != regions) {
      throw std::invalid_argument("WAN latency row " + std::to_string(r) + " has " +
                                  std::to_string(wan_latency[r].size()) + " entries; expected " +
                                  std::to_string(regions));
    }
  }
  for (std::size_t r = 0; r < regions; ++r) {
    for (std::size_t s = r + 1; s < regions; ++s) {
      if (wan_latency[r][s] != wan_latency[s][r]) {
        throw std::invalid_argument("WAN latency [" + std::to_string(r) + "][" + std::to_string(s) +
                                    "] differs from [" + std::to_string(s) + "][" + std::to_string(r) +
                                    "]; expected a symmetric matrix");
      }
    }
  }
  Platform platform = hosts_on_switches("regions", host_links, regions,
                                        [&](std::size_t h) { return hosts + h * regions / hosts; });
  for (std::size_t r = 0; r < regions; ++r) {
    for (std::size_t s = r + 1; s < regions; ++s) {
      const LinkSpec wan{wan_latency[r][s], wan_bandwidth};
      platform.links.push_back(Platform::Link{node(hosts + r), node(hosts + s), {wan, wan}});
    }
  }
  return platform;
}

Platform nic_platform(const std::vector<DuplexLinkSpec>& nic_links,
                      const std::vector<std::pair<AgentId, AgentId>>& edges,
                      const std::vector<DuplexLinkSpec>& edge_links) {
  if (edges.size() != edge_links.size()) throw std::invalid_argument("one link spec per edge expected");
  const std::size_t hosts = nic_links.size();
  Platform platform = hosts_on_switches("nic", nic_links, hosts, [hosts](std::size_t h) { return hosts + h; });
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const auto [a, b] = edges[e];
    if (a.index() >= hosts || b.index() >= hosts) throw std::invalid_argument("an edge names an unknown host");
    platform.links.push_back(Platform::Link{node(hosts + a.index()), node(hosts + b.index()), edge_links[e]});
  }
  return platform;
}

void add_platform(SharedLinkNetwork& network, const Platform& platform) {
  if (network.node_count() != platform.host_count) {
    throw std::invalid_argument("the network has " + std::to_string(network.node_count()) +
                                " nodes; the platform expects its " + std::to_string(platform.host_count) + " hosts");
  }
  while (network.node_count() < platform.node_count) network.add_node();
  for (const Platform::Link& link : platform.links) network.add_link(link.a, link.b, link.spec.forward, link.spec.backward);
}

}  // namespace cdsim
