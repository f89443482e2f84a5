#include "scenarios/scenario_check.h"

#include <string>

#include "core/data_spec.h"
#include "core/invalid_input.h"
#include "core/model_spec.h"
#include "core/partition_spec.h"

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

ScenarioTopology check_scenario(const Scenario& scenario) {
  ScenarioTopology topology = build_scenario_topology(scenario);
  check_section("/data", [&] { validate(scenario.data); });
  check_section("/data/partition", [&] { validate(scenario.partition, scenario.agents); });
  check_section("/model", [&] { validate(scenario.model); });
  return topology;
}

}  // namespace cdsim
