#include <cmath>
#include <iostream>
#include <string>

#include "apps/commands.h"
#include "apps/override_option.h"
#include "apps/scenario_errors.h"
#include "scenarios/scenario_check.h"
#include "scenarios/scenario_cost.h"
#include "scenarios/scenario_loader.h"
#include "sim/protocols/protocol.h"

namespace cdsim::apps {
namespace {

int validate_file(const std::string& path, const std::vector<std::string>& assignments, bool force) {
  return with_scenario_errors(path, [&] {
    const Scenario requested = load_scenario(path, parse_overrides(assignments));
    ScenarioCost cost;
    const ScenarioTopology topology = check_scenario(requested, force, &cost);
    const Graph& graph = topology.graph;
    const Scenario scenario = as_simulated(requested);
    std::cout << path << ": ok (" << scenario.name << ", ";
    if (is_single_model(scenario.algorithm)) {
      std::cout << "one model on the whole training set (communication \"none\"), ";
    } else {
      std::cout << scenario.agents << " agents, " << scenario.topology.kind << " with " << graph.edge_count()
                << " edges, ";
    }
    std::cout << cost.total_steps << " steps, " << cost.parameters << " parameters, about "
              << std::llround(cost.memory_bytes / (1024.0 * 1024.0)) << " MiB of memory)\n";
    return kExitSuccess;
  });
}

}  // namespace

void add_validate_command(CLI::App& app, CommandResult& result) {
  auto path = std::make_shared<std::string>();
  auto assignments = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("validate", "Check a scenario file without running it");
  command->add_option("scenario", *path, "Scenario JSON file")->required();
  add_override_option(command, *assignments);
  command->add_flag("--force", *force,
                    "Accept a scenario beyond the memory, work and message bounds (docs/scenario.md)");
  command->callback([path, assignments, force, &result] { result.exit_code = validate_file(*path, *assignments, *force); });
}

}  // namespace cdsim::apps
