// Runs one scenario end to end: builds the topology, data, models and network, drives the
// protocol on the simulated clock, evaluates at the observed steps, and writes the run
// directory (metrics.csv, summary.json, scenario.resolved.json, timing.json). Everything
// but timing.json is a pure function of the scenario.
#pragma once

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "analysis/metrics.h"
#include "scenarios/scenario.h"

namespace cdsim {

struct RunOptions {
  std::filesystem::path output_directory;  // empty: runs/<scenario name>
  std::ostream* progress = nullptr;        // nullptr for silence
  bool progress_is_terminal = false;       // redraw one line in place instead of a line per evaluation
  std::size_t threads = 1;                 // threads for training and evaluation; the results do not depend on it
  bool force = false;                      // waive the cost bounds (scenarios/scenario_limits.h)
  // Set (to the signal's number) by a SIGINT/SIGTERM handler: the run stops at the next
  // event boundary and throws RunInterrupted, leaving no run directory. nullptr for none.
  const volatile std::sig_atomic_t* interrupt = nullptr;
  std::ostream* notices = nullptr;         // one-line notices before the run starts (costly evaluation)
};

struct RunResult {
  std::filesystem::path run_directory;
  std::vector<MetricsRow> metrics;  // one row per observed step, in step order
  std::int64_t total_steps = 0;
  double epochs_per_step = 0.0;    // see epochs_per_step() in sim/protocols/protocol.h
  std::int64_t message_bytes = 0;   // size of one parameter message on the wire
  double wall_seconds = 0.0;
  // The first evaluated step whose losses or consensus distance are not finite (the
  // agents diverged); empty when every evaluation was finite.
  std::optional<std::int64_t> diverged_at_step;
  // Why the run ended: "steps" (all of them ran), or the run.stop condition met at the
  // last evaluation: "target", "sim_time_budget" or "byte_budget".
  std::string stop_reason = "steps";
  // How the run ended: "completed" (every step ran), "stopped" (run.stop), or
  // "no_progress": the events ran out before the last step (agents waiting for ever on
  // lost messages or crashed agents, everyone crashed), with `end_message` saying why. The
  // run directory is written in every case.
  std::string end_reason = "completed";
  std::string end_message;
  std::int64_t completed_steps = 0;  // steps every agent finished
};

// `cdsim run`'s exit status when end_reason is "no_progress": the run ended before its
// last step, and its run directory holds what ran (a sweep counts it as a complete run).
inline constexpr int kExitStatusNoProgress = 3;

// Thrown when RunOptions::interrupt was raised: the run stopped early and wrote nothing.
class RunInterrupted : public std::runtime_error {
 public:
  explicit RunInterrupted(int signal)
      : std::runtime_error("interrupted by signal " + std::to_string(signal)), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

// Throws InvalidInput (field relative to the scenario root) when the scenario's values do
// not fit together (a disconnected graph, a model that does not fit the data, ...), before
// anything is written; std::runtime_error when the run itself fails. On any error no run
// directory is left behind.
RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace cdsim
