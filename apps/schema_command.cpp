// `cdsim schema`: prints the JSON Schema of scenario files (scenario_json_schema), or with
// --sweep of sweep files (sweep_json_schema), for editors that complete and check JSON
// against a schema.
#include <iostream>
#include <memory>

#include "analysis/studies/sweep_spec.h"
#include "apps/commands.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {

void add_schema_command(CLI::App& app, CommandResult& result) {
  CLI::App* command =
      app.add_subcommand("schema", "Print the JSON Schema of scenario files (from the loader's own field table)");
  auto sweep = std::make_shared<bool>(false);
  command->add_flag("--sweep", *sweep, "the schema of sweep files instead (docs/sweeps.md)");
  command->callback([&result, sweep] {
    std::cout << (*sweep ? studies::sweep_json_schema() : scenario_json_schema());
    result.exit_code = kExitSuccess;
  });
}

}  // namespace cdsim::apps
