// A physical network as data: hosts (the protocol's nodes, numbered first) attached to
// switches by links of their own, and the switches' links; the generators of the common
// shapes (one switch, a two-level tree with oversubscribed core links, a dumbbell, regions
// joined by a WAN). A SharedLinkNetwork built from it routes and shares (add_platform).
// Node numbering: hosts 0 .. H - 1, then switches in the order each generator states;
// links in the order listed, which fixes routes and tie-breaks.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sim/agent_id.h"
#include "sim/link_spec.h"
#include "sim/time.h"

namespace cdsim {

class SharedLinkNetwork;

struct Platform {
  struct Link {
    AgentId a;
    AgentId b;
    DuplexLinkSpec spec;  // forward a -> b
  };
  std::string kind;
  std::size_t host_count = 0;
  std::size_t node_count = 0;  // hosts, then switches
  std::vector<Link> links;

  std::size_t switch_count() const { return node_count - host_count; }
};

// Host h's link is host_links[h] (forward: host -> switch). Each generator throws
// std::invalid_argument for an empty host list or a parameter out of its range.

// One switch (node H); host links in host order.
Platform single_switch_platform(const std::vector<DuplexLinkSpec>& host_links);
// Leaf switch l (node H + l) holds hosts l*k .. l*k + k - 1; the core switch is node
// H + L (L = ceil(H / k) leaves); leaf l's link to the core (after all host links, in leaf
// order) is `core_link`.
Platform two_level_tree_platform(const std::vector<DuplexLinkSpec>& host_links, std::size_t hosts_per_switch,
                                 LinkSpec core_link);
// Hosts 0 .. ceil(H/2) - 1 on switch H, the rest on switch H + 1, joined by `bottleneck`.
Platform dumbbell_platform(const std::vector<DuplexLinkSpec>& host_links, LinkSpec bottleneck);
// R = wan_latency.size() regions; host h is in region floor(h R / H) (contiguous blocks,
// sizes differing by at most one), region r's switch is node H + r; every pair r < s is
// joined by a WAN link (in order (0,1), (0,2), .., (1,2), ..) of latency wan_latency[r][s]
// and bandwidth `wan_bandwidth`. The matrix must be R x R and symmetric, R >= 2, R <= H.
Platform regions_platform(const std::vector<DuplexLinkSpec>& host_links,
                          const std::vector<std::vector<SimTime>>& wan_latency, Bandwidth wan_bandwidth);

// Every host's NIC as a node of its own: host h's NIC is node H + h, joined to h by
// nic_links[h] (forward: the uplink, latency normally zero); edge e of `edges` (host pairs)
// joins the two NICs by edge_links[e]. A message from a to a neighbour b then crosses a's
// uplink, the edge and b's downlink, sharing each with the other flows on it.
Platform nic_platform(const std::vector<DuplexLinkSpec>& nic_links,
                      const std::vector<std::pair<AgentId, AgentId>>& edges,
                      const std::vector<DuplexLinkSpec>& edge_links);

// Adds the platform's switches (as new nodes after the network's existing ones, which must
// be exactly the platform's hosts) and links to `network`.
void add_platform(SharedLinkNetwork& network, const Platform& platform);

}  // namespace cdsim
