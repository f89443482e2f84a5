// What a scenario says about the links between agents: the network model, the default
// link, a seeded per-link latency distribution, and classes of agents with their own
// access links (e.g. a share of agents on 4G). Per-edge values from a graph file come
// with the topology (topologies/graph_io.h); sim/protocols/link_assignment.h combines all.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

// How each link's latency is chosen when the graph file does not give it.
struct LatencyDistribution {
  // "fixed": NetworkSpec::latency; "uniform": uniform in [min, max];
  // "log_normal": median * exp(sigma * Z) with Z standard normal.
  std::string kind = "fixed";
  SimTime min = SimTime::zero();
  SimTime max = SimTime::zero();
  SimTime median = SimTime::zero();
  double sigma = 0.0;
};

// A class of agents and its access link: every agent of the class sends at most at
// `uplink`, receives at most at `downlink`, and adds `latency` to every link it is on.
struct AgentClass {
  std::string name;
  double fraction = 0.0;  // share of the agents in this class, in [0, 1]
  Bandwidth uplink = Bandwidth::from_bits_per_second(1'000'000'000);
  Bandwidth downlink = Bandwidth::from_bits_per_second(1'000'000'000);
  SimTime latency = SimTime::zero();
};

// Every node's network interface: what it can send (uplink) and receive (downlink) in
// total, shared max-min fairly by all its flows. Unset: unlimited. An agent class's
// uplink/downlink replaces these for the agents of the class.
struct NicSpec {
  std::optional<Bandwidth> uplink;
  std::optional<Bandwidth> downlink;
};

// A physical network the agents are hosts of (model "platform"). Hosts are the protocol's
// nodes (agents, then a server if there is one); each hangs off a switch by a host link
// (network.latency / bandwidth / latency_distribution, narrowed by its NIC).
struct PlatformSpec {
  // "switch": one switch. "tree": leaf switches of `hosts_per_switch` hosts each, joined by
  // one core switch; a leaf's core link has hosts_per_switch * bandwidth / oversubscription.
  // "dumbbell": the first ceil(H/2) hosts on one switch, the rest on another, the two
  // switches joined by one core link. "regions": one switch per region (hosts in contiguous
  // blocks), every two regions joined by a WAN link of latency wan_latency[r][s].
  // "file": the GraphML file `file` (sim/platform_file.h): its hosts and switches, its
  // links with the latency and bandwidth it gives them (else network.latency, a latency
  // draw for host links, and network.bandwidth), host links narrowed by the NICs.
  std::string kind = "switch";
  std::string file;                     // file: path of the GraphML platform
  std::size_t hosts_per_switch = 16;    // tree
  double oversubscription = 1.0;        // tree, > 0
  std::optional<SimTime> core_latency;  // tree, dumbbell: unset means network.latency
  std::optional<Bandwidth> core_bandwidth;  // dumbbell, regions: unset means network.bandwidth
  std::vector<std::vector<SimTime>> wan_latency;  // regions: R x R, symmetric, R >= 2
};

struct NetworkSpec {
  // "point_to_point": every edge the protocol talks over is its own full-duplex FIFO link.
  // "nic": the same links, but carrying fluid flows that share them and every node's NIC
  // (uplink and downlink) with max-min fairness.
  // "switch": every node (agents, and a server if the protocol has one) hangs off one
  // switch by its own full-duplex link; a message crosses two links (up and down), and the
  // transfers sharing a link get max-min fair shares of its bandwidth.
  // "platform": the nodes are hosts of `platform`, messages follow shortest routes, and
  // flows share every link on their route max-min fairly ("switch" is platform "switch").
  std::string model = "point_to_point";
  // Properties of every link, unless something below overrides them.
  SimTime latency = SimTime::from_ms(1);
  Bandwidth bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
  LatencyDistribution latency_distribution;
  std::vector<AgentClass> agent_classes;  // fractions sum to at most 1; the rest have no class
  NicSpec nic;                            // models nic, switch, platform
  PlatformSpec platform;                  // model platform
};

}  // namespace cdsim
