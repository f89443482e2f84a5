// The what-if figures of a scenario's topology before any training runs (`cdsim topology`,
// cdsim.topology_report in Python): the topology report of topologies/topology_report.h
// with the message size taken from the scenario's model and the link figures from its
// network section. Its round time is the formula latency + message / bandwidth where that
// is exact (point-to-point links all of network.latency and network.bandwidth), and
// otherwise one exchange simulated on the network the run would build (NICs, switches,
// platforms, per-edge links, agent classes, latency draws).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/scenario.h"
#include "scenarios/scenario_topology.h"
#include "sim/byte_count.h"
#include "sim/time.h"
#include "topologies/topology_report.h"

namespace cdsim {

struct WhatIfOptions {
  std::uint64_t parameters = 0;  // model size in parameters; 0: the scenario model's
  double disagreement_factor = 1000.0;
  bool shared_uplink = false;  // false: one link per edge, as `cdsim run` builds them
  // Above this many messages per round the round is not simulated: the report keeps the
  // formula, marked "formula_ignoring_network".
  std::uint64_t max_simulated_messages = 2'000'000;
};

// True when every link a run would build is a point-to-point link of network.latency and
// network.bandwidth, so that one exchange takes exactly latency + message / bandwidth (to
// the nanosecond the simulation rounds transmission up to).
bool uniform_point_to_point(const Scenario& scenario, const ScenarioTopology& topology);

// One synchronous exchange on the network a run of the scenario would build (without its
// faults): at t = 0 every agent sends one message of `message` bytes to each neighbour in
// the topology, as synchronous consensus does; returns when the last one arrives (zero
// without edges). A server of fedavg / parameter_server is a host of the network, idle.
SimTime simulate_exchange_round(const Scenario& scenario, const ScenarioTopology& topology, ByteCount message);

// The scenario's model size, built on a one-sample slice of its data (a communication-only
// replay's is its model.parameters).
std::uint64_t scenario_model_parameters(const Scenario& scenario);

// Throws InvalidInput (field from the scenario's root) for a topology or mixing it cannot
// build.
NamedReport scenario_topology_report(const Scenario& scenario, const WhatIfOptions& options);

// The network model and the physical network a run of the scenario would build.
struct NetworkSummary {
  std::string model;
  std::string platform;  // "" for point-to-point links
  std::size_t hosts = 0;  // the protocol's nodes
  std::size_t switches = 0;  // NIC nodes for the nic model
  std::size_t physical_links = 0;  // full-duplex links
  std::size_t protocol_links = 0;  // the protocol's edges
};
NetworkSummary summarize_network(const Scenario& scenario, const ScenarioTopology& topology);

}  // namespace cdsim
