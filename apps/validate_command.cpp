#include <iostream>
#include <string>

#include "apps/commands.h"
#include "apps/override_option.h"
#include "apps/scenario_errors.h"
#include "core/data_spec.h"
#include "core/invalid_input.h"
#include "core/model_spec.h"
#include "core/partition_spec.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_topology.h"

namespace cdsim::apps {
namespace {

template <typename Check>
void check_section(const std::string& section, Check check) {
  try {
    check();
  } catch (const InvalidInput& error) {
    throw error.within(section);
  }
}

int validate_file(const std::string& path, const std::vector<std::string>& assignments) {
  return with_scenario_errors(path, [&] {
    const Scenario scenario = load_scenario(path, parse_overrides(assignments));
    // The topology and mixing weights are cheap to build, so validation checks them too,
    // and the data, partition and model specs as far as they can be without the data.
    const ScenarioTopology topology = build_scenario_topology(scenario);
    check_section("/data", [&] { validate(scenario.data); });
    check_section("/data/partition", [&] { validate(scenario.partition, scenario.agents); });
    check_section("/model", [&] { validate(scenario.model); });
    const Graph& graph = topology.graph;
    std::cout << path << ": ok (" << scenario.name << ", " << scenario.agents << " agents, "
              << scenario.topology.kind << " with " << graph.edge_count() << " edges)\n";
    return kExitSuccess;
  });
}

}  // namespace

void add_validate_command(CLI::App& app, CommandResult& result) {
  auto path = std::make_shared<std::string>();
  auto assignments = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand("validate", "Check a scenario file without running it");
  command->add_option("scenario", *path, "Scenario JSON file")->required();
  add_override_option(command, *assignments);
  command->callback([path, assignments, &result] { result.exit_code = validate_file(*path, *assignments); });
}

}  // namespace cdsim::apps
