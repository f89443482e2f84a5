#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

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
#include "apps/override_option.h"
#include "apps/scenario_errors.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {
namespace {

// The one piece of static state in cdsim: a signal handler can reach nothing else, so the
// signal it caught is stored here, and run_scenario polls it between events (through
// RunOptions::interrupt) to stop cleanly, remove its staging folder and exit 128 + signal.
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int signal) {
  if (g_stop_signal != 0) {
    // A second signal: the user insists, so die at once as the default action would.
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  g_stop_signal = signal;
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

struct RunArguments {
  std::string scenario_path;
  std::string output_directory;
  std::vector<std::string> overrides;  // --set FIELD=VALUE
  bool quiet = false;
  bool force = false;
  // Results do not depend on it, so use the machine's cores by default (at most 8).
  std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
};

int run(const RunArguments& arguments) {
  install_stop_handlers();
  return with_scenario_errors(arguments.scenario_path, [&]() -> int {
    const Scenario scenario = load_scenario(arguments.scenario_path, parse_overrides(arguments.overrides));
    RunOptions options;
    options.output_directory = arguments.output_directory;
    options.progress = arguments.quiet ? nullptr : &std::cerr;
    options.progress_is_terminal = ::isatty(STDERR_FILENO) == 1;
    options.threads = arguments.threads;
    options.force = arguments.force;
    options.notices = &std::cerr;
    options.interrupt = &g_stop_signal;
    RunResult result;
    try {
      result = run_scenario(scenario, options);
    } catch (const RunInterrupted& interrupted) {
      std::cerr << "\nerror: " << arguments.scenario_path << ": " << ::strsignal(interrupted.signal())
                << " received; the run was stopped and no run directory was written\n";
      return 128 + interrupted.signal();
    }
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
              << "steps      " << last.step << " of " << result.total_steps << " (" << format_number(last.epoch) << " epochs)"
              << (result.stop_reason == "steps" ? "" : ", stopped early: " + result.stop_reason) << "\n"
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
    if (result.end_reason == "no_progress") {
      std::cerr << "error: " << arguments.scenario_path << ": the run ended early: " << result.end_message
                << "; " << result.run_directory.string() << " holds what ran (summary.json end_reason \"no_progress\")\n";
      return kExitNoProgress;
    }
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
  add_override_option(command, arguments->overrides);
  command->add_flag("--quiet,-q", arguments->quiet, "Print no progress");
  command->add_flag("--force", arguments->force,
                    "Run a scenario beyond the memory, work and message bounds (docs/scenario.md)");
  command->add_option("--threads,-j", arguments->threads,
                      "Threads for the agents' training and evaluation math (results are identical for any count)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  command->callback([arguments, &result] { result.exit_code = run(*arguments); });
}

}  // namespace cdsim::apps
