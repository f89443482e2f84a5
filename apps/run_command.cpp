#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <thread>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "analysis/run_scenario.h"
#include "sim/protocols/protocol.h"
#include "apps/commands.h"
#include "apps/scenario_errors.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {
namespace {

struct RunArguments {
  std::string scenario_path;
  std::string output_directory;
  bool quiet = false;
  // Results do not depend on it, so use the machine's cores by default (at most 8).
  std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
};

int run(const RunArguments& arguments) {
  return with_scenario_errors(arguments.scenario_path, [&] {
    const Scenario scenario = load_scenario(arguments.scenario_path);
    RunOptions options;
    options.output_directory = arguments.output_directory;
    options.progress = arguments.quiet ? nullptr : &std::cerr;
    options.progress_is_terminal = ::isatty(STDERR_FILENO) == 1;
    options.threads = arguments.threads;
    options.notices = &std::cerr;
    const RunResult result = run_scenario(scenario, options);
    if (result.diverged_at_step) {
      std::cerr << "warning: " << arguments.scenario_path << ": the agents diverged (non-finite loss or "
                << "consensus distance) by step " << *result.diverged_at_step
                << "; try a smaller learning rate or momentum\n";
    }
    const MetricsRow& first = result.metrics.front();
    const MetricsRow& last = result.metrics.back();
    std::cout << "scenario   " << scenario.name << " ("
              << (is_single_model(scenario.algorithm) ? std::string("one model")
                                                      : std::to_string(scenario.agents) + " agents, " + scenario.topology.kind)
              << ", " << scenario.algorithm.kind << ")\n"
              << "steps      " << result.total_steps << " (" << format_number(last.epoch) << " epochs)\n"
              << "sim time   " << format_number(last.sim_time_s) << " s\n"
              << "traffic    " << last.bytes_total << " bytes in " << last.messages_total << " messages\n";
    // Only the figures run.evaluation computed.
    const MetricsColumns& computed = last.computed;
    if (computed.train) {
      std::cout << "train loss " << format_number(first.train_loss) << " -> " << format_number(last.train_loss) << "\n";
    }
    if (computed.test) {
      std::cout << "test loss  " << format_number(first.test_loss) << " -> " << format_number(last.test_loss) << "\n";
    }
    if (computed.test && std::isfinite(last.test_accuracy)) {
      std::cout << "test acc   " << format_number(first.test_accuracy) << " -> "
                << format_number(last.test_accuracy) << "\n";
    }
    if (computed.average_model && std::isfinite(last.average_model_test_accuracy)) {
      std::cout << "avg model  test acc " << format_number(last.average_model_test_accuracy) << "\n";
    }
    if (computed.consensus) std::cout << "consensus  " << format_number(last.consensus_distance) << "\n";
    std::cout << "run dir    " << result.run_directory.string() << "\n";
    return kExitSuccess;
  });
}

}  // namespace

void add_run_command(CLI::App& app, CommandResult& result) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "Run a scenario and write its run directory");
  command->add_option("scenario", arguments->scenario_path, "Scenario JSON file")->required();
  command->add_option("--out,-o", arguments->output_directory,
                      "Run directory to write (default: runs/<scenario name>)");
  command->add_flag("--quiet,-q", arguments->quiet, "Print no progress");
  command->add_option("--threads,-j", arguments->threads,
                      "Threads for the agents' training and evaluation math (results are identical for any count)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  command->callback([arguments, &result] { result.exit_code = run(*arguments); });
}

}  // namespace cdsim::apps
