#include "scenarios/scenario_check.h"

#include <string>

#include "core/data_spec.h"
#include "core/invalid_input.h"
#include "core/model_spec.h"
#include "core/partition_spec.h"
#include "sim/protocols/link_assignment.h"
#include "sim/protocols/protocol.h"

namespace cdsim {
namespace {

template <typename Check>
void check_section(const std::string& section, Check check) {
  try {
    check();
  } catch (const InvalidInput& error) {
    throw error.within(section);
  }
}

}  // namespace

Scenario as_simulated(const Scenario& requested) {
  if (!is_single_model(requested.algorithm)) return requested;
  Scenario one = requested;
  one.agents = 1;
  one.topology = TopologySpec{};
  one.topology.kind = "complete";
  one.mixing = MixingSpec{};
  one.mixing.rule = "uniform";
  return one;
}

ScenarioTopology check_scenario(const Scenario& requested, bool force, ScenarioCost* cost) {
  const Scenario scenario = as_simulated(requested);
  // The cost first: it bounds the topology's size before the topology is built.
  const DataShape shape = probe_scenario_data(scenario);
  check_section("/data/partition", [&] { validate(scenario.partition, scenario.agents); });
  const ScenarioCost estimate = check_scenario_cost(scenario, shape, force);
  if (cost != nullptr) *cost = estimate;
  ScenarioTopology topology = build_scenario_topology(scenario);
  if (scenario.network.model == "platform" && scenario.network.platform.kind == "file") {
    // Reads and checks the platform file against the protocol's nodes.
    build_platform(scenario.network, protocol_links(scenario.algorithm, topology.graph), scenario.agents,
                   topology.graph, topology.edge_links, scenario.seed);
  }
  check_section("/data", [&] { validate(scenario.data); });
  check_section("/data/partition", [&] { validate(scenario.partition, scenario.agents); });
  check_section("/model", [&] { validate(scenario.model); });
  return topology;
}

}  // namespace cdsim
