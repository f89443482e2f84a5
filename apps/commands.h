// The subcommands of the cdsim program. Each add_*_command registers its options and a
// callback on `app`; the callback stores its exit code in `result`.
#pragma once

#include <CLI/CLI.hpp>

#include "analysis/run_scenario.h"

namespace cdsim::apps {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitBadInput = 2;
// `cdsim run`: the run ended before its last step because no progress was possible (e.g.
// agents waiting for ever on lost messages, every agent crashed); the run directory was
// written and summary.json's end_reason is "no_progress".
inline constexpr int kExitNoProgress = kExitStatusNoProgress;

struct CommandResult {
  int exit_code = kExitSuccess;
};

void add_run_command(CLI::App& app, CommandResult& result);
void add_plot_command(CLI::App& app, CommandResult& result);
void add_validate_command(CLI::App& app, CommandResult& result);
void add_topology_command(CLI::App& app, CommandResult& result);
void add_data_command(CLI::App& app, CommandResult& result);
void add_sweep_command(CLI::App& app, CommandResult& result);
void add_summarize_command(CLI::App& app, CommandResult& result);
void add_trace_command(CLI::App& app, CommandResult& result);
void add_schema_command(CLI::App& app, CommandResult& result);

}  // namespace cdsim::apps
