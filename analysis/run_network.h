// The network a run of a scenario simulates its protocol's traffic on, built from the
// protocol's links and the scenario's network section; shared by `cdsim run` and the
// what-if round time of `cdsim topology` (analysis/topology_whatif.h).
#pragma once

#include <memory>
#include <optional>

#include "scenarios/scenario.h"
#include "scenarios/scenario_topology.h"
#include "sim/network.h"
#include "sim/platform.h"
#include "sim/protocols/protocol.h"
#include "sim/simulation.h"

namespace cdsim {

// The network a protocol's traffic runs on: its links as point-to-point links (no
// `platform`), or the physical network of a shared-link model (NICs, one switch, a
// platform: the protocol's nodes are its hosts; `platform` from build_platform) with
// max-min fair sharing along routes. Each link's spec comes from
// sim/protocols/link_assignment.h (defaults, distributions, the graph file's edge
// attributes, agent classes and NICs). Faults are not applied here (sim/faulty_network.h).
std::unique_ptr<Network> build_network(Simulation& simulation, const ProtocolLinks& links, const Scenario& scenario,
                                       const ScenarioTopology& topology, const std::optional<Platform>& platform);

}  // namespace cdsim
