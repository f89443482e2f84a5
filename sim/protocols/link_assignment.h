// Each link's latency and bandwidth for a run: the scenario's default link, overridden by
// a seeded latency distribution, then by what the graph file says about the edge, then
// narrowed by the agent classes of both ends. A pure function of its inputs and the seed.
//
// Point-to-point, directed link a -> b of a protocol edge:
//   latency   = edge latency (file, else distribution draw, else network.latency)
//               + class latency of a + class latency of b
//   bandwidth = min(edge bandwidth (file, else network.bandwidth), uplink of a, downlink of b)
// Switch, access link of node n (n -> switch and switch -> n):
//   latency   = distribution draw or network.latency, + class latency of n
//   bandwidth = min(network.bandwidth, uplink of n) up, min(network.bandwidth, downlink of n) down
// A server node (FedAvg, parameter server) has no class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/link_spec.h"
#include "sim/protocols/network_spec.h"
#include "sim/protocols/protocol.h"
#include "topologies/graph.h"

namespace cdsim {

// What a graph file says about one edge's link; unset fields take the scenario's values.
struct LinkOverride {
  std::optional<SimTime> latency;
  std::optional<Bandwidth> bandwidth;
};

// The two directions of a full-duplex link between `first` and `second`.
struct DuplexLinkSpec {
  LinkSpec forward;   // first -> second
  LinkSpec backward;  // second -> first
};

// Class index of each of `agents` agents (std::nullopt: no class). A seeded permutation of
// the agents is cut at the rounded cumulative fractions, so class c holds
// round(F_c N) - round(F_{c-1} N) agents, F_c the sum of the first c fractions.
std::vector<std::optional<std::size_t>> assign_agent_classes(const NetworkSpec& spec, std::size_t agents,
                                                             std::uint64_t seed);

// One spec per protocol edge (links.edges order) for the point-to-point model.
// `edge_overrides` is aligned with graph.edges() (or empty); an override applies to a
// protocol edge that is a graph edge.
std::vector<DuplexLinkSpec> point_to_point_link_specs(const NetworkSpec& spec, const ProtocolLinks& links,
                                                      std::size_t agents, const Graph& graph,
                                                      const std::vector<LinkOverride>& edge_overrides,
                                                      std::uint64_t seed);

// One spec per node's access link (node -> switch forward) for the switch model.
std::vector<DuplexLinkSpec> switch_access_link_specs(const NetworkSpec& spec, std::size_t node_count,
                                                     std::size_t agents, std::uint64_t seed);

}  // namespace cdsim
