#include "scenarios/scenario_topology.h"

#include "core/invalid_input.h"
#include "topologies/generators.h"

namespace cdsim {

ScenarioTopology build_scenario_topology(const Scenario& scenario) {
  Graph graph = [&] {
    try {
      return build_graph(scenario.topology, scenario.agents, scenario.seed);
    } catch (const InvalidInput& error) {
      throw error.within("/topology");
    }
  }();
  try {
    MixingMatrix mixing = build_mixing_matrix(graph, scenario.mixing);
    return ScenarioTopology{std::move(graph), std::move(mixing)};
  } catch (const InvalidInput& error) {
    throw error.within("/mixing");
  }
}

}  // namespace cdsim
