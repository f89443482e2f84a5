// The graph and mixing matrix a scenario describes, built and checked, with the link
// attributes its graph file gives the edges. Errors are InvalidInput with the field given
// from the scenario's root ("/topology/degree", "/mixing/matrix/3"), ready for the caller
// to name the file.
#pragma once

#include <optional>
#include <vector>

#include "scenarios/scenario.h"
#include "sim/faulty_network.h"
#include "sim/protocols/link_assignment.h"
#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"
#include "topologies/mixing_schedule.h"

namespace cdsim {

struct ScenarioTopology {
  Graph graph;
  MixingMatrix mixing;
  // Aligned with graph.edges(); empty unless the graph file gives some edge a latency or a
  // bandwidth.
  std::vector<LinkOverride> edge_links;
  // Time-varying kinds (one_peer_exponential, random_matching, schedule): the matrix of
  // every round; then `graph` is the union of the rounds' graphs and `mixing` round 0's.
  std::optional<MixingSchedule> schedule;
  // The scenario's faults (link and agent changes, loss probabilities), checked against
  // the graph.
  FaultSchedule faults;
};

ScenarioTopology build_scenario_topology(const Scenario& scenario);

}  // namespace cdsim
