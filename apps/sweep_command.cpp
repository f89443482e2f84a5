// `cdsim sweep SWEEP.json`: expands a sweep file into runs and runs the incomplete ones as
// child `cdsim run` processes (-j at once), or spread over the ranks under mpirun.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "analysis/studies/mpi_sweep.h"
#include "analysis/studies/sweep_runner.h"
#include "analysis/studies/sweep_spec.h"
#include "apps/commands.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {
namespace {

struct SweepArguments {
  std::string sweep_path;
  std::string output_directory;
  std::size_t jobs = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  bool quiet = false;
  bool list = false;
};

std::filesystem::path own_executable() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot find the cdsim executable (/proc/self/exe): " + error.message());
  return self;
}

int sweep(const SweepArguments& arguments) {
  studies::SweepSpec spec;
  std::vector<studies::SweepRun> runs;
  try {
    spec = studies::read_sweep_file(arguments.sweep_path);
    runs = studies::expand_sweep(spec);
    studies::check_sweep_runs(spec, runs);
  } catch (const ScenarioError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitBadInput;
  }
  if (arguments.list) {
    for (const studies::SweepRun& run : runs) std::cout << run.id << "\n";
    return kExitSuccess;
  }
  studies::SweepOptions options;
  options.output_directory = arguments.output_directory;
  options.jobs = arguments.jobs;
  options.progress = arguments.quiet ? nullptr : &std::cerr;
  options.progress_is_terminal = ::isatty(STDERR_FILENO) == 1;
  std::vector<studies::RunStatus> statuses;
  try {
    if (studies::launched_by_mpi()) {
      statuses = studies::run_sweep_over_ranks(spec, runs, options);
    } else {
      options.executable = own_executable();
      statuses = studies::run_sweep(spec, runs, options);
    }
  } catch (const std::exception& error) {
    std::cerr << "error: " << arguments.sweep_path << ": " << error.what() << "\n";
    return kExitBadInput;
  }
  const auto failed = std::count(statuses.begin(), statuses.end(), studies::RunStatus::kFailed);
  if (failed > 0) {
    std::cerr << "error: " << arguments.sweep_path << ": " << failed << " of " << runs.size()
              << " runs failed (their logs are under logs/ in the sweep folder)\n";
    return kExitRunFailed;
  }
  return kExitSuccess;
}

}  // namespace

void add_sweep_command(CLI::App& app, CommandResult& result) {
  auto arguments = std::make_shared<SweepArguments>();
  CLI::App* command = app.add_subcommand(
      "sweep", "Run a sweep: the base scenario over a grid of field values and seeds (docs/sweeps.md)");
  command->add_option("sweep", arguments->sweep_path, "Sweep JSON file")->required();
  command->add_option("--out,-o", arguments->output_directory, "Sweep folder (default: runs/<sweep name>)");
  command->add_option("--jobs,-j", arguments->jobs, "Runs at once, each its own process (default: the cores)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  command->add_flag("--quiet,-q", arguments->quiet, "Print no progress");
  command->add_flag("--list", arguments->list, "Print the run ids and exit");
  command->callback([arguments, &result] { result.exit_code = sweep(*arguments); });
}

}  // namespace cdsim::apps
