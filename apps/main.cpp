// cdsim: one binary, subcommands. Exit codes: 0 success, 2 bad input or usage, 1 failure
// while running. Every error is one line naming the file and, where there is one, the
// field as a JSON pointer.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "analysis/provenance.h"
#include "apps/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"cdsim: a discrete-event network simulator for collaborative deep learning"};
  app.require_subcommand(1);
  app.set_version_flag("--version", cdsim::version_line(cdsim::build_info()));
  cdsim::apps::CommandResult result;
  cdsim::apps::add_run_command(app, result);
  cdsim::apps::add_validate_command(app, result);
  cdsim::apps::add_plot_command(app, result);
  cdsim::apps::add_topology_command(app, result);
  cdsim::apps::add_data_command(app, result);
  cdsim::apps::add_sweep_command(app, result);
  cdsim::apps::add_summarize_command(app, result);
  cdsim::apps::add_trace_command(app, result);
  cdsim::apps::add_schema_command(app, result);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : cdsim::apps::kExitBadInput;
  }
  return result.exit_code;
}
