// Everything about a scenario that can be checked without its data: the topology and
// mixing weights (built, since they are cheap), and the data, partition and model specs.
// Shared by `cdsim validate` and the Python module's cdsim.validate.
#pragma once

#include "scenarios/scenario.h"
#include "scenarios/scenario_topology.h"

namespace cdsim {

// Throws InvalidInput with the field given from the scenario's root; returns the topology
// it built on the way.
ScenarioTopology check_scenario(const Scenario& scenario);

}  // namespace cdsim
