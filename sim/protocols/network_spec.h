// What a scenario says about the links between agents: the network model, the default
// link, a seeded per-link latency distribution, and classes of agents with their own
// access links (e.g. a share of agents on 4G). Per-edge values from a graph file come
// with the topology (topologies/graph_io.h); sim/protocols/link_assignment.h combines all.
#pragma once

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

struct NetworkSpec {
  // "point_to_point": every edge the protocol talks over is its own full-duplex link.
  // "switch": every node (agents, and a server if the protocol has one) hangs off one
  // switch by its own full-duplex link; a message crosses two links (up and down), and the
  // transfers sharing a link get max-min fair shares of its bandwidth.
  std::string model = "point_to_point";
  // Properties of every link, unless something below overrides them.
  SimTime latency = SimTime::from_ms(1);
  Bandwidth bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
  LatencyDistribution latency_distribution;
  std::vector<AgentClass> agent_classes;  // fractions sum to at most 1; the rest have no class
};

}  // namespace cdsim
