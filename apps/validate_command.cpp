#include <cmath>
#include <iostream>
#include <string>

#include "apps/commands.h"
#include "apps/scenario_errors.h"
#include "core/data_loader.h"
#include "core/data_spec.h"
#include "core/invalid_input.h"
#include "core/model_spec.h"
#include "core/partition_spec.h"
#include "scenarios/scenario_cost.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_topology.h"

namespace cdsim::apps {
namespace {

template <typename Check>
auto check_section(const std::string& section, Check check) {
  try {
    return check();
  } catch (const InvalidInput& error) {
    throw error.within(section);
  }
}

int validate_file(const std::string& path, bool force) {
  return with_scenario_errors(path, [&] {
    const Scenario scenario = load_scenario(path);
    // The data files' headers (not their contents) give the sizes the cost bounds need;
    // the cost is checked before the topology, whose size it bounds.
    const DataShape shape = probe_scenario_data(scenario);
    check_section("/data/partition", [&] { validate(scenario.partition, scenario.agents); });
    const ScenarioCost cost = check_scenario_cost(scenario, shape, force);
    // The topology and mixing weights are cheap to build, so validation checks them too.
    const ScenarioTopology topology = build_scenario_topology(scenario);
    const Graph& graph = topology.graph;
    std::cout << path << ": ok (" << scenario.name << ", " << scenario.agents << " agents, "
              << scenario.topology.kind << " with " << graph.edge_count() << " edges, " << cost.total_steps
              << " steps, " << cost.parameters << " parameters, about "
              << std::llround(cost.memory_bytes / (1024.0 * 1024.0)) << " MiB of memory)\n";
    return kExitSuccess;
  });
}

}  // namespace

void add_validate_command(CLI::App& app, CommandResult& result) {
  auto path = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("validate", "Check a scenario file without running it");
  command->add_option("scenario", *path, "Scenario JSON file")->required();
  command->add_flag("--force", *force,
                    "Accept a scenario beyond the memory, work and message bounds (docs/scenario.md)");
  command->callback([path, force, &result] { result.exit_code = validate_file(*path, *force); });
}

}  // namespace cdsim::apps
