// The graph and mixing matrix a scenario describes, built and checked. Errors are
// InvalidInput with the field given from the scenario's root ("/topology/degree",
// "/mixing/matrix/3"), ready for the caller to name the file.
#pragma once

#include "scenarios/scenario.h"
#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"

namespace cdsim {

struct ScenarioTopology {
  Graph graph;
  MixingMatrix mixing;
};

ScenarioTopology build_scenario_topology(const Scenario& scenario);

}  // namespace cdsim
