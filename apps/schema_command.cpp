// `cdsim schema`: prints the JSON Schema of scenario files (scenario_json_schema), for
// editors that complete and check JSON against a schema.
#include <iostream>

#include "apps/commands.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {

void add_schema_command(CLI::App& app, CommandResult& result) {
  CLI::App* command =
      app.add_subcommand("schema", "Print the JSON Schema of scenario files (from the loader's own field table)");
  command->callback([&result] {
    std::cout << scenario_json_schema();
    result.exit_code = kExitSuccess;
  });
}

}  // namespace cdsim::apps
