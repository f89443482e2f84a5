// Runs one scenario end to end: builds the topology, data, models and network, drives the
// protocol on the simulated clock, evaluates at the observed steps, and writes the run
// directory (metrics.csv, summary.json, scenario.resolved.json, timing.json). Everything
// but timing.json is a pure function of the scenario.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <vector>

#include "analysis/metrics.h"
#include "scenarios/scenario.h"

namespace cdsim {

struct RunOptions {
  std::filesystem::path output_directory;  // empty: runs/<scenario name>
  std::ostream* progress = nullptr;        // nullptr for silence
  bool progress_is_terminal = false;       // redraw one line in place instead of a line per evaluation
  std::size_t threads = 1;                 // threads for training and evaluation; the results do not depend on it
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
};

// Throws InvalidInput (field relative to the scenario root) when the scenario's values do
// not fit together (a disconnected graph, a model that does not fit the data, ...), before
// anything is written; std::runtime_error when the run itself fails. On any error no run
// directory is left behind.
RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace cdsim
