#include <iostream>
#include <string>

#include "apps/commands.h"
#include "apps/scenario_errors.h"
#include "scenarios/scenario_check.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {
namespace {

int validate_file(const std::string& path) {
  return with_scenario_errors(path, [&] {
    const Scenario scenario = load_scenario(path);
    const ScenarioTopology topology = check_scenario(scenario);
    const Graph& graph = topology.graph;
    std::cout << path << ": ok (" << scenario.name << ", " << scenario.agents << " agents, "
              << scenario.topology.kind << " with " << graph.edge_count() << " edges)\n";
    return kExitSuccess;
  });
}

}  // namespace

void add_validate_command(CLI::App& app, CommandResult& result) {
  auto path = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("validate", "Check a scenario file without running it");
  command->add_option("scenario", *path, "Scenario JSON file")->required();
  command->callback([path, &result] { result.exit_code = validate_file(*path); });
}

}  // namespace cdsim::apps
