// Each link's latency and bandwidth for a run: the scenario's default link, overridden by
// a seeded latency distribution, then by what the graph file says about the edge, then
// narrowed by the agent classes of both ends. A pure function of its inputs and the seed.
//
// Point-to-point, directed link a -> b of a protocol edge:
//   latency   = edge latency (file, else distribution draw, else network.latency)
//               + class latency of a + class latency of b
//   bandwidth = min(edge bandwidth (file, else network.bandwidth), uplink of a, downlink of b)
// Switch and platform, host link of node n (n -> its switch and back):
//   latency   = distribution draw or network.latency, + class latency of n
//   bandwidth = min(network.bandwidth, uplink of n) up, min(network.bandwidth, downlink of n) down
//   (the host link carries exactly the flows of n's NIC, so narrowing it is the NIC)
// NIC model: the edge a - b gets the point-to-point latency and bandwidth without the
// classes; node n's NIC link (n -> its NIC node) gets n's class latency, its uplink and
// downlink, and the classes' latencies are not added to the edges.
// A node's uplink and downlink are its class's, else network.nic's, else unlimited. A
// server node (FedAvg, parameter server) has no class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/link_spec.h"
#include "sim/platform.h"
#include "sim/platform_file.h"
#include "sim/protocols/network_spec.h"
#include "sim/protocols/protocol.h"
#include "topologies/graph.h"

namespace cdsim {

// What a graph file says about one edge's link; unset fields take the scenario's values.
struct LinkOverride {
  std::optional<SimTime> latency;
  std::optional<Bandwidth> bandwidth;
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

// One spec per node's host link (node -> switch forward) for the switch and platform models.
std::vector<DuplexLinkSpec> host_link_specs(const NetworkSpec& spec, std::size_t node_count, std::size_t agents,
                                            std::uint64_t seed);

// One spec per node's NIC link (node -> its NIC forward: the uplink) for the NIC model.
std::vector<DuplexLinkSpec> nic_link_specs(const NetworkSpec& spec, std::size_t node_count, std::size_t agents,
                                           std::uint64_t seed);

// The physical network of a shared-link model (nic, switch, platform): its hosts are the
// protocol's nodes. Throws std::logic_error for the point_to_point model, and for platform
// "file" InvalidInput("/network/platform/file", ...) naming the file and what is wrong.
Platform build_platform(const NetworkSpec& spec, const ProtocolLinks& links, std::size_t agents, const Graph& graph,
                        const std::vector<LinkOverride>& edge_overrides, std::uint64_t seed);

// Platform "file" from its read file: each link as the file gives it, unset values from
// the scenario (network.latency and network.bandwidth; a host link's latency is drawn as
// host_link_specs draws it); host h's link then adds h's class latency and is narrowed to
// h's uplink (forward) and downlink (backward), as the generators' host links are.
Platform platform_from_file(const NetworkSpec& spec, const PlatformFile& file, std::size_t agents, std::uint64_t seed);

}  // namespace cdsim
