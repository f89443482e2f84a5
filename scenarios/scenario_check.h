// Everything about a scenario that can be checked without reading its data: the data
// files' headers, the run's estimated cost against the stated bounds (scenario_cost.h),
// the topology and mixing weights (built, since they are cheap once the cost is bounded),
// and the data, partition and model specs.
// Shared by `cdsim validate` and the Python module's cdsim.validate.
#pragma once

#include "scenarios/scenario.h"
#include "scenarios/scenario_cost.h"
#include "scenarios/scenario_topology.h"

namespace cdsim {

// The scenario a run simulates. Centralized SGD with communication "none" is ONE model on
// the whole training set: one agent, whatever `agents` says, on a one-node graph; every
// other scenario is simulated as written.
Scenario as_simulated(const Scenario& requested);

// Checks the scenario as it will be simulated (as_simulated). Throws InvalidInput with the field given from the scenario's root; returns the topology
// it built on the way, and the cost in `cost` if given. `force` waives the cost bounds.
ScenarioTopology check_scenario(const Scenario& scenario, bool force = false, ScenarioCost* cost = nullptr);

}  // namespace cdsim
